/**
 * The shared-memory device: every rank is a thread of one JVM. A send hands the packet straight to the
 * receiver's handler on the sender's thread, so a message that meets a posted receive is copied once,
 * directly from the send buffer into the receive buffer.
 */
package io.snapline.runtime.device.shm;

/**
 * The TCP device: every rank is its own process, connected to every other rank by one socket. One progress
 * thread per process reads frames (see {@link io.snapline.runtime.device.tcp.TcpDescriptor}) and hands complete
 * messages to the rank's mailbox, so messages progress while the application computes. Small messages travel
 * eagerly within a per-peer credit window; large ones by rendezvous, decoded straight into the receive buffer.
 */
package io.snapline.runtime.device.tcp;

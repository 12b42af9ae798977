/**
 * The TCP device: every rank is its own process, connected to every other rank by one socket. One progress
 * thread per process reads frames (see {@link io.snapline.runtime.device.tcp.TcpDescriptor}) and hands complete
 * messages to the rank's mailbox, so messages progress while the application computes; a rank thread that waits for
 * a large message reads and writes its connection itself meanwhile. Small messages travel eagerly within a per-peer
 * credit window; large ones are pushed behind their announcement within that window, or go by rendezvous, and are
 * decoded straight into the receive buffer.
 */
package io.snapline.runtime.device.tcp;

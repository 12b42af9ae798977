/**
 * Raw baselines that run in their own processes, without Snapline: the Java NIO loopback ping-pong and stream the
 * {@code tcp} device is compared with ({@link io.snapline.benchmarks.raw.NioPeer}, started in pairs by
 * {@link io.snapline.benchmarks.raw.NioBaseline}).
 */
package io.snapline.benchmarks.raw;

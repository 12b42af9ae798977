/**
 * JMH microbenchmarks of the hot paths: the {@code shm} message path with and without a policy's hooks
 * ({@code MessagePathBenchmark}), the sender log, {@code DataMover}, the Kryo object codec, checkpoint capture (encode,
 * SHA-256, compression) and incremental writes. Run them with {@code bin/snapjmh [JMH args...]}; what each measures
 * is listed in {@code docs/performance.md}. They use engine and checkpoint classes directly, unlike the messaging
 * benchmark, because they measure one layer in isolation.
 */
package io.snapline.benchmarks.jmh;

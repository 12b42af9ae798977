/**
 * Single-threaded JMH microbenchmarks of the engine's copy and encoding paths ({@code DataMover}, the Kryo object
 * codec). Run them with {@code java -cp "benchmarks/target/snapline-benchmarks-*.jar:benchmarks/target/lib/*"
 * org.openjdk.jmh.Main io.snapline.benchmarks.jmh}. They use engine classes directly, unlike the messaging benchmark,
 * because they measure one layer in isolation.
 */
package io.snapline.benchmarks.jmh;

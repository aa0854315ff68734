/**
 * Benchmarks: JMH micro-benchmarks (run from {@code grapevine-bench/target/benchmarks.jar}) and the
 * shared corpus of pre-signed messages they use.
 */
package dev.grapevine.bench;

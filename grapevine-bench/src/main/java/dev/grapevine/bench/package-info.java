/**
 * Benchmarks: JMH micro-benchmarks (run from {@code grapevine-bench/target/benchmarks.jar}), the
 * shared corpus of pre-signed messages they use, and the end-to-end benchmarks behind {@code
 * grapevine bench} ({@link dev.grapevine.bench.VerifyReport}, {@link
 * dev.grapevine.bench.IngestBench}, {@link dev.grapevine.bench.ReconcileBench}, {@link
 * dev.grapevine.bench.ConnectionsBench}, {@link dev.grapevine.bench.FanoutBench}).
 */
package dev.grapevine.bench;

/**
 * Test support for applications built on Grapevine and for Grapevine's own tests: a {@link
 * dev.grapevine.testing.ManualClock} for timers without sleeping, deterministic {@link
 * dev.grapevine.testing.TestKeys}, and {@link dev.grapevine.testing.TestNetwork}, N real nodes on
 * loopback with a {@link dev.grapevine.testing.SyncRecorder} each.
 */
package dev.grapevine.testing;

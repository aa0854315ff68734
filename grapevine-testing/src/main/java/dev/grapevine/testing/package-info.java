/**
 * Test support for applications built on Grapevine and for Grapevine's own tests: a {@link
 * dev.grapevine.testing.ManualClock} for timers without sleeping and deterministic {@link
 * dev.grapevine.testing.TestKeys}.
 */
package dev.grapevine.testing;

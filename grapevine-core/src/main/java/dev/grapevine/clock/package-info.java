/**
 * Injected time: the {@link dev.grapevine.clock.Scheduler} that retries, backoff and timeouts run
 * on, so that they can be tested on a manual clock.
 */
package dev.grapevine.clock;

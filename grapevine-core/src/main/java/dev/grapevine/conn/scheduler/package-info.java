/**
 * The connection scheduler, on the model of ssb-conn's {@code connScheduler}: it decides whom the
 * node dials and when it lets go, from the peer database, staging and the hub. {@link
 * dev.grapevine.conn.scheduler.ConnScheduler} is the replaceable interface and its builder; {@link
 * dev.grapevine.conn.scheduler.DefaultConnScheduler} implements ssb-conn 6's quotas, cooldowns and
 * rotation, {@link dev.grapevine.conn.scheduler.TieredConnScheduler} ssb-conn 5's tiered backoff;
 * {@link dev.grapevine.conn.scheduler.SchedulerConfig} holds their limits, {@link
 * dev.grapevine.conn.scheduler.HopSource} says whom to trust and {@link
 * dev.grapevine.conn.scheduler.NetworkProbe} watches the machine's network.
 *
 * <p>Threads: a scheduler's state belongs to the thread of the injected {@link
 * dev.grapevine.clock.Scheduler} (the timer thread), where every planning round runs; rounds never
 * block (the hub's connect and disconnect queue work on the hub thread). Lifecycle calls and the
 * hub's and staging's listeners only queue work on the timer. With a manual scheduler, rounds run
 * on the test thread as it advances the clock. Nothing in this package returns null.
 */
package dev.grapevine.conn.scheduler;

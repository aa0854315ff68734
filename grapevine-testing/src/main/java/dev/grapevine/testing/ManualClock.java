package dev.grapevine.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A clock that moves only when a test says so. Thread-safe: tests advance it on their own thread
 * while the node reads it on others.
 */
public final class ManualClock extends Clock {
  private final AtomicLong millis;
  private final ZoneId zone;

  private ManualClock(AtomicLong millis, ZoneId zone) {
    this.millis = millis;
    this.zone = zone;
  }

  /** A clock at {@code start}, in UTC. */
  public static ManualClock at(Instant start) {
    return new ManualClock(new AtomicLong(start.toEpochMilli()), ZoneOffset.UTC);
  }

  /** Moves the clock forward (or back, with a negative duration) and returns the new instant. */
  public Instant advance(Duration by) {
    return Instant.ofEpochMilli(millis.addAndGet(by.toMillis()));
  }

  /** Sets the clock to {@code instant}. */
  public void set(Instant instant) {
    millis.set(instant.toEpochMilli());
  }

  @Override
  public long millis() {
    return millis.get();
  }

  @Override
  public Instant instant() {
    return Instant.ofEpochMilli(millis.get());
  }

  @Override
  public ZoneId getZone() {
    return zone;
  }

  /** A view of the same time source in another zone (advancing either advances both). */
  @Override
  public Clock withZone(ZoneId zone) {
    return new ManualClock(millis, zone);
  }

  @Override
  public String toString() {
    return "ManualClock[" + instant() + "]";
  }
}

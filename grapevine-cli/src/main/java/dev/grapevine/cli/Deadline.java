package dev.grapevine.cli;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/** The end of a command's time budget, shared by its steps. */
final class Deadline {
  private final Clock clock;
  private final Duration budget;
  private final Instant end;

  private Deadline(Clock clock, Duration budget) {
    this.clock = clock;
    this.budget = budget;
    this.end = clock.instant().plus(budget);
  }

  /** A deadline {@code budget} from now on the system clock. */
  static Deadline in(Duration budget) {
    return new Deadline(Clock.systemUTC(), budget);
  }

  /** The whole budget, for messages ("within 10 s"). */
  Duration budget() {
    return budget;
  }

  /** Time left, at least one millisecond so it can be passed to timeouts. */
  Duration remaining() {
    Duration left = Duration.between(clock.instant(), end);
    return left.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : left;
  }

  /** Whether the budget is used up. */
  boolean passed() {
    return !clock.instant().isBefore(end);
  }

  /** The budget in words, for example "10 s" or "1.5 s". */
  String describe() {
    long ms = budget.toMillis();
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms / 1000.0 + " s";
  }
}

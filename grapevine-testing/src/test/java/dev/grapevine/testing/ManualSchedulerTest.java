package dev.grapevine.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.grapevine.clock.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManualSchedulerTest {
  private final ManualScheduler scheduler = ManualScheduler.at(Instant.EPOCH);

  @Test
  void tasksRunOnlyWhenTheirTimeIsReachedInDueOrder() {
    List<String> ran = new ArrayList<>();
    scheduler.schedule(() -> ran.add("b@20"), Duration.ofMillis(20));
    scheduler.schedule(() -> ran.add("a@10"), Duration.ofMillis(10));
    assertThat(scheduler.advance(Duration.ofMillis(9))).isZero();
    assertThat(scheduler.advance(Duration.ofMillis(15))).isEqualTo(2);
    assertThat(ran).containsExactly("a@10", "b@20");
    assertThat(scheduler.clock().millis()).isEqualTo(24);
  }

  @Test
  void periodicTaskRunsOncePerPeriodAndStopsWhenCancelled() {
    List<Long> at = new ArrayList<>();
    Scheduler.Cancellable c =
        scheduler.scheduleAtFixedRate(
            () -> at.add(scheduler.clock().millis()), Duration.ofSeconds(1));
    scheduler.advance(Duration.ofMillis(3500));
    assertThat(at).containsExactly(1000L, 2000L, 3000L);
    c.cancel();
    scheduler.advance(Duration.ofSeconds(5));
    assertThat(at).hasSize(3);
  }

  @Test
  void taskScheduledByATaskRunsInTheSameAdvanceIfDue() {
    List<Long> at = new ArrayList<>();
    scheduler.schedule(
        () -> scheduler.schedule(() -> at.add(scheduler.clock().millis()), Duration.ofMillis(5)),
        Duration.ofMillis(5));
    scheduler.advance(Duration.ofMillis(20));
    assertThat(at).containsExactly(10L);
  }
}

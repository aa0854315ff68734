package dev.grapevine.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bus: order, bounds, alert throttling, close. */
class NodeEventsTest {
  /** A clock a test moves by hand. */
  private static final class HandClock extends Clock {
    volatile Instant now = Instant.parse("2025-01-01T00:00:00Z");

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void listenersGetEventsInOrderOnTheEventThread() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    List<String> threads = new CopyOnWriteArrayList<>();
    try (NodeEvents bus = NodeEvents.start(EventsConfig.DEFAULT, new HandClock(), "events-test")) {
      bus.addListener(
          e -> {
            seen.add(e.data().get("n").toString());
            threads.add(Thread.currentThread().getName());
          });
      for (int i = 0; i < 100; i++) {
        bus.publish(EventType.FILE_UPLOADED, Map.of("n", i));
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 100);
    }

    assertThat(seen)
        .containsExactlyElementsOf(
            java.util.stream.IntStream.range(0, 100).mapToObj(Integer::toString).toList());
    assertThat(threads).containsOnly("events-test");
  }

  @Test
  void aFullBusDropsAndCountsInsteadOfBlocking() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch blocked = new CountDownLatch(1);
    EventsConfig small = EventsConfig.builder().busCapacity(3).build();
    try (NodeEvents bus = NodeEvents.start(small, new HandClock(), "events-test")) {
      bus.addListener(
          e -> {
            blocked.countDown();
            try {
              release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException ie) {
              Thread.currentThread().interrupt();
            }
          });
      bus.publish(EventType.FILE_UPLOADED, Map.of());
      assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue();
      int accepted = 0;
      for (int i = 0; i < 10; i++) {
        accepted += bus.publish(EventType.FILE_UPLOADED, Map.of()) ? 1 : 0;
      }
      release.countDown();

      assertThat(accepted).isEqualTo(3);
      assertThat(bus.stats().dropped()).isEqualTo(7);
    }
  }

  @Test
  void alertsOfOneKindArePublishedOncePerIntervalWithTheCountInBetween() throws Exception {
    HandClock clock = new HandClock();
    List<Event> alerts = new CopyOnWriteArrayList<>();
    EventsConfig config = EventsConfig.builder().alertInterval(Duration.ofSeconds(60)).build();
    try (NodeEvents bus = NodeEvents.start(config, clock, "events-test")) {
      bus.addListener(alerts::add);
      assertThat(bus.alert(EventType.SECURITY_ALERT, AlertLevel.WARNING, "m", 1, 0, "x")).isTrue();
      assertThat(bus.alert(EventType.SECURITY_ALERT, AlertLevel.WARNING, "m", 2, 0, "x")).isFalse();
      assertThat(bus.alert(EventType.SECURITY_ALERT, AlertLevel.WARNING, "other", 1, 0, "x"))
          .isTrue();
      bus.alert(EventType.SECURITY_ALERT, AlertLevel.WARNING, "m", 3, 0, "x");
      clock.now = clock.now.plusSeconds(60);
      assertThat(bus.alert(EventType.SECURITY_ALERT, AlertLevel.WARNING, "m", 4, 0, "x")).isTrue();
      await().atMost(Duration.ofSeconds(10)).until(() -> alerts.size() == 3);
      assertThatThrownBy(() -> bus.alert(EventType.FILE_UPLOADED, AlertLevel.INFO, "m", 1, 0, "x"))
          .isInstanceOf(IllegalArgumentException.class);
    }

    assertThat(alerts.get(0).data()).containsEntry("count", 1L).containsEntry("level", "warning");
    assertThat(alerts.get(2).data()).containsEntry("count", 3L).containsEntry("value", 4);
  }

  @Test
  void closeDeliversWhatIsQueuedAndLaterPublishesAreDropped() {
    List<Event> seen = new CopyOnWriteArrayList<>();
    NodeEvents bus = NodeEvents.start(EventsConfig.DEFAULT, new HandClock(), "events-test");
    bus.addListener(seen::add);
    for (int i = 0; i < 50; i++) {
      bus.publish(Topic.SYSTEM, "custom_type", Map.of("i", i));
    }
    bus.close();

    assertThat(seen).hasSize(50);
    assertThat(seen.get(0).type()).isEqualTo("custom_type");
    assertThat(bus.publish(EventType.FILE_UPLOADED, Map.of())).isFalse();
  }

  @Test
  void settingsAreValidated() {
    assertThatThrownBy(
            () ->
                EventsConfig.builder()
                    .pingPeriod(Duration.ofSeconds(60))
                    .pongWait(Duration.ofSeconds(60))
                    .build())
        .hasMessageContaining("pingPeriod < pongWait");
    assertThatThrownBy(() -> EventsConfig.builder().queueSize(0).build())
        .hasMessageContaining("queueSize");
    assertThatThrownBy(() -> EventsConfig.builder().storageAlertFreeRatio(1.5).build())
        .hasMessageContaining("storageAlertFreeRatio");
  }

  @Test
  void durationsAreWrittenAsGoWritesThem() {
    assertThat(GoDuration.format(Duration.ZERO)).isEqualTo("0s");
    assertThat(GoDuration.format(Duration.ofMillis(1312).plusNanos(426_581)))
        .isEqualTo("1.312426581s");
    assertThat(GoDuration.format(Duration.ofMillis(250))).isEqualTo("250ms");
    assertThat(GoDuration.format(Duration.ofSeconds(3723).plusMillis(500))).isEqualTo("1h2m3.5s");
    assertThat(GoDuration.format(Duration.ofMinutes(2))).isEqualTo("2m0s");
  }
}

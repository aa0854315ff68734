package dev.grapevine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.anproto.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class WriteQueueTest {
  private static final KeyPair KEYS = TestMessages.keys(1);

  private static WriteOp add(int i) {
    return new WriteOp.Add(TestMessages.post(KEYS, TestMessages.T0 + i, "m" + i).message());
  }

  private static WriteOp blob(int chars) {
    return new WriteOp.Make(Blob.of("x".repeat(chars), Integer.MAX_VALUE));
  }

  @Test
  void offerFailsWithBusyWhenTheQueueIsFullAndSaysHowFull() {
    WriteQueue q = new WriteQueue(2, Long.MAX_VALUE);
    q.offer(add(1));
    q.offer(add(2));

    assertThat(q.remainingCapacity()).isZero();
    assertThatThrownBy(() -> q.offer(add(3)))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BUSY))
        .hasMessageContaining("2 of 2 writes");
    assertThat(q.size()).isEqualTo(2);
  }

  @Test
  void blockingOfferFailsWithBusyAfterTheTimeout() {
    WriteQueue q = new WriteQueue(1, Long.MAX_VALUE);
    q.offer(add(1));

    assertThatThrownBy(() -> q.offer(add(2), Duration.ofMillis(20)))
        .isInstanceOfSatisfying(
            StoreException.class, e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.BUSY))
        .hasMessageContaining("after waiting 20 ms");
  }

  @Test
  void blockingOfferProceedsOnceTheWriterTakes() throws Exception {
    WriteQueue q = new WriteQueue(1, Long.MAX_VALUE);
    WriteOp first = add(1);
    WriteOp second = add(2);
    q.offer(first);
    CompletableFuture<Void> blocked =
        CompletableFuture.runAsync(() -> q.offer(second, Duration.ofSeconds(10)));

    assertThat(q.take(10)).containsExactly(first);
    blocked.get(5, TimeUnit.SECONDS);
    assertThat(q.take(10)).containsExactly(second);
  }

  @Test
  void theByteBoundAdmitsABigWriteOnlyIntoAnEmptyQueue() {
    WriteQueue q = new WriteQueue(100, 1_000);
    WriteOp big = blob(2_000);
    q.offer(big);

    assertThat(q.remainingCapacity()).isZero();
    assertThatThrownBy(() -> q.offer(add(1))).isInstanceOf(StoreException.class);
  }

  @Test
  void takeReturnsTheOldestWritesUpToTheBatchSize() throws InterruptedException {
    WriteQueue q = new WriteQueue(100, Long.MAX_VALUE);
    List<WriteOp> ops = List.of(add(1), add(2), add(3));
    ops.forEach(q::offer);

    assertThat(q.take(2)).containsExactly(ops.get(0), ops.get(1));
    assertThat(q.take(2)).containsExactly(ops.get(2));
    assertThat(q.remainingCapacity()).isEqualTo(100);
  }

  @Test
  void closingRefusesNewWritesButStillHandsOutQueuedOnes() throws InterruptedException {
    WriteQueue q = new WriteQueue(10, Long.MAX_VALUE);
    WriteOp queued = add(1);
    q.offer(queued);
    q.close();

    assertThatThrownBy(() -> q.offer(add(2)))
        .isInstanceOfSatisfying(
            StoreException.class,
            e -> assertThat(e.reason()).isEqualTo(StoreException.Reason.CLOSED));
    assertThat(q.take(10)).containsExactly(queued);
    assertThat(q.take(10)).isEmpty();
  }

  @Test
  void closingWakesAWaitingTaker() {
    WriteQueue q = new WriteQueue(10, Long.MAX_VALUE);
    CompletableFuture<List<WriteOp>> taker =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return q.take(10);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });

    q.close();

    Awaitility.await().atMost(Duration.ofSeconds(5)).until(taker::isDone);
    assertThat(taker.join()).isEmpty();
  }
}

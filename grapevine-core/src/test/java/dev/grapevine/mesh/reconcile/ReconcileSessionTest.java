package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.mesh.reconcile.ReconcileException.Reason;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ReconcileSessionTest {
  private static final ReconcileConfig SMALL_FRAMES =
      ReconcileConfig.builder().maxMessageBytes(ReconcileConfig.MIN_MESSAGE_BYTES).build();

  private static Reason reasonOf(Runnable r) {
    return catchThrowableOfType(r::run, ReconcileException.class).reason();
  }

  @Test
  void identicalSetsOf100000ItemsReconcileInOneRoundTripUnderOneKilobyte() {
    List<Item> items = Sets.randomItems(new Random(3), 100_000, 10_000_000_000L, 0);

    Sets.Run run =
        Sets.reconcile(ItemIndex.of(items), ItemIndex.of(items), ReconcileConfig.DEFAULT);

    assertThat(run.roundTrips()).isEqualTo(1);
    assertThat(run.messages()).isEqualTo(2);
    assertThat(run.bytes()).isLessThan(1_024);
    assertThat(run.initiator().have()).isEmpty();
    assertThat(run.initiator().need()).isEmpty();
    assertThat(run.responder().have()).isEmpty();
    assertThat(run.responder().need()).isEmpty();
  }

  @Test
  void twoEmptySetsReconcileInOneRoundTrip() {
    Sets.Run run = Sets.reconcile(new ItemIndex(), new ItemIndex(), ReconcileConfig.DEFAULT);

    assertThat(run.roundTrips()).isEqualTo(1);
    assertThat(run.initiator().need()).isEmpty();
  }

  @Test
  void anEmptySideLearnsEveryItemInRoundsThatRespectTheFrameLimit() {
    List<Item> items = Sets.randomItems(new Random(4), 5_000, 1_000_000, 0);

    Sets.Run run = Sets.reconcile(new ItemIndex(), ItemIndex.of(items), SMALL_FRAMES);

    assertThat(run.initiator().need()).containsExactlyInAnyOrderElementsOf(items);
    assertThat(run.responder().have()).containsExactlyInAnyOrderElementsOf(items);
    assertThat(run.largestMessage()).isLessThanOrEqualTo(ReconcileConfig.MIN_MESSAGE_BYTES);
    assertThat(run.roundTrips()).isGreaterThan(5_000 * 33 / ReconcileConfig.MIN_MESSAGE_BYTES);
  }

  @Test
  void disjointSetsWithSmallFramesFindEveryDifferenceBothWays() {
    Random random = new Random(5);
    List<Item> all = Sets.randomItems(random, 12_000, 1_000, 0);
    List<Item> a = all.subList(0, 6_000);
    List<Item> b = all.subList(6_000, 12_000);

    Sets.Run run = Sets.reconcile(ItemIndex.of(a), ItemIndex.of(b), SMALL_FRAMES);

    assertThat(run.initiator().have()).containsExactlyInAnyOrderElementsOf(a);
    assertThat(run.initiator().need()).containsExactlyInAnyOrderElementsOf(b);
    assertThat(run.responder().have()).containsExactlyInAnyOrderElementsOf(b);
    assertThat(run.responder().need()).containsExactlyInAnyOrderElementsOf(a);
    assertThat(run.largestMessage()).isLessThanOrEqualTo(ReconcileConfig.MIN_MESSAGE_BYTES);
  }

  @Test
  void sidesWithDifferentBucketCountsStillReconcile() {
    Random random = new Random(6);
    List<Item> all = Sets.randomItems(random, 20_000, 100_000, 0);
    List<Item> a = new ArrayList<>(all.subList(0, 15_000));
    List<Item> b = new ArrayList<>(all.subList(300, 20_000));
    ReconcileConfig coarse = ReconcileConfig.builder().buckets(32).build();
    ReconcileConfig fine = ReconcileConfig.builder().buckets(2).build();

    Sets.Run run = Sets.reconcile(ItemIndex.of(a), ItemIndex.of(b), coarse, fine);

    assertThat(run.initiator().have()).containsExactlyInAnyOrderElementsOf(Sets.minus(a, b));
    assertThat(run.initiator().need()).containsExactlyInAnyOrderElementsOf(Sets.minus(b, a));
    assertThat(run.responder().need()).containsExactlyInAnyOrderElementsOf(Sets.minus(a, b));
  }

  @Test
  void aMessageLargerThanTheReceiversLimitIsRejected() {
    List<Item> items = Sets.randomItems(new Random(14), 20_000, 1_000_000, 0);
    ReconcileSession sender =
        ReconcileSession.responder(ItemIndex.of(items), ReconcileConfig.DEFAULT);
    byte[] big =
        sender
            .receive(ReconcileSession.initiator(new ItemIndex(), ReconcileConfig.DEFAULT).start())
            .orElseThrow();
    ReconcileSession receiver = ReconcileSession.initiator(new ItemIndex(), SMALL_FRAMES);
    receiver.start();

    assertThat(big.length).isGreaterThan(SMALL_FRAMES.maxMessageBytes());
    assertThat(reasonOf(() -> receiver.receive(big))).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void aSessionStopsEarlyAtMaxDifferencesWithTrueButPartialResults() {
    List<Item> items = Sets.randomItems(new Random(7), 3_000, 1_000_000, 0);
    ReconcileConfig capped = SMALL_FRAMES.toBuilder().maxDifferences(500).build();

    Sets.Run run = Sets.reconcile(new ItemIndex(), ItemIndex.of(items), capped);

    boolean initiatorStopped = run.initiator().isTruncated();
    boolean responderStopped = run.responder().isTruncated();
    assertThat(initiatorStopped || responderStopped).isTrue();
    assertThat(run.initiator().need()).isNotEmpty().hasSizeLessThan(items.size());
    assertThat(items).containsAll(run.initiator().need());
    assertThat(items).containsAll(run.responder().have());
  }

  @Test
  void whatIsNeededIsHandedOutRoundByRoundWhileTheSessionRuns() {
    List<Item> items = Sets.randomItems(new Random(10), 5_000, 1_000_000, 0);
    ReconcileSession initiator = ReconcileSession.initiator(new ItemIndex(), SMALL_FRAMES);
    ReconcileSession responder = ReconcileSession.responder(ItemIndex.of(items), SMALL_FRAMES);
    List<Item> handedOut = new ArrayList<>();
    int roundsWithNewItemsBeforeTheEnd = 0;
    Optional<byte[]> message = Optional.of(initiator.start());
    for (int step = 0; step < 10_000 && message.isPresent(); step++) {
      Optional<byte[]> reply = responder.receive(message.get());
      if (reply.isEmpty()) {
        break;
      }
      message = initiator.receive(reply.get());
      List<Item> fresh = initiator.needFrom(handedOut.size());
      if (!fresh.isEmpty() && !initiator.isDone()) {
        roundsWithNewItemsBeforeTheEnd++;
      }
      handedOut.addAll(fresh);
      assertThat(handedOut).hasSize(initiator.needCount());
    }

    assertThat(initiator.isDone()).isTrue();
    assertThat(roundsWithNewItemsBeforeTheEnd).isGreaterThan(1);
    assertThat(handedOut).containsExactlyElementsOf(initiator.need());
    assertThat(handedOut).containsExactlyInAnyOrderElementsOf(items);
  }

  @Test
  void itemsAddedWhileASessionRunsNeverHideTheDifferencesThatWereThere() {
    Random random = new Random(8);
    List<Item> all = Sets.randomItems(random, 30_000, 1_000_000, 0);
    List<Item> a0 = new ArrayList<>(all.subList(0, 20_000));
    List<Item> b0 = new ArrayList<>(all.subList(1_000, 21_000));
    List<Item> late = all.subList(21_000, 30_000);
    ItemIndex a = ItemIndex.of(a0);
    ItemIndex b = ItemIndex.of(b0);
    ReconcileSession initiator = ReconcileSession.initiator(a, SMALL_FRAMES);
    ReconcileSession responder = ReconcileSession.responder(b, SMALL_FRAMES);
    byte[] message = initiator.start();
    ReconcileSession next = responder;
    int fed = 0;
    for (int step = 0; step < 10_000; step++) {
      // between messages, both stores take new messages (some on one side, some on both)
      for (int k = 0; k < 40 && fed < late.size(); k++, fed++) {
        Item it = late.get(fed);
        if (fed % 3 != 0) {
          a.add(it);
        }
        if (fed % 3 != 1) {
          b.add(it);
        }
      }
      Optional<byte[]> reply = next.receive(message);
      if (reply.isEmpty()) {
        break;
      }
      message = reply.get();
      next = next == responder ? initiator : responder;
    }

    assertThat(initiator.isDone()).isTrue();
    assertThat(responder.isDone()).isTrue();
    Set<Item> aFinal = new HashSet<>(a.items());
    Set<Item> bFinal = new HashSet<>(b.items());
    assertThat(aFinal).containsAll(initiator.have());
    assertThat(bFinal).containsAll(initiator.need());
    assertThat(initiator.have()).containsAll(Sets.minus(a0, List.copyOf(bFinal)));
    assertThat(initiator.need()).containsAll(Sets.minus(b0, List.copyOf(aFinal)));
  }

  @Test
  void aPeerThatNeverConvergesIsCutOffAfterMaxRounds() {
    List<Item> items = Sets.randomItems(new Random(9), 1_000, 1_000, 0);
    ReconcileConfig few = ReconcileConfig.builder().maxRounds(5).build();
    ReconcileSession responder = ReconcileSession.responder(ItemIndex.of(items), few);
    // a fingerprint of the whole order that never matches, sent again and again
    byte[] hostile =
        ReconcileCodec.encode(
            new Message(
                List.of(new Message.Fingerprints(Bound.INFINITY, new ItemIndex().fingerprint()))));

    for (int i = 0; i < 5; i++) {
      assertThat(responder.receive(hostile)).isPresent();
    }
    assertThat(reasonOf(() -> responder.receive(hostile))).isEqualTo(Reason.TOO_MANY_ROUNDS);
    assertThat(responder.isDone()).isTrue();
  }

  @Test
  void outOfTurnCallsAreProtocolErrors() {
    ItemIndex index = new ItemIndex();
    ReconcileSession responder = ReconcileSession.responder(index, ReconcileConfig.DEFAULT);
    ReconcileSession initiator = ReconcileSession.initiator(index, ReconcileConfig.DEFAULT);

    assertThat(reasonOf(responder::start)).isEqualTo(Reason.PROTOCOL);
    assertThat(reasonOf(() -> initiator.receive(ReconcileCodec.versionMessage())))
        .isEqualTo(Reason.PROTOCOL);
    initiator.start();
    assertThat(reasonOf(initiator::start)).isEqualTo(Reason.PROTOCOL);
    assertThat(initiator.receive(ReconcileCodec.versionMessage())).isEmpty();
    assertThat(initiator.isDone()).isTrue();
    assertThat(reasonOf(() -> initiator.receive(ReconcileCodec.versionMessage())))
        .isEqualTo(Reason.PROTOCOL);
  }

  @Test
  void anAnswerToAListThatWasNeverSentIsAProtocolError() {
    List<Item> items = Sets.randomItems(new Random(10), 1_000, 1_000, 0);
    ReconcileSession initiator =
        ReconcileSession.initiator(ItemIndex.of(items), ReconcileConfig.DEFAULT);
    initiator.start(); // 16 fingerprints, no list
    byte[] forged =
        ReconcileCodec.encode(
            new Message(List.of(new Message.IdDiff(Bound.INFINITY, 0, List.of(), List.of()))));

    assertThat(reasonOf(() -> initiator.receive(forged))).isEqualTo(Reason.PROTOCOL);
    assertThat(initiator.isDone()).isTrue();
  }

  @Test
  void anotherVersionOrGarbageEndsTheSessionWithAReason() {
    ItemIndex index = ItemIndex.of(Sets.randomItems(new Random(11), 100, 100, 0));
    ReconcileSession responder = ReconcileSession.responder(index, ReconcileConfig.DEFAULT);
    assertThat(reasonOf(() -> responder.receive(new byte[] {0x62, 0x01})))
        .isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(responder.isDone()).isTrue();
    assertThat(ReconcileCodec.versionMessage()).containsExactly(0x61);

    ReconcileSession initiator = ReconcileSession.initiator(index, ReconcileConfig.DEFAULT);
    initiator.start();
    assertThat(reasonOf(() -> initiator.receive(new byte[] {0x62})))
        .isEqualTo(Reason.UNSUPPORTED_VERSION);

    ReconcileSession other = ReconcileSession.responder(index, ReconcileConfig.DEFAULT);
    assertThat(reasonOf(() -> other.receive(new byte[] {0x61, 0x05, 0x00, 0x09})))
        .isEqualTo(Reason.MALFORMED);
    assertThat(other.isDone()).isTrue();
  }

  @Test
  void messagesTravelAsBase64InTheMeshEnvelope() throws Exception {
    ObjectMapper json = new ObjectMapper();
    Random random = new Random(12);
    List<Item> all = Sets.randomItems(random, 3_000, 1_000_000, 0);
    ItemIndex a = ItemIndex.of(all.subList(0, 2_000));
    ItemIndex b = ItemIndex.of(all.subList(10, 3_000));
    ReconcileSession initiator = ReconcileSession.initiator(a, ReconcileConfig.DEFAULT);
    ReconcileSession responder = ReconcileSession.responder(b, ReconcileConfig.DEFAULT);
    String frame = envelope(json, "a", initiator.startBase64());
    ReconcileSession next = responder;
    for (int step = 0; step < 100; step++) {
      JsonNode received = json.readTree(frame);
      Optional<String> reply = next.receiveBase64(received.get("payload").get("msg").asText());
      if (reply.isEmpty()) {
        break;
      }
      frame = envelope(json, next == responder ? "b" : "a", reply.get());
      next = next == responder ? initiator : responder;
    }

    assertThat(initiator.isDone() && responder.isDone()).isTrue();
    assertThat(initiator.need()).containsExactlyInAnyOrderElementsOf(all.subList(2_000, 3_000));
    assertThat(initiator.have()).containsExactlyInAnyOrderElementsOf(all.subList(0, 10));
    assertThat(
            reasonOf(
                () -> ReconcileSession.responder(b, ReconcileConfig.DEFAULT).receiveBase64("%%%")))
        .isEqualTo(Reason.BAD_BASE64);
  }

  private static String envelope(ObjectMapper json, String from, String msg) throws Exception {
    ObjectNode e = json.createObjectNode();
    e.put("version", 1);
    e.put("type", "RECONCILE");
    e.put("from", from);
    e.put("timestamp", 1_755_000_000_000L);
    e.putObject("payload").put("msg", msg);
    return json.writeValueAsString(e);
  }

  @Test
  void statsCountMessagesAndBytesEachWay() {
    List<Item> items = Sets.randomItems(new Random(13), 500, 1_000, 0);

    Sets.Run run =
        Sets.reconcile(
            ItemIndex.of(items), ItemIndex.of(items.subList(0, 400)), ReconcileConfig.DEFAULT);

    ReconcileSession.Stats i = run.initiator().stats();
    ReconcileSession.Stats r = run.responder().stats();
    assertThat(i.bytesSent()).isEqualTo(r.bytesReceived());
    assertThat(r.bytesSent()).isEqualTo(i.bytesReceived());
    assertThat(i.messagesSent() + r.messagesSent()).isEqualTo(run.messages());
    assertThat(i.bytesSent() + r.bytesSent()).isEqualTo(run.bytes());
  }
}

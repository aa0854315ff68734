package dev.grapevine.mesh.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.grapevine.mesh.reconcile.Message.Fingerprints;
import dev.grapevine.mesh.reconcile.Message.IdDiff;
import dev.grapevine.mesh.reconcile.Message.IdList;
import dev.grapevine.mesh.reconcile.Message.Skip;
import dev.grapevine.mesh.reconcile.ReconcileException.Reason;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReconcileCodecTest {
  private static final int MAX = ReconcileConfig.DEFAULT.maxMessageBytes();

  private static ItemId id(int first) {
    byte[] b = new byte[32];
    b[0] = (byte) first;
    b[31] = 7;
    return ItemId.of(b);
  }

  private static Message sample() {
    Bound b1 = Bound.of(1_000, id(0x10).word(0), 0, 0, 0, 1);
    Bound b2 = new Bound(5_000, 0, 0, 0, 0, 0);
    Bound b3 = Bound.of(5_000, id(0x20).word(0), id(0x20).word(1), 0, 0, 9);
    Bound b4 = new Bound(90_000, 0, 0, 0, 0, 0);
    List<Item> list = List.of(new Item(5_000, id(0x30)), new Item(7_000, id(0x01)));
    return new Message(
        List.of(
            new Skip(b1),
            new Fingerprints(b2, new ItemIndex().fingerprint()),
            new IdList(b3, List.of(new Item(5_000, id(0x11)))),
            new IdList(b4, list),
            new IdDiff(Bound.INFINITY, 10, List.of(0, 9), List.of(new Item(95_000, id(0x44))))));
  }

  private static ReconcileException.Reason reasonOf(byte[] bytes) {
    return catchThrowableOfType(() -> ReconcileCodec.decode(bytes, MAX), ReconcileException.class)
        .reason();
  }

  /** The version byte followed by {@code body}. */
  private static byte[] msg(int... body) {
    byte[] out = new byte[body.length + 1];
    out[0] = (byte) ReconcileCodec.VERSION;
    for (int i = 0; i < body.length; i++) {
      out[i + 1] = (byte) body[i];
    }
    return out;
  }

  @Test
  void everyModeRoundTripsAndTheSizeIsComputedExactly() {
    Message m = sample();
    byte[] bytes = ReconcileCodec.encode(m);

    assertThat(ReconcileCodec.decode(bytes, MAX)).isEqualTo(m);
    assertThat(bytes[0]).isEqualTo((byte) 0x61);
  }

  @Test
  void theEndMessageIsTheVersionByteAlone() {
    assertThat(ReconcileCodec.encode(new Message(List.of()))).containsExactly(0x61);
    assertThat(ReconcileCodec.decode(msg(), MAX).isEnd()).isTrue();
  }

  @Test
  void boundsAreDeltaEncodedTimestampsWithShortPrefixes() {
    // bound ts 1000 (varint 1001 = 0x87 0x69), prefix length 1 (0x10), mode 0
    byte[] bytes =
        ReconcileCodec.encode(
            new Message(List.of(new Skip(Bound.of(1_000, id(0x10).word(0), 0, 0, 0, 1)))));

    assertThat(bytes).containsExactly(0x61, 0x87, 0x69, 0x01, 0x10, 0x00);
  }

  @Test
  void everyTruncationIsRejectedAsTruncatedOrReadsAsAShorterMessage() {
    byte[] bytes = ReconcileCodec.encode(sample());
    for (int n = 1; n < bytes.length; n++) {
      byte[] cut = Arrays.copyOf(bytes, n);
      try {
        Message m = ReconcileCodec.decode(cut, MAX);
        assertThat(m.ranges()).isEqualTo(sample().ranges().subList(0, m.ranges().size()));
      } catch (ReconcileException e) {
        assertThat(e.reason()).as("cut at %d", n).isEqualTo(Reason.TRUNCATED);
      }
    }
  }

  @Test
  void anEmptyInputAndAnotherVersionAreRejected() {
    assertThat(reasonOf(new byte[0])).isEqualTo(Reason.TRUNCATED);
    assertThat(reasonOf(new byte[] {0x62, 0x00})).isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(reasonOf(new byte[] {0x62})).isEqualTo(Reason.UNSUPPORTED_VERSION);
  }

  @Test
  void aMessageOverTheLimitIsRejectedBeforeReading() {
    byte[] big = new byte[MAX + 1];
    big[0] = 0x61;

    assertThat(reasonOf(big)).isEqualTo(Reason.TOO_LARGE);
  }

  @Test
  void varintsLongerThanNineBytesOrWithLeadingZeroGroupsAreMalformed() {
    assertThat(reasonOf(msg(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)))
        .isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(msg(0x80, 0x05, 0x00, 0x00))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void unknownModesLongPrefixesAndPrefixesOnInfinityAreMalformed() {
    assertThat(reasonOf(msg(0x05, 0x00, 0x04))).isEqualTo(Reason.MALFORMED); // mode 4
    assertThat(reasonOf(msg(0x05, 33))).isEqualTo(Reason.MALFORMED); // 33-byte prefix
    assertThat(reasonOf(msg(0x00, 0x01, 0xaa, 0x00))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void boundsThatDoNotIncreaseOrFollowInfinityAreMalformed() {
    // ts 4 then the same position again (delta 0 -> varint 1)
    assertThat(reasonOf(msg(0x05, 0x00, 0x00, 0x01, 0x00, 0x00))).isEqualTo(Reason.MALFORMED);
    // a first bound at the very bottom (ts 0, no prefix)
    assertThat(reasonOf(msg(0x01, 0x00, 0x00))).isEqualTo(Reason.MALFORMED);
    // infinity, then another range
    assertThat(reasonOf(msg(0x00, 0x00, 0x00, 0x05, 0x00, 0x00))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aTimestampBeyondTheLargestIsMalformed() {
    // a bound at 1000, then one 2^63 - 2 later: past the largest timestamp
    byte[] m =
        msg(
            0x87, 0x69, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, 0x00,
            0x00);

    assertThat(reasonOf(m)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void aCountLargerThanTheRestIsTruncatedWithoutAllocatingIt() {
    // IdList claiming 2^62 items in a 10-byte message
    byte[] m = msg(0x05, 0x00, 0x02, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00);

    assertThat(reasonOf(m)).isEqualTo(Reason.TRUNCATED);
  }

  @Test
  void listItemsOutOfOrderOrOutsideTheirRangeAreMalformed() {
    Bound upper = new Bound(100, 0, 0, 0, 0, 0);
    byte[] twoSame =
        ReconcileCodec.encode(new Message(List.of(new IdList(upper, List.of(new Item(5, id(1)))))));
    // duplicate the item by hand: count 2, then the same bytes again (delta 0)
    ByteArrayOutputStream dup = new ByteArrayOutputStream();
    dup.write(twoSame, 0, 4); // version, bound (ts varint 101, prefix 0), mode 2
    dup.write(2);
    dup.write(twoSame, 5, 33);
    dup.write(0);
    dup.write(twoSame, 6, 32);
    assertThat(reasonOf(dup.toByteArray())).isEqualTo(Reason.MALFORMED);

    byte[] above =
        ReconcileCodec.encode(new Message(List.of(new IdList(upper, List.of(new Item(5, id(1)))))));
    above[5] = 120; // item timestamp 120, above the bound at 100
    assertThat(reasonOf(above)).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void bitmapPaddingBitsMustBeZeroAndListSizesAreBounded() {
    byte[] m =
        ReconcileCodec.encode(
            new Message(List.of(new IdDiff(Bound.INFINITY, 3, List.of(1), List.of()))));
    // layout: version, 0x00 0x00 (infinity), 0x03 (mode), 0x03 (k), bitmap, 0x00 (count)
    assertThat(m[5]).isEqualTo((byte) 0b010);
    m[5] = (byte) 0b1010; // bit 3 of a 3-item list
    assertThat(reasonOf(m)).isEqualTo(Reason.MALFORMED);

    assertThat(reasonOf(msg(0x00, 0x00, 0x03, 0x8f, 0xff, 0x7f))).isEqualTo(Reason.MALFORMED);
  }

  @Test
  void base64RoundTripsAndRejectsJunkNonCanonicalAndOversizedText() {
    byte[] bytes = ReconcileCodec.encode(sample());
    String text = ReconcileCodec.toBase64(bytes);

    assertThat(ReconcileCodec.fromBase64(text, MAX)).isEqualTo(bytes);
    assertThatThrownBy(() -> ReconcileCodec.fromBase64("not base64!", MAX))
        .isInstanceOf(ReconcileException.class)
        .extracting(e -> ((ReconcileException) e).reason())
        .isEqualTo(Reason.BAD_BASE64);
    assertThatThrownBy(() -> ReconcileCodec.fromBase64("YR==", MAX)) // non-zero trailing bits
        .extracting(e -> ((ReconcileException) e).reason())
        .isEqualTo(Reason.BAD_BASE64);
    assertThatThrownBy(() -> ReconcileCodec.fromBase64("YQ", MAX)) // missing padding
        .extracting(e -> ((ReconcileException) e).reason())
        .isEqualTo(Reason.BAD_BASE64);
    String huge = Base64.getEncoder().encodeToString(new byte[4097]);
    assertThatThrownBy(() -> ReconcileCodec.fromBase64(huge, 4096))
        .extracting(e -> ((ReconcileException) e).reason())
        .isEqualTo(Reason.TOO_LARGE);
  }
}

package dev.grapevine.mesh.reconcile;

import dev.grapevine.mesh.reconcile.Message.Fingerprints;
import dev.grapevine.mesh.reconcile.Message.IdDiff;
import dev.grapevine.mesh.reconcile.Message.IdList;
import dev.grapevine.mesh.reconcile.Message.Range;
import dev.grapevine.mesh.reconcile.Message.Skip;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The binary form of reconciliation messages, and the base64 text that carries them in a JSON
 * envelope.
 *
 * <p>A message is the version byte {@link #VERSION} followed by ranges. Each range runs from the
 * previous range's bound (the first from the bottom of the order) to its own bound, and is written
 * as that bound, a varint mode and the mode's payload:
 *
 * <ul>
 *   <li>bound: varint timestamp (0 for infinity, else 1 + the difference to the previous bound's
 *       timestamp in this message, starting from 0), varint prefix length (0 to 32), then that many
 *       leading bytes of an id;
 *   <li>mode 0, Skip: no payload;
 *   <li>mode 1, Fingerprint: 16 bytes;
 *   <li>mode 2, IdList: varint count, then each item in order as a varint timestamp difference (to
 *       the previous item, the first to the range's lower bound) and its 32-byte id;
 *   <li>mode 3, IdDiff: varint list size k, ceil(k/8) bitmap bytes (bit i, least significant first,
 *       set when the sender lacks item i of the list answered; padding bits zero), then items as in
 *       an IdList.
 * </ul>
 *
 * Varints are base 128, most significant group first, with the high bit set on all but the last
 * byte, at most 9 bytes and without leading zero groups.
 *
 * <p>Decoding checks every length against what remains before allocating, so hostile input costs at
 * most a small multiple of its own size and one pass. Stateless and thread-safe.
 */
public final class ReconcileCodec {
  /** The protocol version byte this implementation speaks. */
  public static final int VERSION = 0x61;

  /** Bytes of a Fingerprint range bounded by infinity: what a message reserves for its rest. */
  static final int REST_BYTES = 2 + 1 + Fingerprint.BYTES;

  /** The most bytes a bound takes: a 9-byte timestamp, the length and a whole id. */
  static final int MAX_BOUND_BYTES = Varint.MAX_BYTES + 1 + ItemId.BYTES;

  /** The fewest bytes an item of a list takes. */
  private static final int MIN_ITEM_BYTES = 1 + ItemId.BYTES;

  private ReconcileCodec() {}

  /** The message a responder answers an unsupported version with: the one version byte. */
  public static byte[] versionMessage() {
    return new byte[] {(byte) VERSION};
  }

  /** Standard padded base64 of a message, for the envelope's payload. */
  public static String toBase64(byte[] message) {
    return Base64.getEncoder().encodeToString(message);
  }

  /**
   * Decodes the base64 text of a message, checking its length before decoding.
   *
   * @throws ReconcileException {@code TOO_LARGE} if it would decode to more than {@code
   *     maxMessageBytes}, {@code BAD_BASE64} if it is not canonical padded base64
   */
  public static byte[] fromBase64(String text, int maxMessageBytes) {
    if (text.length() > (maxMessageBytes + 2L) / 3 * 4) {
      throw new ReconcileException(
          ReconcileException.Reason.TOO_LARGE,
          "Expected at most "
              + maxMessageBytes
              + " bytes but the base64 text has "
              + text.length()
              + " chars");
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new ReconcileException(
          ReconcileException.Reason.BAD_BASE64, "Expected standard base64: " + e.getMessage());
    }
    if (!toBase64(bytes).equals(text)) {
      throw new ReconcileException(
          ReconcileException.Reason.BAD_BASE64, "Expected canonical padded base64");
    }
    if (bytes.length > maxMessageBytes) {
      throw new ReconcileException(
          ReconcileException.Reason.TOO_LARGE,
          "Expected at most " + maxMessageBytes + " bytes but was " + bytes.length);
    }
    return bytes;
  }

  // ---- sizes ----

  /** Encoded size of {@code bound} after a bound with timestamp {@code base}. */
  static int boundSize(Bound bound, long base) {
    int ts = bound.isInfinite() ? 1 : Varint.size(1 + bound.timestamp() - base);
    return ts + Varint.size(bound.prefixLength()) + bound.prefixLength();
  }

  /** Encoded size of {@code range} when the previous bound's timestamp is {@code base}. */
  static int rangeSize(Range range, long base) {
    int size = boundSize(range.upper(), base) + 1;
    if (range instanceof Fingerprints) {
      return size + Fingerprint.BYTES;
    }
    if (range instanceof IdList l) {
      return size + itemsSize(l.items(), base);
    }
    if (range instanceof IdDiff d) {
      return size + Varint.size(d.listSize()) + (d.listSize() + 7) / 8 + itemsSize(d.extra(), base);
    }
    return size;
  }

  /** Encoded size of a count and {@code items}, whose timestamps count from {@code base}. */
  static int itemsSize(List<Item> items, long base) {
    int size = Varint.size(items.size());
    long previous = base;
    for (Item item : items) {
      size += itemSize(item, previous);
      previous = item.timestamp();
    }
    return size;
  }

  /** Encoded size of one item of a list after a timestamp {@code previous}. */
  static int itemSize(Item item, long previous) {
    return Varint.size(item.timestamp() - previous) + ItemId.BYTES;
  }

  /** The timestamp a range leaves for the next bound's difference. */
  static long nextBase(Range range, long base) {
    return range.upper().isInfinite() ? base : range.upper().timestamp();
  }

  // ---- encode ----

  /** The binary form of {@code message}. */
  static byte[] encode(Message message) {
    int size = 1;
    long base = 0;
    for (Range r : message.ranges()) {
      size += rangeSize(r, base);
      base = nextBase(r, base);
    }
    byte[] out = new byte[size];
    out[0] = (byte) VERSION;
    int at = 1;
    base = 0;
    for (Range r : message.ranges()) {
      at = writeBound(r.upper(), base, out, at);
      at = Varint.write(r.mode(), out, at);
      if (r instanceof Fingerprints f) {
        f.fingerprint().write(out, at);
        at += Fingerprint.BYTES;
      } else if (r instanceof IdList l) {
        at = writeItems(l.items(), base, out, at);
      } else if (r instanceof IdDiff d) {
        at = Varint.write(d.listSize(), out, at);
        for (int position : d.lacking()) {
          out[at + position / 8] |= (byte) (1 << (position % 8));
        }
        at += (d.listSize() + 7) / 8;
        at = writeItems(d.extra(), base, out, at);
      }
      base = nextBase(r, base);
    }
    if (at != size) {
      throw new IllegalStateException("Encoded " + at + " bytes but computed " + size);
    }
    return out;
  }

  private static int writeBound(Bound bound, long base, byte[] out, int at) {
    at = Varint.write(bound.isInfinite() ? 0 : 1 + bound.timestamp() - base, out, at);
    at = Varint.write(bound.prefixLength(), out, at);
    byte[] prefix = bound.prefix();
    System.arraycopy(prefix, 0, out, at, prefix.length);
    return at + prefix.length;
  }

  private static int writeItems(List<Item> items, long base, byte[] out, int at) {
    at = Varint.write(items.size(), out, at);
    long previous = base;
    for (Item item : items) {
      at = Varint.write(item.timestamp() - previous, out, at);
      previous = item.timestamp();
      ItemId id = item.id();
      for (int w = 0; w < 4; w++) {
        long word = id.word(w);
        for (int b = 0; b < 8; b++) {
          out[at++] = (byte) (word >>> (56 - 8 * b));
        }
      }
    }
    return at;
  }

  // ---- decode ----

  /**
   * Reads a binary message.
   *
   * @throws ReconcileException {@code TOO_LARGE}, {@code TRUNCATED}, {@code MALFORMED} or {@code
   *     UNSUPPORTED_VERSION}
   */
  static Message decode(byte[] in, int maxMessageBytes) {
    if (in.length > maxMessageBytes) {
      throw new ReconcileException(
          ReconcileException.Reason.TOO_LARGE,
          "Expected at most " + maxMessageBytes + " bytes but was " + in.length);
    }
    if (in.length == 0) {
      throw new ReconcileException(
          ReconcileException.Reason.TRUNCATED, "Expected a version byte but the message is empty");
    }
    if ((in[0] & 0xff) != VERSION) {
      throw new ReconcileException(
          ReconcileException.Reason.UNSUPPORTED_VERSION,
          String.format("Expected protocol version 0x%02x but was 0x%02x", VERSION, in[0] & 0xff));
    }
    Reader r = new Reader(in);
    List<Range> ranges = new ArrayList<>();
    Bound lower = Bound.MIN;
    long base = 0;
    while (r.remaining() > 0) {
      if (lower.isInfinite()) {
        throw malformed("no range after the infinite bound", r.at);
      }
      Bound upper = readBound(r, base);
      if (upper.compareTo(lower) <= 0) {
        throw malformed("bounds in increasing order", r.at);
      }
      long mode = r.varint();
      Range range;
      if (mode == Skip.MODE) {
        range = new Skip(upper);
      } else if (mode == Fingerprints.MODE) {
        range = new Fingerprints(upper, r.fingerprint());
      } else if (mode == IdList.MODE) {
        range = new IdList(upper, r.items(lower, upper, base));
      } else if (mode == IdDiff.MODE) {
        range = readIdDiff(r, lower, upper, base, maxMessageBytes);
      } else {
        throw malformed("mode 0 to 3 but was " + mode, r.at);
      }
      ranges.add(range);
      lower = upper;
      base = nextBase(range, base);
    }
    return new Message(ranges);
  }

  private static IdDiff readIdDiff(
      Reader r, Bound lower, Bound upper, long base, int maxMessageBytes) {
    long listSize = r.varint();
    if (listSize > maxMessageBytes / MIN_ITEM_BYTES) {
      throw malformed("a list size of at most " + maxMessageBytes / MIN_ITEM_BYTES, r.at);
    }
    int k = (int) listSize;
    int bitmapBytes = (k + 7) / 8;
    r.require(bitmapBytes);
    List<Integer> lacking = new ArrayList<>();
    for (int i = 0; i < bitmapBytes; i++) {
      int b = r.in[r.at + i] & 0xff;
      for (int bit = 0; bit < 8; bit++) {
        if ((b & (1 << bit)) != 0) {
          int position = 8 * i + bit;
          if (position >= k) {
            throw malformed("zero padding bits in the bitmap", r.at + i);
          }
          lacking.add(position);
        }
      }
    }
    r.at += bitmapBytes;
    return new IdDiff(upper, k, lacking, r.items(lower, upper, base));
  }

  private static Bound readBound(Reader r, long base) {
    long encoded = r.varint();
    long prefixLength = r.varint();
    if (prefixLength > ItemId.BYTES) {
      throw malformed("an id prefix of at most 32 bytes but was " + prefixLength, r.at);
    }
    int length = (int) prefixLength;
    if (encoded == 0) {
      if (length != 0) {
        throw malformed("no id prefix on the infinite bound", r.at);
      }
      return Bound.INFINITY;
    }
    if (encoded - 1 > Item.MAX_TIMESTAMP - base) {
      throw malformed("a timestamp of at most " + Item.MAX_TIMESTAMP, r.at);
    }
    long ts = base + (encoded - 1);
    r.require(length);
    long[] words = new long[4];
    for (int i = 0; i < length; i++) {
      words[i / 8] |= (long) (r.in[r.at + i] & 0xff) << (56 - 8 * (i % 8));
    }
    r.at += length;
    return new Bound(ts, words[0], words[1], words[2], words[3], length);
  }

  /** Whether {@code item} lies at or above {@code bound}. */
  static boolean atOrAbove(Item item, Bound bound) {
    int c = Long.compare(item.timestamp(), bound.timestamp());
    if (c != 0) {
      return c > 0;
    }
    ItemId id = item.id();
    for (int w = 0; w < 4; w++) {
      c = Long.compareUnsigned(id.word(w), bound.word(w));
      if (c != 0) {
        return c > 0;
      }
    }
    return true;
  }

  private static ReconcileException malformed(String expected, int at) {
    return new ReconcileException(
        ReconcileException.Reason.MALFORMED, "Expected " + expected + " (at byte " + at + ")");
  }

  /** A position in the input with bounds-checked reads. */
  private static final class Reader {
    final byte[] in;
    int at = 1;

    Reader(byte[] in) {
      this.in = in;
    }

    int remaining() {
      return in.length - at;
    }

    void require(long n) {
      if (n > remaining()) {
        throw new ReconcileException(
            ReconcileException.Reason.TRUNCATED,
            "Expected " + n + " more bytes at byte " + at + " but " + remaining() + " remain");
      }
    }

    long varint() {
      long value = 0;
      for (int i = 0; i < Varint.MAX_BYTES; i++) {
        require(1);
        int b = in[at++] & 0xff;
        if (i == 0 && b == 0x80) {
          throw malformed("a varint without leading zero groups", at - 1);
        }
        value = (value << 7) | (b & 0x7f);
        if ((b & 0x80) == 0) {
          return value;
        }
      }
      throw malformed("a varint of at most " + Varint.MAX_BYTES + " bytes", at);
    }

    Fingerprint fingerprint() {
      require(Fingerprint.BYTES);
      Fingerprint f = Fingerprint.read(in, at);
      at += Fingerprint.BYTES;
      return f;
    }

    /** A counted list of items in increasing order within [lower, upper). */
    List<Item> items(Bound lower, Bound upper, long base) {
      long n = varint();
      if (n > remaining() / MIN_ITEM_BYTES) {
        throw new ReconcileException(
            ReconcileException.Reason.TRUNCATED,
            "Expected " + n + " items at byte " + at + " but " + remaining() + " bytes remain");
      }
      List<Item> items = new ArrayList<>((int) n);
      long previous = base;
      Item last = null;
      for (long i = 0; i < n; i++) {
        long delta = varint();
        if (delta > Item.MAX_TIMESTAMP - previous) {
          throw malformed("an item timestamp of at most " + Item.MAX_TIMESTAMP, at);
        }
        require(ItemId.BYTES);
        long[] w = new long[4];
        for (int b = 0; b < ItemId.BYTES; b++) {
          w[b / 8] = (w[b / 8] << 8) | (in[at + b] & 0xff);
        }
        at += ItemId.BYTES;
        Item item = new Item(previous + delta, new ItemId(w[0], w[1], w[2], w[3]));
        if (last != null ? item.compareTo(last) <= 0 : !atOrAbove(item, lower)) {
          throw malformed("items in increasing order within their range", at - ItemId.BYTES);
        }
        if (atOrAbove(item, upper)) {
          throw malformed("items below their range's bound", at - ItemId.BYTES);
        }
        items.add(item);
        previous = item.timestamp();
        last = item;
      }
      return items;
    }
  }
}

package dev.grapevine.conn.hub;

import dev.grapevine.anproto.PublicKey;
import dev.grapevine.conn.ConnAddress;
import dev.grapevine.transport.CloseReason;
import dev.grapevine.transport.Direction;
import dev.grapevine.transport.PeerLink;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Something that happened to a hub entry.
 *
 * @param type what happened
 * @param address the entry's address
 * @param key the peer's key
 * @param direction who dialled ({@link Direction#OUTBOUND} for connecting events)
 * @param inferredType {@code lan} or {@code internet}
 * @param link the link, for {@code CONNECTED}, {@code DISCONNECTING} and {@code DISCONNECTED} of an
 *     entry that had one
 * @param closeReason why the link closed, for {@code DISCONNECTED} of an entry that had a link
 * @param detail a human-readable detail (may be empty)
 * @param error the failure, for {@code CONNECTING_FAILED} and {@code DISCONNECTING_FAILED}
 */
public record HubEvent(
    Type type,
    ConnAddress address,
    PublicKey key,
    Direction direction,
    String inferredType,
    Optional<PeerLink> link,
    Optional<CloseReason> closeReason,
    String detail,
    Optional<Throwable> error) {
  /** Checks for nulls. */
  public HubEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(inferredType, "inferredType");
    Objects.requireNonNull(link, "link");
    Objects.requireNonNull(closeReason, "closeReason");
    Objects.requireNonNull(detail, "detail");
    Objects.requireNonNull(error, "error");
  }

  /** True when we dialled the peer (ssb-conn's {@code details.isClient}). */
  public boolean isClient() {
    return direction == Direction.OUTBOUND;
  }

  /** Event types, in ssb-conn's vocabulary ({@link #wireName()}). */
  public enum Type {
    /** {@code connect} started dialling. */
    CONNECTING,
    /** The dial failed; the entry is gone. Terminal for the entry. */
    CONNECTING_FAILED,
    /** A link is open (dialled or accepted). */
    CONNECTED,
    /** {@code disconnect} started. */
    DISCONNECTING,
    /** Closing the link threw; the entry is back in its previous state. */
    DISCONNECTING_FAILED,
    /** The entry is gone. Terminal for the entry; emitted exactly once per entry. */
    DISCONNECTED;

    /** The ssb-conn name, for example {@code connecting-failed}. */
    public String wireName() {
      return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
  }
}

package dev.grapevine.conn.staging;

import dev.grapevine.conn.ConnAddress;
import java.util.Objects;

/**
 * A peer was staged or unstaged. Updates of a staged peer are not events; they show in {@link
 * ConnStaging#liveEntries}.
 *
 * @param type what happened
 * @param address the peer
 */
public record StagingEvent(Type type, ConnAddress address) {
  /** Checks for nulls. */
  public StagingEvent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(address, "address");
  }

  /** Event types. */
  public enum Type {
    /** A new peer was staged. */
    STAGED,
    /** A staged peer was removed. */
    UNSTAGED
  }
}

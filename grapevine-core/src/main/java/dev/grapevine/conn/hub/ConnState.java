package dev.grapevine.conn.hub;

import java.util.Locale;

/**
 * The state of a hub entry. A peer that is not connected has no entry (there is no disconnected
 * state), as in ssb-conn-hub.
 */
public enum ConnState {
  /** We are dialling the peer; no link yet. */
  CONNECTING,
  /** A link is open. */
  CONNECTED,
  /** We asked the link to close and wait for it to report the close. */
  DISCONNECTING;

  /** The ssb-conn name: {@code connecting}, {@code connected} or {@code disconnecting}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

package dev.grapevine.events;

import java.util.Locale;

/** How urgent an alert is. */
public enum AlertLevel {
  /** Worth knowing; nothing is wrong yet. */
  INFO,
  /** Something is wrong or about to be. */
  WARNING,
  /** The node is failing at something now. */
  CRITICAL;

  /** The name on the wire, lower case. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

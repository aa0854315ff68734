package dev.grapevine.conn.query;

import java.util.Locale;

/** Which pool a {@link Peer}'s data came from. */
public enum Pool {
  /** The persistent peer database. */
  DB,
  /** The hub of live connections (a peer in neither the database nor staging). */
  HUB,
  /** Staging. */
  STAGING;

  /** The ssb-conn name: {@code db}, {@code hub} or {@code staging}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}

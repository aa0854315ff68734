package dev.grapevine.transport;

/** Who dialled: {@link #INBOUND} links were accepted by this node's server. */
public enum Direction {
  /** The peer connected to us. */
  INBOUND,
  /** We connected to the peer. */
  OUTBOUND
}

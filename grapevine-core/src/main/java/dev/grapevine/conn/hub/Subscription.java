package dev.grapevine.conn.hub;

/** A registration that ends when closed. {@link #close()} is idempotent and never throws. */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
  /** Stops further calls (a call already under way may still finish). */
  @Override
  void close();
}

package dev.grapevine.store;

/**
 * A store operation that could not be carried out. {@link #reason()} classifies the failure so
 * callers can react (for example stop reading from a peer on {@link Reason#BUSY}); the message says
 * what was expected and what was found.
 */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why an operation failed. */
  public enum Reason {
    /** A blob is larger than {@link StoreConfig#maxBlobBytes()}. Nothing was stored. */
    TOO_LARGE,
    /**
     * The writer queue is full. Nothing was stored; retry later. Asynchronous writes fail with this
     * at once, synchronous writes after waiting {@link StoreConfig#waitTimeout()}.
     */
    BUSY,
    /** The store is closed (or closing) and accepts no more operations. */
    CLOSED,
    /** The calling thread was interrupted while waiting; its interrupt flag is set again. */
    INTERRUPTED,
    /** Another store instance, in this or another process, has the database open. */
    LOCKED,
    /** The database failed (disk full, I/O error, corrupt file, incompatible schema). */
    IO
  }

  private final Reason reason;

  /** Creates an exception with a reason and a message. */
  public StoreException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  /** Creates an exception with a reason, a message and the underlying cause. */
  public StoreException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  /** The classified cause of the failure. */
  public Reason reason() {
    return reason;
  }
}

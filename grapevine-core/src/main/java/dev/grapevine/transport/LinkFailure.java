package dev.grapevine.transport;

/**
 * A peer's misbehaviour found by this package's own handlers (for example a binary frame), raised
 * through the pipeline so that {@link Failures} classifies it like the codec's exceptions.
 */
final class LinkFailure extends RuntimeException {
  private final CloseReason reason;

  LinkFailure(CloseReason reason, String detail) {
    super(detail, null, false, false);
    this.reason = reason;
  }

  CloseReason reason() {
    return reason;
  }
}

package dev.grapevine.anproto;

/**
 * A signed message whose signature has been verified. Instances exist only through {@link
 * SignedMessage#verify()} or {@link AnProto#sign}, so a method that takes one (for example the
 * store's {@code add}) never sees an unverified message.
 *
 * <p>Immutable and thread-safe.
 */
public final class VerifiedMessage {
  private final SignedMessage signed;
  private final Opened opened;
  private final Hash hash;

  VerifiedMessage(SignedMessage signed, Opened opened) {
    this.signed = signed;
    this.opened = opened;
    this.hash = signed.msgHash();
  }

  /** The message as received. */
  public SignedMessage signed() {
    return signed;
  }

  /** The verified timestamp and content hash. */
  public Opened opened() {
    return opened;
  }

  /** The message id (hash of the signed text). */
  public Hash hash() {
    return hash;
  }

  /** The author. */
  public PublicKey author() {
    return signed.author();
  }

  /** The signed timestamp in epoch milliseconds. */
  public long timestampMillis() {
    return opened.timestampMillis();
  }

  /** The hash of the content blob this message signs. */
  public Hash contentHash() {
    return opened.contentHash();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof VerifiedMessage && signed.equals(((VerifiedMessage) o).signed);
  }

  @Override
  public int hashCode() {
    return signed.hashCode();
  }

  @Override
  public String toString() {
    return signed.value();
  }
}

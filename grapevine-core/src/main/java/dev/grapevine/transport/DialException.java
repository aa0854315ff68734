package dev.grapevine.transport;

import java.io.IOException;
import java.net.URI;

/**
 * A {@link Dialer#dial} attempt that did not open a link: the connection was refused or timed out,
 * TLS failed, or the server refused the WebSocket upgrade. The cause holds the underlying error. No
 * {@link LinkHandler} call is made for a failed attempt.
 */
public final class DialException extends IOException {
  private static final long serialVersionUID = 1L;

  private final URI uri;

  /** A failure to open {@code uri}, described by {@code message}. */
  public DialException(URI uri, String message, Throwable cause) {
    super("Cannot open " + uri + ": " + message, cause);
    this.uri = uri;
  }

  /** The URI that was dialled. */
  public URI uri() {
    return uri;
  }
}

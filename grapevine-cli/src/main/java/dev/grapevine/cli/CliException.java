package dev.grapevine.cli;

/**
 * A command failed in a way the user can act on. {@link Main} prints its message as one line on
 * stderr, prefixed with the command's name, and exits with status 1.
 */
final class CliException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CliException(String message) {
    super(message);
  }

  CliException(String message, Throwable cause) {
    super(message, cause);
  }
}

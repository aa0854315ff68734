package dev.grapevine.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Logging settings of the client commands, whose output is for people, not operators. */
final class Logging {
  private Logging() {}

  /**
   * Lowers the log level to WARN, so a client command prints its result and not the node's start-up
   * and connection notes, unless {@code GRAPEVINE_LOG_LEVEL} asks for a level.
   */
  static void quiet() {
    String configured = System.getenv("GRAPEVINE_LOG_LEVEL");
    if (configured != null && !configured.isBlank()) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext) {
      ((LoggerContext) factory).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}

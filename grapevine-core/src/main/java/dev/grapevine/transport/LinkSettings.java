package dev.grapevine.transport;

import static dev.grapevine.internal.Checks.requirePositive;

import java.time.Duration;
import java.util.Objects;

/**
 * The limits and timers of one WebSocket link. A surface whose clients need other limits than the
 * transport's (the event API's 1 MiB messages and 54 s pings, for example) returns its own from
 * {@link LinkHandler#admit}; every other link runs with {@link #of(TransportConfig)}. Immutable.
 *
 * @param maxFrameBytes largest message after reassembly, in bytes; larger ones close the link with
 *     {@link CloseReason#MESSAGE_TOO_BIG}
 * @param pingInterval how long the peer may be silent before we ping it
 * @param idleTimeout how long the link may receive nothing at all (any frame counts, pongs
 *     included) before it closes with {@link CloseReason#IDLE_TIMEOUT}
 * @param maxOutboundBytes bytes queued by {@link PeerLink#send} above which the link is not {@link
 *     PeerLink#isWritable() writable}; twice this closes it as a slow consumer
 * @param slowConsumerTimeout how long the link may stay above {@code maxOutboundBytes} before it is
 *     closed with {@link CloseReason#SLOW_CONSUMER} (the write timeout)
 */
public record LinkSettings(
    int maxFrameBytes,
    Duration pingInterval,
    Duration idleTimeout,
    int maxOutboundBytes,
    Duration slowConsumerTimeout) {

  /** Validates the settings. */
  public LinkSettings {
    requirePositive("maxFrameBytes", maxFrameBytes);
    requirePositive("maxOutboundBytes", maxOutboundBytes);
    if (maxOutboundBytes > TransportConfig.MAX_OUTBOUND_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "Expected maxOutboundBytes <= "
              + TransportConfig.MAX_OUTBOUND_BYTES_LIMIT
              + " but was "
              + maxOutboundBytes);
    }
    Objects.requireNonNull(pingInterval, "pingInterval");
    Objects.requireNonNull(idleTimeout, "idleTimeout");
    Objects.requireNonNull(slowConsumerTimeout, "slowConsumerTimeout");
    requirePositive("pingInterval", pingInterval);
    requirePositive("idleTimeout", idleTimeout);
    requirePositive("slowConsumerTimeout", slowConsumerTimeout);
    if (pingInterval.compareTo(idleTimeout) >= 0) {
      throw new IllegalArgumentException(
          "Expected pingInterval < idleTimeout but was "
              + pingInterval
              + " >= "
              + idleTimeout
              + " (a healthy peer would time out before it is pinged)");
    }
  }

  /** The transport's own settings, which links get unless their surface says otherwise. */
  public static LinkSettings of(TransportConfig config) {
    return new LinkSettings(
        config.maxFrameBytes(),
        config.pingInterval(),
        config.idleTimeout(),
        config.maxOutboundBytes(),
        config.slowConsumerTimeout());
  }
}

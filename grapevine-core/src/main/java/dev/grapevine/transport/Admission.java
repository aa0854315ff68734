package dev.grapevine.transport;

import java.util.Objects;
import java.util.Optional;

/**
 * A surface's answer to a WebSocket upgrade request, given by {@link LinkHandler#admit} before the
 * handshake: accept it (with the handler, and optionally the limits, of this one link) or refuse it
 * with an HTTP response, for example 403 for a browser origin that is not allowed.
 */
public sealed interface Admission permits Admission.Accept, Admission.Refuse {

  /** Accepts the upgrade; {@code handler} gets the link, which runs with the transport's limits. */
  static Admission accept(LinkHandler handler) {
    return new Accept(handler, Optional.empty());
  }

  /** Accepts the upgrade; {@code handler} gets the link, which runs with {@code settings}. */
  static Admission accept(LinkHandler handler, LinkSettings settings) {
    return new Accept(handler, Optional.of(settings));
  }

  /**
   * Refuses the upgrade: {@code response} is sent instead of the handshake and the connection
   * closes.
   */
  static Admission refuse(HttpResponse response) {
    return new Refuse(response);
  }

  /**
   * Refuses the upgrade with a JSON body, for example {@code 403 {"error":"origin_not_allowed"}}.
   */
  static Admission refuse(int status, String json) {
    return new Refuse(HttpResponse.json(status, json));
  }

  /**
   * The upgrade goes ahead.
   *
   * @param handler receives this link's onOpen, frames and onClose (it may be a per-link object)
   * @param settings this link's limits; empty means the transport's
   */
  record Accept(LinkHandler handler, Optional<LinkSettings> settings) implements Admission {
    /** Checks the fields. */
    public Accept {
      Objects.requireNonNull(handler, "handler");
      Objects.requireNonNull(settings, "settings");
    }
  }

  /**
   * The upgrade is refused.
   *
   * @param response what the client gets instead of {@code 101 Switching Protocols}
   */
  record Refuse(HttpResponse response) implements Admission {
    /** Checks the fields. */
    public Refuse {
      Objects.requireNonNull(response, "response");
      if (response.status() < 400 || response.status() > 599) {
        throw new IllegalArgumentException(
            "Expected a 4xx or 5xx refusal but was " + response.status());
      }
    }
  }
}

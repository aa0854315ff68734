package dev.grapevine.transport;

import java.util.Map;
import java.util.Objects;

/**
 * Decides which {@link LinkHandler} gets a WebSocket upgrade on a path. Immutable.
 *
 * <ol>
 *   <li>An exact match in the registered surfaces (for example {@code /mesh}) wins.
 *   <li>Otherwise a reserved path ({@code /mesh}, {@code /ws}, {@code /ws/...}, {@code /all},
 *       {@code /latest}, {@code /gossip}, {@code /gossip/...}, {@code /metrics}, {@code /api},
 *       {@code /api/...}) has no WebSocket: the upgrade is answered with 404.
 *   <li>Every other path speaks ANProto, as the reference pub accepts upgrades on any path.
 * </ol>
 */
final class Surfaces {
  private final LinkHandler anproto;
  private final Map<String, LinkHandler> surfaces;

  Surfaces(LinkHandler anproto, Map<String, LinkHandler> surfaces) {
    this.anproto = Objects.requireNonNull(anproto, "anproto");
    this.surfaces = Map.copyOf(Objects.requireNonNull(surfaces, "surfaces"));
    for (String path : this.surfaces.keySet()) {
      if (!path.startsWith("/") || path.contains("?") || path.contains("#")) {
        throw new IllegalArgumentException(
            "Expected a surface path like \"/mesh\" but was \"" + path + "\"");
      }
    }
  }

  /** The handler for an upgrade on the raw {@code path}, or null if the path has no WebSocket. */
  LinkHandler route(String path) {
    LinkHandler surface = surfaces.get(path);
    if (surface != null) {
      return surface;
    }
    return isReserved(path) ? null : anproto;
  }

  /** Whether {@code path} belongs to an HTTP route or a surface, not to ANProto. */
  static boolean isReserved(String path) {
    switch (path) {
      case "/mesh":
      case "/ws":
      case "/all":
      case "/latest":
      case "/gossip":
      case "/metrics":
      case "/api":
        return true;
      default:
        return path.startsWith("/ws/") || path.startsWith("/gossip/") || path.startsWith("/api/");
    }
  }
}

package dev.grapevine.http;

import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Sends each HTTP request to the handler of its path: an exact path first, then the longest
 * matching prefix, then the fallback (the APDS routes, which answer every other path). Lets each
 * feature of a node own its routes without knowing the others. Immutable and thread-safe.
 */
public final class RouteTable implements HttpHandler {
  private final Map<String, HttpHandler> exact;
  private final List<Map.Entry<String, HttpHandler>> prefixes;
  private final HttpHandler fallback;

  private RouteTable(Builder b) {
    this.exact = Map.copyOf(b.exact);
    List<Map.Entry<String, HttpHandler>> p = new ArrayList<>(b.prefixes.entrySet());
    p.sort((x, y) -> Integer.compare(y.getKey().length(), x.getKey().length()));
    this.prefixes = List.copyOf(p);
    this.fallback = b.fallback;
  }

  /** A table whose unmatched requests go to {@code fallback}. */
  public static Builder builder(HttpHandler fallback) {
    return new Builder(fallback);
  }

  @Override
  public CompletableFuture<HttpResponse> handle(HttpRequest request) {
    return handlerFor(request.path()).handle(request);
  }

  /** The handler that answers {@code path}. */
  HttpHandler handlerFor(String path) {
    HttpHandler h = exact.get(path);
    if (h != null) {
      return h;
    }
    for (Map.Entry<String, HttpHandler> e : prefixes) {
      if (path.startsWith(e.getKey())) {
        return e.getValue();
      }
    }
    return fallback;
  }

  /** Collects routes; {@link #build()} may be called once or many times. */
  public static final class Builder {
    private final Map<String, HttpHandler> exact = new LinkedHashMap<>();
    private final Map<String, HttpHandler> prefixes = new LinkedHashMap<>();
    private final HttpHandler fallback;

    private Builder(HttpHandler fallback) {
      this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /**
     * Routes requests whose path is exactly {@code path}.
     *
     * @throws IllegalArgumentException if the path is already routed or does not start with /
     */
    public Builder exact(String path, HttpHandler handler) {
      put(exact, path, handler);
      return this;
    }

    /**
     * Routes requests whose path starts with {@code prefix} (for example {@code "/api/"}), unless
     * an exact route or a longer prefix matches.
     *
     * @throws IllegalArgumentException if the prefix is already routed or does not start with /
     */
    public Builder prefix(String prefix, HttpHandler handler) {
      put(prefixes, prefix, handler);
      return this;
    }

    private static void put(Map<String, HttpHandler> map, String path, HttpHandler handler) {
      Objects.requireNonNull(handler, "handler");
      if (!path.startsWith("/")) {
        throw new IllegalArgumentException("Expected a path starting with / but was " + path);
      }
      if (map.putIfAbsent(path, handler) != null) {
        throw new IllegalArgumentException("Path " + path + " is already routed");
      }
    }

    /** The table. */
    public RouteTable build() {
      return new RouteTable(this);
    }
  }
}

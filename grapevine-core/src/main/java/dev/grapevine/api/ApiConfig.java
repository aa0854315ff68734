package dev.grapevine.api;

import static dev.grapevine.internal.Checks.requirePositive;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Who may use the node's operator surfaces (the event API {@code /ws}, {@code /api/...}, {@code
 * /metrics} and {@code /ws/metrics|status}) and how much. Immutable and validated; build one with
 * {@link #builder()} or take {@link #DEFAULT} (no tokens, same-origin browsers only).
 *
 * @param tokens the bearer tokens that are accepted; empty means no authentication. {@link
 *     #toString()} never shows them
 * @param allowedOrigins browser origins allowed besides the node's own, each {@code
 *     scheme://host[:port]}, or {@code "*"} for any. A request with an {@code Origin} header that
 *     is not allowed gets 403 (at the WebSocket upgrade too); requests without one (curl, other
 *     servers) are not affected
 * @param cors whether responses carry CORS headers for allowed origins (default true)
 * @param requestsPerSecond HTTP requests per second per client address on the guarded routes, and
 *     the burst (default 100); more get 429
 * @param maxTrackedAddresses client addresses whose request rate is tracked at once (default
 *     10,000); the least recently seen is forgotten first
 */
public record ApiConfig(
    List<String> tokens,
    List<String> allowedOrigins,
    boolean cors,
    int requestsPerSecond,
    int maxTrackedAddresses) {

  /** The defaults. */
  public static final ApiConfig DEFAULT = new Builder().build();

  /** Validates every setting. */
  public ApiConfig {
    tokens = List.copyOf(Objects.requireNonNull(tokens, "tokens"));
    allowedOrigins = List.copyOf(Objects.requireNonNull(allowedOrigins, "allowedOrigins"));
    for (String t : tokens) {
      if (t.isEmpty() || !t.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
        throw new IllegalArgumentException(
            "Expected tokens of printable ASCII without spaces but one was not");
      }
    }
    for (String o : allowedOrigins) {
      Origins.requireValid(o);
    }
    requirePositive("requestsPerSecond", requestsPerSecond);
    requirePositive("maxTrackedAddresses", maxTrackedAddresses);
  }

  /** Whether requests must carry one of the {@link #tokens()}. */
  public boolean authRequired() {
    return !tokens.isEmpty();
  }

  /** Shows everything but the tokens, which are only counted. */
  @Override
  public String toString() {
    return "ApiConfig[tokens=("
        + tokens.size()
        + " hidden), allowedOrigins="
        + allowedOrigins
        + ", cors="
        + cors
        + ", requestsPerSecond="
        + requestsPerSecond
        + ", maxTrackedAddresses="
        + maxTrackedAddresses
        + "]";
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these settings. */
  public Builder toBuilder() {
    return new Builder()
        .tokens(tokens)
        .allowedOrigins(allowedOrigins)
        .cors(cors)
        .requestsPerSecond(requestsPerSecond)
        .maxTrackedAddresses(maxTrackedAddresses);
  }

  /** Builds an {@link ApiConfig}; not thread-safe. */
  public static final class Builder {
    private List<String> tokens = new ArrayList<>();
    private List<String> allowedOrigins = new ArrayList<>();
    private boolean cors = true;
    private int requestsPerSecond = 100;
    private int maxTrackedAddresses = 10_000;

    private Builder() {}

    /** See {@link ApiConfig#tokens()}. */
    public Builder tokens(List<String> value) {
      this.tokens = new ArrayList<>(value);
      return this;
    }

    /** Adds one accepted token. */
    public Builder token(String value) {
      this.tokens.add(value);
      return this;
    }

    /** See {@link ApiConfig#allowedOrigins()}. */
    public Builder allowedOrigins(List<String> value) {
      this.allowedOrigins = new ArrayList<>(value);
      return this;
    }

    /** See {@link ApiConfig#cors()}. */
    public Builder cors(boolean value) {
      this.cors = value;
      return this;
    }

    /** See {@link ApiConfig#requestsPerSecond()}. */
    public Builder requestsPerSecond(int value) {
      this.requestsPerSecond = value;
      return this;
    }

    /** See {@link ApiConfig#maxTrackedAddresses()}. */
    public Builder maxTrackedAddresses(int value) {
      this.maxTrackedAddresses = value;
      return this;
    }

    /**
     * The validated settings.
     *
     * @throws IllegalArgumentException if a setting is invalid
     */
    public ApiConfig build() {
      return new ApiConfig(tokens, allowedOrigins, cors, requestsPerSecond, maxTrackedAddresses);
    }
  }
}

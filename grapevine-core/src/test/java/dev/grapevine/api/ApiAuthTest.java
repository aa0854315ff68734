package dev.grapevine.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Tokens, origins and CORS of {@link ApiAuth}, without a server. */
class ApiAuthTest {
  private static final Clock CLOCK = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);

  private static HttpRequest request(String method, Map<String, String> headers, String query) {
    Map<String, List<String>> h = new java.util.HashMap<>();
    headers.forEach((k, v) -> h.put(k.toLowerCase(java.util.Locale.ROOT), List.of(v)));
    h.putIfAbsent("host", List.of("127.0.0.1:9000"));
    Map<String, List<String>> q = query == null ? Map.of() : Map.of("token", List.of(query));
    return new HttpRequest(method, "/api/x", q, h, "", "10.0.0.1");
  }

  private static HttpResponse call(ApiAuth auth, HttpRequest r) {
    return auth.wrap(x -> CompletableFuture.completedFuture(HttpResponse.json(200, "{}")))
        .handle(r)
        .join();
  }

  @Test
  void tokensAreCheckedAgainstEveryConfiguredOneAndRefusalsAreReported() {
    List<String> refusals = new ArrayList<>();
    ApiAuth auth =
        ApiAuth.create(
            ApiConfig.builder().token("first-token").token("second-token").build(),
            CLOCK,
            (why, address, detail) -> refusals.add(why + " " + address));

    assertThat(auth.isValidToken("second-token")).isTrue();
    assertThat(auth.isValidToken("second-tokeN")).isFalse();
    assertThat(auth.isValidToken("")).isFalse();
    assertThat(
            call(auth, request("GET", Map.of("Authorization", "Bearer first-token"), null))
                .status())
        .isEqualTo(200);
    assertThat(
            call(auth, request("GET", Map.of("Authorization", "bearer first-token"), null))
                .status())
        .isEqualTo(200);
    assertThat(call(auth, request("GET", Map.of(), "second-token")).status()).isEqualTo(200);
    assertThat(call(auth, request("GET", Map.of("Authorization", "Basic eDp5"), null)).status())
        .isEqualTo(401);
    assertThat(refusals).containsExactly("MISSING_TOKEN 10.0.0.1");
  }

  @Test
  void theNodesOwnOriginIsAlwaysAllowedAndOthersOnlyIfListed() {
    ApiAuth auth =
        ApiAuth.create(
            ApiConfig.builder().allowedOrigins(List.of("https://Dash.Example:443")).build(),
            CLOCK,
            (a, b, c) -> {});

    assertThat(auth.originAllowed(request("GET", Map.of(), null))).isTrue();
    assertThat(auth.originAllowed(request("GET", Map.of("Origin", "http://127.0.0.1:9000"), null)))
        .isTrue();
    assertThat(auth.originAllowed(request("GET", Map.of("Origin", "https://dash.example"), null)))
        .isTrue();
    assertThat(auth.originAllowed(request("GET", Map.of("Origin", "http://dash.example"), null)))
        .isFalse();
    assertThat(auth.originAllowed(request("GET", Map.of("Origin", "null"), null))).isFalse();
    assertThat(auth.corsHeaders(request("GET", Map.of("Origin", "http://127.0.0.1:9000"), null)))
        .containsEntry("Access-Control-Allow-Origin", "http://127.0.0.1:9000")
        .containsEntry("Access-Control-Allow-Credentials", "true");
  }

  @Test
  void invalidSettingsAreRefusedAndTokensStayOutOfToString() {
    assertThatThrownBy(() -> ApiConfig.builder().allowedOrigins(List.of("example.com")).build())
        .hasMessageContaining("example.com");
    assertThatThrownBy(() -> ApiConfig.builder().token("has space").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("has space");
    assertThat(ApiConfig.builder().token("hunter2-token").build().toString())
        .doesNotContain("hunter2")
        .contains("1 hidden");
  }
}

package dev.grapevine.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.transport.HttpHandler;
import dev.grapevine.transport.HttpRequest;
import dev.grapevine.transport.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RouteTableTest {
  private static HttpHandler answering(String name) {
    return r -> CompletableFuture.completedFuture(HttpResponse.json(200, "\"" + name + "\""));
  }

  private static String answer(RouteTable table, String path) {
    HttpRequest r = new HttpRequest("GET", path, Map.of(), Map.of(), "", "127.0.0.1");
    return table.handle(r).join().body();
  }

  @Test
  void exactPathWinsOverPrefixAndLongestPrefixWinsOverShorter() {
    RouteTable table =
        RouteTable.builder(answering("fallback"))
            .prefix("/api/", answering("api"))
            .prefix("/api/conn/", answering("conn"))
            .exact("/api/status", answering("status"))
            .build();

    assertThat(
            List.of(
                answer(table, "/api/status"),
                answer(table, "/api/peers"),
                answer(table, "/api/conn/db"),
                answer(table, "/all"),
                answer(table, "/api")))
        .containsExactly("\"status\"", "\"api\"", "\"conn\"", "\"fallback\"", "\"fallback\"");
  }

  @Test
  void refusesAPathRoutedTwiceOrWithoutLeadingSlash() {
    RouteTable.Builder b = RouteTable.builder(answering("f")).exact("/x", answering("x"));
    assertThatThrownBy(() -> b.exact("/x", answering("y")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already routed");
    assertThatThrownBy(() -> b.prefix("api/", answering("y")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

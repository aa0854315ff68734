package dev.grapevine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options and the client of the commands that manage a running node through its REST routes
 * ({@code /api/...}): {@code --node}, {@code --token} and {@code --timeout}. A picocli mixin.
 */
final class NodeApi {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(
      names = "--node",
      paramLabel = "URL",
      description =
          "The running node to manage (http://, https://, ws:// or wss://; default: ${DEFAULT-VALUE}).")
  URI node = URI.create("http://127.0.0.1:9000/");

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "An API token, sent as Authorization: Bearer (default: $GRAPEVINE_TOKEN).")
  String token = System.getenv("GRAPEVINE_TOKEN");

  @Option(
      names = "--timeout",
      paramLabel = "SECONDS",
      description = "Give up after this long (default: ${DEFAULT-VALUE}).")
  int timeoutSeconds = 30;

  /** {@code GET path}; returns the JSON body of a 200 answer. */
  JsonNode get(String path) {
    return send("GET", path, null);
  }

  /** {@code POST path} with a JSON body; returns the JSON body of a 200 answer. */
  JsonNode post(String path, JsonNode body) {
    return send("POST", path, body.toString());
  }

  private JsonNode send(String method, String path, String body) {
    if (timeoutSeconds <= 0) {
      throw new CliException("--timeout must be positive but was " + timeoutSeconds);
    }
    URI base;
    try {
      base = PubUrls.httpBase(node);
    } catch (IllegalArgumentException e) {
      throw new CliException("--node: " + e.getMessage(), e);
    }
    URI url = base.resolve(path.substring(1));
    Duration timeout = Duration.ofSeconds(timeoutSeconds);
    HttpRequest.Builder r =
        HttpRequest.newBuilder(url).timeout(timeout).header("Accept", "application/json");
    if (token != null && !token.isBlank()) {
      r.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      r.GET();
    } else {
      r.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
    }
    HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
    HttpResponse<String> answer;
    try {
      answer = client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    } catch (HttpTimeoutException e) {
      throw new CliException("the node at " + base + " did not answer within " + timeout, e);
    } catch (ConnectException e) {
      throw new CliException(
          "no node is listening at " + base + " (start one with `grapevine serve`, or use --node)",
          e);
    } catch (IOException e) {
      throw new CliException("cannot reach the node at " + base + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted", e);
    }
    JsonNode json;
    try {
      json = JSON.readTree(answer.body());
    } catch (IOException e) {
      throw new CliException(
          "the node at "
              + base
              + " answered "
              + answer.statusCode()
              + " with a body that is not JSON",
          e);
    }
    if (answer.statusCode() != 200) {
      String message = json.path("message").asText(json.path("error").asText("error"));
      throw new CliException(
          method + " " + path + " failed (" + answer.statusCode() + "): " + message);
    }
    return json;
  }
}

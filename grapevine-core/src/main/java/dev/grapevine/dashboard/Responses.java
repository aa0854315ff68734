package dev.grapevine.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grapevine.transport.HttpResponse;
import java.util.concurrent.CompletableFuture;

/** The JSON answers of the dashboard's routes; errors are {@code {error, message?}}. */
final class Responses {
  static final ObjectMapper JSON = new ObjectMapper();

  private Responses() {}

  static HttpResponse error(int status, String code, String message) {
    ObjectNode o = JSON.createObjectNode().put("error", code);
    if (message != null) {
      o.put("message", message);
    }
    return HttpResponse.json(status, o.toString()).withHeader("Cache-Control", "no-store");
  }

  static HttpResponse notFound(String path) {
    return error(404, "not_found", "No route " + path);
  }

  static HttpResponse methodNotAllowed(String allow) {
    return error(405, "method_not_allowed", "Use " + allow).withHeader("Allow", allow);
  }

  static HttpResponse ok(ObjectNode body) {
    return HttpResponse.json(200, body.toString()).withHeader("Cache-Control", "no-store");
  }

  static CompletableFuture<HttpResponse> done(HttpResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}

package dev.grapevine.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.InvalidMessageException;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.SignedMessage;
import dev.grapevine.anproto.VerifiedMessage;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Optional;

/**
 * A client of a pub's APDS HTTP routes ({@code GET /<key>}), for the commands that talk to a pub
 * without keeping a node of their own: reading a key, learning an author's latest message, and
 * confirming that a published message arrived.
 *
 * <p>Every request is bounded by the caller's {@link Deadline}. Network failures become a {@link
 * CliException} that says which pub could not be reached and how.
 */
final class PubHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration FIRST_POLL_PAUSE = Duration.ofMillis(50);
  private static final Duration MAX_POLL_PAUSE = Duration.ofMillis(500);

  /** One answer: the status, the body and the {@code X-Next-Offset} of a cut entry page. */
  record Answer(int status, String body, Optional<Long> nextOffset) {
    boolean ok() {
      return status == 200;
    }
  }

  private final URI base;
  private final HttpClient client;

  /** A client of the routes under {@code base} (see {@link PubUrls#httpBase}). */
  PubHttp(URI base, Duration connectTimeout) {
    this.base = base;
    this.client =
        HttpClient.newBuilder()
            .connectTimeout(connectTimeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The base URL of the routes. */
  URI base() {
    return base;
  }

  /**
   * {@code GET /<key>}, one page.
   *
   * @throws CliException if the pub cannot be reached or does not answer in time
   */
  Answer get(String key, long offset, Deadline deadline) {
    URI url = PubUrls.keyUrl(base, key);
    if (offset > 0) {
      url = URI.create(url + "?offset=" + offset);
    }
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(deadline.remaining())
            .header("Accept", "application/json")
            .GET()
            .build();
    try {
      HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
      Optional<Long> next = r.headers().firstValue("X-Next-Offset").flatMap(PubHttp::parseOffset);
      return new Answer(r.statusCode(), r.body(), next);
    } catch (HttpTimeoutException e) {
      throw new CliException(
          "the pub at " + base + " did not answer within " + deadline.describe(), e);
    } catch (ConnectException e) {
      throw new CliException(
          "cannot reach the pub at " + base + " (" + describe(e, "connection refused") + ")", e);
    } catch (IOException e) {
      throw new CliException(
          "HTTP request to " + base + " failed (" + describe(e, "I/O error") + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException("interrupted while waiting for " + base, e);
    }
  }

  /**
   * {@code GET /<key>} with every page of a cut entry array joined into one array, exactly as the
   * pub wrote the entries.
   *
   * @throws CliException if the pub cannot be reached
   */
  Answer getAll(String key, Deadline deadline) {
    Answer first = get(key, 0, deadline);
    if (!first.ok() || first.nextOffset().isEmpty()) {
      return first;
    }
    StringBuilder joined = new StringBuilder(arrayItems(first.body()));
    Optional<Long> next = first.nextOffset();
    while (next.isPresent()) {
      Answer page = get(key, next.get(), deadline);
      if (!page.ok()) {
        return page;
      }
      String items = arrayItems(page.body());
      if (!items.isEmpty()) {
        joined.append(joined.length() == 0 ? "" : ",").append(items);
      }
      next = page.nextOffset().filter(n -> n > 0);
    }
    return new Answer(200, "[" + joined + "]", Optional.empty());
  }

  /**
   * The author's message with the largest signed timestamp on the pub, verified; empty if the pub
   * has none.
   *
   * @throws CliException if the pub cannot be reached, answers with an error, or serves a message
   *     that is not the author's or does not verify
   */
  Optional<VerifiedMessage> latest(PublicKey author, Deadline deadline) {
    Answer a = getAll(author.value(), deadline);
    if (a.status() == 404) {
      return Optional.empty();
    }
    if (!a.ok()) {
      throw unexpected("GET /" + author, a);
    }
    JsonNode best = null;
    for (JsonNode entry : parseArray(a)) {
      if (best == null || entry.path("ts").asText().compareTo(best.path("ts").asText()) >= 0) {
        best = entry;
      }
    }
    if (best == null) {
      return Optional.empty();
    }
    try {
      VerifiedMessage m = SignedMessage.parse(best.path("sig").asText()).verify();
      if (!m.author().equals(author)) {
        throw new CliException(
            "the pub at " + base + " answered for " + author + " with a message by " + m.author());
      }
      return Optional.of(m);
    } catch (InvalidMessageException e) {
      throw new CliException(
          "the pub at " + base + " served an invalid latest message: " + e.getMessage(), e);
    }
  }

  /**
   * Polls {@code GET /<msgHash>} until the pub has the message and its content, or the deadline
   * passes.
   *
   * @return whether the pub confirmed the message in time
   */
  boolean awaitMessage(Hash msgHash, Deadline deadline) throws InterruptedException {
    Duration pause = FIRST_POLL_PAUSE;
    while (true) {
      try {
        Answer a = get(msgHash.value(), 0, deadline);
        if (a.ok() && hasEntryWithText(a, msgHash)) {
          return true;
        }
      } catch (CliException e) {
        if (deadline.passed()) {
          return false;
        }
      }
      if (deadline.passed()) {
        return false;
      }
      Duration left = deadline.remaining();
      Thread.sleep(Math.min(pause.toMillis(), left.toMillis()));
      pause =
          pause.multipliedBy(2).compareTo(MAX_POLL_PAUSE) > 0
              ? MAX_POLL_PAUSE
              : pause.multipliedBy(2);
    }
  }

  private static boolean hasEntryWithText(Answer a, Hash msgHash) {
    try {
      for (JsonNode entry : JSON.readTree(a.body())) {
        if (msgHash.value().equals(entry.path("hash").asText()) && entry.has("text")) {
          return true;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }

  private JsonNode parseArray(Answer a) {
    try {
      JsonNode node = JSON.readTree(a.body());
      if (node != null && node.isArray()) {
        return node;
      }
    } catch (IOException e) {
      // fall through
    }
    throw new CliException("the pub at " + base + " answered with something other than entries");
  }

  private CliException unexpected(String what, Answer a) {
    String body = a.body() == null ? "" : a.body().strip();
    if (body.length() > 200) {
      body = body.substring(0, 200) + "…";
    }
    return new CliException(
        what
            + " at "
            + base
            + " answered HTTP "
            + a.status()
            + (body.isEmpty() ? "" : ": " + body));
  }

  /** The items of a JSON array as written, without the brackets (empty for {@code []}). */
  private static String arrayItems(String body) {
    String s = body.strip();
    if (s.length() < 2 || s.charAt(0) != '[' || s.charAt(s.length() - 1) != ']') {
      throw new CliException("expected a JSON array page but the pub sent something else");
    }
    return s.substring(1, s.length() - 1).strip();
  }

  private static Optional<Long> parseOffset(String value) {
    try {
      return Optional.of(Long.parseLong(value.strip()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static String describe(IOException e, String fallback) {
    return e.getMessage() == null || e.getMessage().isBlank() ? fallback : e.getMessage();
  }

  /** Describes an unexpected answer, for the commands. */
  CliException unexpectedAnswer(String key, Answer a) {
    return unexpected("GET /" + key, a);
  }
}

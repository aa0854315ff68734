package dev.grapevine.events;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One event as published: what happened ({@code type}), on which topic, with its data. Sent to
 * event API clients as {@code {"type","topic","data","timestamp"}}.
 *
 * @param topic the topic it is published on
 * @param type the event name, for example {@code "file_uploaded"}
 * @param data the event's fields, in order; values are strings, numbers, booleans, lists and maps
 *     (which the publisher must not change afterwards)
 * @param timestamp when it was published, on the node's scheduler clock
 */
public record Event(Topic topic, String type, Map<String, Object> data, Instant timestamp) {

  /** Checks the fields and copies {@code data}, keeping its order. */
  public Event {
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(timestamp, "timestamp");
    if (type.isBlank()) {
      throw new IllegalArgumentException("Expected an event type but was blank");
    }
    data = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(data, "data")));
  }
}

package dev.grapevine.events;

/**
 * Receives every event published on a node's {@link NodeEvents}, in publication order, on the event
 * thread ({@code grapevine-events-N}). Must return quickly and must not block; an exception is
 * logged and the next listener still gets the event.
 */
@FunctionalInterface
public interface EventListener {
  /** One event. */
  void onEvent(Event event);
}

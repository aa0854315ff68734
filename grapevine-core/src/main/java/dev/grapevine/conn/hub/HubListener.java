package dev.grapevine.conn.hub;

/**
 * Receives hub events. Called on the hub's thread, in the order the events happened, with no lock
 * held; must return quickly and must not block. An exception is logged and ignored. A listener may
 * call the hub's methods: they are queued and run after the current work.
 */
@FunctionalInterface
public interface HubListener {
  /** One event. */
  void onEvent(HubEvent event);
}

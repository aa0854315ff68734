package dev.grapevine.store;

/** The store contract for the in-memory store. */
class InMemoryMessageStoreTest extends MessageStoreContract {
  @Override
  MessageStore open(StoreConfig config) {
    return MessageStore.inMemory(config);
  }
}

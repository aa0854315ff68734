/**
 * Storage of content-addressed blobs, the log of verified signed messages and the name directory:
 * the APDS library's storage operations with durable acknowledgements, ordered indexes and bounded
 * queues.
 *
 * <p>{@link dev.grapevine.store.MessageStore} is the interface; {@link
 * dev.grapevine.store.MessageStore#sqlite} opens the durable SQLite store (WAL, one writer thread
 * with group commit, pooled readers) and {@link dev.grapevine.store.MessageStore#inMemory} an
 * in-memory one for tests and ephemeral nodes. Both are thread-safe.
 */
package dev.grapevine.store;

package dev.grapevine.store;

/**
 * A snapshot of a store's size, for metrics. Counts may lag the newest commits slightly.
 *
 * @param messages log entries (signed messages)
 * @param authors distinct authors in the log
 * @param blobs blobs stored with {@code make} (content, images); signed messages are counted in
 *     {@code messages}
 * @param blobBytes total UTF-8 size of those blobs
 * @param queued writes waiting for the writer (always 0 for the in-memory store)
 */
public record StoreStats(long messages, long authors, long blobs, long blobBytes, int queued) {}

package dev.grapevine.store;

/**
 * A snapshot of a store's size, for metrics. Counts may lag the newest commits slightly.
 *
 * @param messages log entries (signed messages)
 * @param authors distinct authors in the log
 * @param blobs stored blobs (content, signed messages stored under their msgHash, images)
 * @param blobBytes total UTF-8 size of all blobs
 * @param queued writes waiting for the writer (always 0 for the in-memory store)
 */
public record StoreStats(long messages, long authors, long blobs, long blobBytes, int queued) {}

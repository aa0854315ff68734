package dev.grapevine.store;

/**
 * What {@link MessageStore#addWithContentAsync} changed.
 *
 * @param messageAdded the message is new (it was appended to the log)
 * @param contentAdded the content is new (it was not stored before)
 */
public record AddResult(boolean messageAdded, boolean contentAdded) {}

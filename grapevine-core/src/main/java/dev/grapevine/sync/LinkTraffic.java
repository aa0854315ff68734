package dev.grapevine.sync;

/**
 * The ANProto frames one link carried since it opened, as the protocol counts them.
 *
 * @param framesIn frames received on the link
 * @param framesOut frames the link accepted for sending (answers, relays, requests)
 */
public record LinkTraffic(long framesIn, long framesOut) {}

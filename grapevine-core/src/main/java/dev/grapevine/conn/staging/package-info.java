/**
 * Staging, on the ssb-conn-staging model: peers suggested for connection (found on the LAN, met
 * through a pub, offered by the application) that are not connected and not remembered. In memory
 * only; nothing is written to disk. {@link dev.grapevine.conn.staging.ConnStaging} refuses peers
 * the hub already has, asking through {@link dev.grapevine.conn.staging.HubLookup}.
 *
 * <p>Thread-safe; listeners run on the calling thread with no lock held. Nothing in this package is
 * null unless its Javadoc says so.
 */
package dev.grapevine.conn.staging;

/**
 * Range-based set reconciliation over (timestamp, msgHash) items, after the design of Meyer's
 * "Range-Based Set Reconciliation" and negentropy: two nodes find the messages one has and the
 * other lacks with traffic proportional to the differences, not to the store.
 *
 * <p>{@link dev.grapevine.mesh.reconcile.ItemIndex} keeps the items in a B+-tree whose nodes carry
 * counts and id sums, so any range's {@link dev.grapevine.mesh.reconcile.Fingerprint} costs O(log
 * n); {@link dev.grapevine.mesh.reconcile.MessageStoreIndex} builds and maintains one for a {@link
 * dev.grapevine.store.MessageStore}. {@link dev.grapevine.mesh.reconcile.ReconcileSession} is one
 * side of an exchange (initiator or responder) and {@link
 * dev.grapevine.mesh.reconcile.ReconcileCodec} the binary wire format and its base64 form for the
 * mesh's JSON envelope. Failures are {@link dev.grapevine.mesh.reconcile.ReconcileException}s with
 * a reason.
 *
 * <p>Values ({@code Item}, {@code ItemId}, {@code Fingerprint}, {@code ReconcileConfig}) are
 * immutable; the index is thread-safe; a session is confined to one thread at a time.
 */
package dev.grapevine.mesh.reconcile;

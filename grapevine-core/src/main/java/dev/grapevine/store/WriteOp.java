package dev.grapevine.store;

import dev.grapevine.anproto.Hash;
import dev.grapevine.anproto.PublicKey;
import dev.grapevine.anproto.VerifiedMessage;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A write waiting for the writer thread, with the future to complete after its commit. */
abstract class WriteOp {
  /** Approximate heap bytes of a queued message, for the queue's byte bound. */
  static final long MESSAGE_BYTES = 640;

  private final int weight;
  private final long bytes;

  WriteOp(int weight, long bytes) {
    this.weight = weight;
    this.bytes = bytes;
  }

  /** Number of queue slots this write takes (messages, blobs or names). */
  final int weight() {
    return weight;
  }

  /** Approximate heap bytes this write holds while queued. */
  final long bytes() {
    return bytes;
  }

  /** Fails the future. */
  abstract void fail(Throwable cause);

  /** Stores a blob. */
  static final class Make extends WriteOp {
    final Blob blob;
    final CompletableFuture<Hash> future = new CompletableFuture<>();

    Make(Blob blob) {
      super(1, 2L * blob.data().length() + 128);
      this.blob = blob;
    }

    @Override
    void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** Adds one message. */
  static final class Add extends WriteOp {
    final VerifiedMessage message;
    final CompletableFuture<Boolean> future = new CompletableFuture<>();

    Add(VerifiedMessage message) {
      super(1, MESSAGE_BYTES);
      this.message = message;
    }

    @Override
    void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** Stores a content blob and adds the message that signs it, in one transaction. */
  static final class AddWithContent extends WriteOp {
    final VerifiedMessage message;
    final Blob content;
    final CompletableFuture<AddResult> future = new CompletableFuture<>();

    AddWithContent(VerifiedMessage message, Blob content) {
      super(2, MESSAGE_BYTES + 2L * content.data().length() + 128);
      this.message = message;
      this.content = content;
    }

    @Override
    void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** Adds several messages; completes with one result per message. */
  static final class AddAll extends WriteOp {
    final List<VerifiedMessage> messages;
    final CompletableFuture<List<Boolean>> future = new CompletableFuture<>();

    AddAll(List<VerifiedMessage> messages) {
      super(messages.size(), MESSAGE_BYTES * messages.size());
      this.messages = messages;
    }

    @Override
    void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }

  /** Records a name. */
  static final class PutName extends WriteOp {
    final String name;
    final PublicKey pubkey;
    final CompletableFuture<Boolean> future = new CompletableFuture<>();

    PutName(String name, PublicKey pubkey) {
      super(1, 2L * name.length() + 256);
      this.name = name;
      this.pubkey = pubkey;
    }

    @Override
    void fail(Throwable cause) {
      future.completeExceptionally(cause);
    }
  }
}

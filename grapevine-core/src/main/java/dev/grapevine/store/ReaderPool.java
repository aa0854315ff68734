package dev.grapevine.store;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.sqlite.Function;
import org.sqlite.SQLiteConfig;

/**
 * Read-only SQLite connections for the query methods. sqlite-jdbc connections are not thread-safe,
 * so each read borrows one connection exclusively; at most {@code size} are open and a read waits
 * up to {@code waitTimeout} for one. Each maps up to {@code mapBytes} of the file ({@code
 * mmap_size}). Connections are opened lazily and kept, each with its prepared statements.
 * Thread-safe.
 */
final class ReaderPool implements AutoCloseable {
  /** Name of the SQL function {@code gv_icontains(text, loweredNeedle)} used by searches. */
  static final String CONTAINS_FUNCTION = "gv_icontains";

  /** A read against one borrowed connection. */
  interface Work<T> {
    T apply(Reader reader) throws SQLException;
  }

  /** A connection with its cache of prepared statements. Used by one thread at a time. */
  static final class Reader {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    Reader(Connection connection) {
      this.connection = connection;
    }

    /** The cached prepared statement for {@code sql}. */
    PreparedStatement prepare(String sql) throws SQLException {
      PreparedStatement ps = statements.get(sql);
      if (ps == null) {
        ps = connection.prepareStatement(sql);
        statements.put(sql, ps);
      }
      return ps;
    }

    void close() {
      for (PreparedStatement ps : statements.values()) {
        try {
          ps.close();
        } catch (SQLException ignored) {
          // closing anyway
        }
      }
      try {
        connection.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
  }

  private final String url;
  private final Duration waitTimeout;
  private final int mapBytes;
  private final Semaphore permits;
  private final ArrayDeque<Reader> idle = new ArrayDeque<>();
  private boolean closed;

  ReaderPool(String url, int size, Duration waitTimeout, int mapBytes) {
    this.url = url;
    this.waitTimeout = waitTimeout;
    this.mapBytes = mapBytes;
    this.permits = new Semaphore(size, true);
  }

  /**
   * Runs {@code work} on a borrowed connection.
   *
   * @throws StoreException {@code CLOSED}, {@code BUSY} if no connection frees up in time, {@code
   *     INTERRUPTED}, {@code IO} if the read fails
   */
  <T> T read(Work<T> work) {
    acquire();
    try {
      Reader reader = borrow();
      boolean healthy = false;
      try {
        T result = work.apply(reader);
        healthy = true;
        return result;
      } catch (SQLException e) {
        throw new StoreException(
            StoreException.Reason.IO, "Reading the store failed: " + e.getMessage(), e);
      } finally {
        giveBack(reader, healthy);
      }
    } finally {
      permits.release();
    }
  }

  private void acquire() {
    requireOpen();
    try {
      if (!permits.tryAcquire(waitTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
        throw new StoreException(
            StoreException.Reason.BUSY,
            "Expected a free read connection within "
                + waitTimeout.toMillis()
                + " ms but none was");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreException(
          StoreException.Reason.INTERRUPTED, "Interrupted while waiting for a read connection", e);
    }
  }

  private Reader borrow() {
    synchronized (this) {
      requireOpen();
      Reader reader = idle.pollFirst();
      if (reader != null) {
        return reader;
      }
    }
    try {
      return new Reader(open());
    } catch (SQLException e) {
      throw new StoreException(
          StoreException.Reason.IO, "Opening a read connection failed: " + e.getMessage(), e);
    }
  }

  private void giveBack(Reader reader, boolean healthy) {
    synchronized (this) {
      if (healthy && !closed) {
        idle.addFirst(reader);
        return;
      }
    }
    reader.close();
  }

  private Connection open() throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setBusyTimeout(5_000);
    config.setGetGeneratedKeys(false);
    Connection connection = config.createConnection(url);
    try (Statement st = connection.createStatement()) {
      st.execute("PRAGMA query_only = ON");
      st.execute("PRAGMA mmap_size = " + mapBytes);
      Function.create(
          connection,
          CONTAINS_FUNCTION,
          new Function() {
            @Override
            protected void xFunc() throws SQLException {
              result(Blob.containsLowered(value_text(0), value_text(1)) ? 1 : 0);
            }
          },
          2,
          Function.FLAG_DETERMINISTIC);
      return connection;
    } catch (SQLException e) {
      connection.close();
      throw e;
    }
  }

  private synchronized void requireOpen() {
    if (closed) {
      throw new StoreException(
          StoreException.Reason.CLOSED, "Expected an open store but it is closed");
    }
  }

  /** Closes idle connections now and borrowed ones when they come back. */
  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    Reader reader;
    while (true) {
      synchronized (this) {
        reader = idle.pollFirst();
      }
      if (reader == null) {
        return;
      }
      reader.close();
    }
  }
}

package dev.grapevine.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/** Connection settings and schema of the SQLite store; see {@link SqliteMessageStore}. */
final class SqliteSchema {
  private static final List<String> TABLES =
      List.of(
          "CREATE TABLE IF NOT EXISTS blobs ("
              + " hash TEXT PRIMARY KEY NOT NULL,"
              + " size INTEGER NOT NULL,"
              + " name TEXT,"
              + " data TEXT NOT NULL)",
          "CREATE TABLE IF NOT EXISTS log ("
              + " seq INTEGER PRIMARY KEY AUTOINCREMENT,"
              + " hash TEXT NOT NULL UNIQUE,"
              + " author TEXT NOT NULL,"
              + " ts TEXT NOT NULL,"
              + " content_hash TEXT NOT NULL,"
              + " sig TEXT NOT NULL)",
          "CREATE INDEX IF NOT EXISTS log_author_ts ON log(author, ts)",
          "CREATE INDEX IF NOT EXISTS log_ts_hash ON log(ts, hash)",
          "CREATE TABLE IF NOT EXISTS authors (pubkey TEXT PRIMARY KEY NOT NULL)",
          "CREATE TABLE IF NOT EXISTS names ("
              + " name TEXT NOT NULL,"
              + " pubkey TEXT NOT NULL,"
              + " PRIMARY KEY (name, pubkey))",
          "CREATE INDEX IF NOT EXISTS names_pubkey ON names(pubkey)",
          "CREATE TABLE IF NOT EXISTS missing_content ("
              + " content_hash TEXT NOT NULL,"
              + " author TEXT NOT NULL,"
              + " PRIMARY KEY (content_hash, author)) WITHOUT ROWID");

  /**
   * WAL pages after which a commit also checkpoints (copies the WAL into the database). Larger than
   * SQLite's default of 1,000 because each group commit dirties many pages: checkpointing less
   * often writes each hot page to the database once instead of after every commit.
   */
  static final int WAL_AUTOCHECKPOINT_PAGES = 10_000;

  private SqliteSchema() {}

  /**
   * Configures the write connection (WAL, {@code synchronous=FULL}) and creates or checks the
   * schema. Must run in auto-commit mode.
   *
   * @throws StoreException {@code IO} if the file is another application's database or has a newer
   *     schema, or WAL mode is unavailable
   */
  static void apply(Connection connection) throws SQLException {
    try (Statement st = connection.createStatement()) {
      String mode = queryString(st, "PRAGMA journal_mode = WAL");
      if (!"wal".equalsIgnoreCase(mode)) {
        throw new StoreException(
            StoreException.Reason.IO,
            "Expected SQLite to use journal mode WAL but it chose " + mode);
      }
      st.execute("PRAGMA synchronous = FULL");
      st.execute("PRAGMA foreign_keys = OFF");
      st.execute("PRAGMA temp_store = MEMORY");
      st.execute("PRAGMA cache_size = -16000");
      st.execute("PRAGMA wal_autocheckpoint = " + WAL_AUTOCHECKPOINT_PAGES);
      long applicationId = queryLong(st, "PRAGMA application_id");
      long version = queryLong(st, "PRAGMA user_version");
      long objects = queryLong(st, "SELECT count(*) FROM sqlite_schema");
      if (applicationId == 0 && version == 0 && objects == 0) {
        st.execute("BEGIN IMMEDIATE");
        try {
          for (String ddl : TABLES) {
            st.execute(ddl);
          }
          st.execute("PRAGMA application_id = " + SqliteMessageStore.APPLICATION_ID);
          st.execute("PRAGMA user_version = " + SqliteMessageStore.SCHEMA_VERSION);
          st.execute("COMMIT");
        } catch (SQLException e) {
          st.execute("ROLLBACK");
          throw e;
        }
        return;
      }
      if (applicationId != SqliteMessageStore.APPLICATION_ID) {
        throw new StoreException(
            StoreException.Reason.IO,
            "Expected a Grapevine store (application_id "
                + SqliteMessageStore.APPLICATION_ID
                + ") but the file is another database (application_id "
                + applicationId
                + ")");
      }
      if (version != SqliteMessageStore.SCHEMA_VERSION) {
        throw new StoreException(
            StoreException.Reason.IO,
            "Expected store schema version "
                + SqliteMessageStore.SCHEMA_VERSION
                + " but the file has version "
                + version);
      }
    }
  }

  private static String queryString(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static long queryLong(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }
}

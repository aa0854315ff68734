package dev.grapevine.store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Rows the writer knows to be in a table (authors, name pairs), so that it can skip an {@code
 * INSERT OR IGNORE} that would change nothing. Remembers at most {@code max} rows; a row it does
 * not remember is inserted as before. A row added during a transaction counts as known only if that
 * transaction commits: {@link #rollback} forgets it again. Used by the writer thread only.
 */
final class KnownRows {
  private final int max;
  private final Set<String> rows = new HashSet<>();
  private final List<String> uncommitted = new ArrayList<>();

  KnownRows(int max) {
    this.max = max;
  }

  boolean contains(String row) {
    return rows.contains(row);
  }

  /** Remembers {@code row}, stored by the open transaction, if there is room. */
  void add(String row) {
    if (rows.size() < max && rows.add(row)) {
      uncommitted.add(row);
    }
  }

  /** The open transaction committed. */
  void commit() {
    uncommitted.clear();
  }

  /** The open transaction rolled back: forgets what it added. */
  void rollback() {
    rows.removeAll(uncommitted);
    uncommitted.clear();
  }
}

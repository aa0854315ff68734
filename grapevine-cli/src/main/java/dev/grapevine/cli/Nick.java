package dev.grapevine.cli;

import dev.grapevine.store.MessageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The name this identity posts under (the {@code name:} front matter), set with the shell's {@code
 * /nick}. It lives in the data directory as the one-line file {@value #FILE_NAME}, so {@code post}
 * uses it too; an ephemeral shell keeps it in memory.
 *
 * <p>Not thread-safe; the shell's line loop owns it.
 */
final class Nick {
  /** The file name inside the data directory. */
  static final String FILE_NAME = "nick";

  private final Path file;
  private String name;

  private Nick(Path file, String name) {
    this.file = file;
    this.name = name;
  }

  /** A nick kept in memory only, initially unset. */
  static Nick inMemory() {
    return new Nick(null, null);
  }

  /**
   * The nick stored in {@code dataDir}, unset if there is no usable one.
   *
   * @throws IOException if the file exists but cannot be read
   */
  static Nick load(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    String stored = null;
    if (Files.isRegularFile(file)) {
      String text = Files.readString(file, StandardCharsets.UTF_8).strip();
      stored = validity(text) == null ? text : null;
    }
    return new Nick(file, stored);
  }

  /** The current name, if one is set. */
  Optional<String> get() {
    return Optional.ofNullable(name);
  }

  /**
   * Sets the name and, unless in memory, writes it to the data directory.
   *
   * @throws IllegalArgumentException if the name is blank, too long or has a line break
   * @throws IOException if the file cannot be written (the name is then unchanged)
   */
  void set(String newName) throws IOException {
    String problem = validity(newName);
    if (problem != null) {
      throw new IllegalArgumentException(problem);
    }
    if (file != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Path tmp = file.resolveSibling(FILE_NAME + ".tmp");
      Files.writeString(tmp, newName + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    }
    name = newName;
  }

  /** Why {@code candidate} cannot be a name, or null if it can. */
  static String validity(String candidate) {
    if (candidate == null || candidate.isBlank()) {
      return "Expected a name but it was blank";
    }
    if (candidate.length() > MessageStore.MAX_NAME_LENGTH) {
      return "Expected a name of at most "
          + MessageStore.MAX_NAME_LENGTH
          + " chars but it has "
          + candidate.length();
    }
    if (candidate.indexOf('\n') >= 0 || candidate.indexOf('\r') >= 0) {
      return "Expected a name on one line but it has a line break";
    }
    return null;
  }
}

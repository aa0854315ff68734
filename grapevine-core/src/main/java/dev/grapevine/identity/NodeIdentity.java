package dev.grapevine.identity;

import dev.grapevine.anproto.KeyPair;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's key pair on disk: the file {@value #FILE_NAME} in the data directory holds the
 * 132-character ANProto key pair text, readable by the owner only (mode 0600, in a 0700 directory).
 * It is created on first start, written to a temporary file, synced and renamed, so a crash never
 * leaves a half-written key.
 *
 * <p>Stateless; safe to call from any thread, but two processes creating the same identity at once
 * may each write a key (the last rename wins).
 */
public final class NodeIdentity {
  /** The file name of the key pair inside the data directory. */
  public static final String FILE_NAME = "keypair";

  private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);
  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> OWNER_ONLY_DIR =
      PosixFilePermissions.fromString("rwx------");

  private NodeIdentity() {}

  /**
   * Reads the key pair in {@code dataDir}, creating the directory and a new key pair if there is
   * none.
   *
   * @throws IOException if the file cannot be read or written
   * @throws dev.grapevine.anproto.InvalidMessageException if the file holds no valid key pair
   */
  public static KeyPair loadOrCreate(Path dataDir) throws IOException {
    Path file = dataDir.resolve(FILE_NAME);
    if (Files.exists(file)) {
      return load(file);
    }
    createDirectories(dataDir);
    KeyPair created = KeyPair.generate();
    write(file, created);
    log.info("Created a new identity {} in {}", created.publicKey(), file);
    return created;
  }

  /**
   * Reads a key pair file, tightening its permissions to 0600 if others could read it.
   *
   * @throws IOException if the file cannot be read
   */
  public static KeyPair load(Path file) throws IOException {
    KeyPair pair = KeyPair.parse(Files.readString(file, StandardCharsets.US_ASCII));
    if (isPosix() && !Files.getPosixFilePermissions(file).equals(OWNER_ONLY_FILE)) {
      Files.setPosixFilePermissions(file, OWNER_ONLY_FILE);
      log.warn("Key pair file {} was readable by others; its mode is now 0600", file);
    }
    return pair;
  }

  /**
   * Writes {@code pair} to {@code file} atomically with mode 0600.
   *
   * @throws IOException if the file cannot be written
   */
  public static void write(Path file, KeyPair pair) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp =
        isPosix()
            ? Files.createTempFile(
                dir, FILE_NAME, ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
            : Files.createTempFile(dir, FILE_NAME, ".tmp");
    try {
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.write(StandardCharsets.US_ASCII.encode(pair.encode()));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void createDirectories(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (isPosix()) {
      FileAttribute<Set<PosixFilePermission>> attr =
          PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIR);
      Files.createDirectories(dir, attr);
    } else {
      Files.createDirectories(dir);
    }
  }

  private static boolean isPosix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }
}

package dev.grapevine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Bytes this process caused to be written to storage, from Linux's {@code /proc/self/io} ({@code
 * write_bytes}); -1 where that file does not exist or does not have the field. Socket writes are
 * not counted, so in an ingest run this is the pub's store (WAL, checkpoints, database file).
 */
final class ProcIo {
  private static final Path FILE = Path.of("/proc/self/io");

  private ProcIo() {}

  /** {@code write_bytes} now, or -1 if unknown. */
  static long writeBytes() {
    try {
      List<String> lines = Files.readAllLines(FILE);
      for (String line : lines) {
        if (line.startsWith("write_bytes:")) {
          return Long.parseLong(line.substring("write_bytes:".length()).strip());
        }
      }
      return -1;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}

package dev.grapevine.cli;

import dev.grapevine.NodeConfig;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --data-dir} option shared by the commands that use the node's files. */
final class DataDirOption {
  @Option(
      names = {"-d", "--data-dir"},
      paramLabel = "DIR",
      description =
          "Where the key pair and the store live (default: $GRAPEVINE_DATA_DIR or ~/.grapevine).")
  Path dataDir;

  Path resolve() {
    return dataDir != null ? dataDir : NodeConfig.defaultDataDir();
  }
}

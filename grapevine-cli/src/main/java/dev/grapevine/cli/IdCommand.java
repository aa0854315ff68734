package dev.grapevine.cli;

import dev.grapevine.identity.NodeIdentity;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints the node's public key, creating the identity on first use. */
@Command(
    name = "id",
    mixinStandardHelpOptions = true,
    description =
        "Print this node's public key (creates the identity in the data directory if needed).")
final class IdCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Override
  public Integer call() throws Exception {
    spec.commandLine().getOut().println(NodeIdentity.loadOrCreate(dataDir.resolve()).publicKey());
    spec.commandLine().getOut().flush();
    return 0;
  }
}

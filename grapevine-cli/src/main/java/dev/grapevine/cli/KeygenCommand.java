package dev.grapevine.cli;

import dev.grapevine.anproto.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Prints a new key pair; writes nothing to disk. */
@Command(
    name = "keygen",
    mixinStandardHelpOptions = true,
    description = {
      "Print a new key pair in ANProto form (132 chars: public key, then base64 of seed and key).",
      "Nothing is written to disk; the first 44 chars are the public key."
    })
final class KeygenCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().getOut().println(KeyPair.generate().encode());
    spec.commandLine().getOut().flush();
    return 0;
  }
}

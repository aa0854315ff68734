package dev.grapevine.cli;

import dev.grapevine.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code grapevine} command: a pub server, an identity tool and (later) a client. */
@Command(
    name = "grapevine",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "A peer-to-peer node for signed, content-addressed messages over WebSockets.",
    subcommands = {
      ServeCommand.class,
      KeygenCommand.class,
      IdCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A configured command line, for tests and for {@link #main}. */
  static CommandLine commandLine() {
    return new CommandLine(new Main()).setCaseInsensitiveEnumValuesAllowed(true);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Reports the build's version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"grapevine " + Version.get()};
    }
  }
}

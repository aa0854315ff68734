package dev.grapevine.cli;

import dev.grapevine.Version;
import dev.grapevine.store.StoreException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** The {@code grapevine} command: a pub server, a client of pubs and an identity tool. */
@Command(
    name = "grapevine",
    mixinStandardHelpOptions = true,
    versionProvider = Main.VersionProvider.class,
    description = "A peer-to-peer node for signed, content-addressed messages over WebSockets.",
    subcommands = {
      ServeCommand.class,
      ShellCommand.class,
      PostCommand.class,
      GetCommand.class,
      KeygenCommand.class,
      BenchCommand.class,
      IdCommand.class,
      ConnCommands.Peers.class,
      ConnCommands.Connect.class,
      ConnCommands.Disconnect.class,
      ConnCommands.Remember.class,
      ConnCommands.Forget.class,
      ConnCommands.Staged.class,
      ConnCommands.Stage.class,
      ConnCommands.Unstage.class,
      ConfigCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Spec CommandSpec spec;

  /** Runs the command line and exits with its status. */
  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** A configured command line, for tests and for {@link #main}. */
  static CommandLine commandLine() {
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setExecutionExceptionHandler(Main::failed);
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints a failed command's error as one line on stderr; exit status 1. */
  private static int failed(Exception e, CommandLine command, ParseResult parsed) {
    PrintWriter err = command.getErr();
    String name = command.getCommandSpec().qualifiedName();
    if (e instanceof CliException) {
      err.println(name + ": " + e.getMessage());
      log.debug("{} failed", name, e);
    } else if (e instanceof IOException || e instanceof UncheckedIOException) {
      err.println(name + ": I/O error: " + e.getMessage());
      log.debug("{} failed", name, e);
    } else if (e instanceof StoreException) {
      err.println(name + ": store error: " + e.getMessage());
      log.debug("{} failed", name, e);
    } else {
      err.println(
          name + ": unexpected error: " + e + " (GRAPEVINE_LOG_LEVEL=DEBUG shows the details)");
      log.debug("{} failed unexpectedly", name, e);
    }
    err.flush();
    return 1;
  }

  /** Reports the build's version. */
  static final class VersionProvider implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {"grapevine " + Version.get()};
    }
  }
}

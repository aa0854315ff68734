package dev.grapevine.cli;

import dev.grapevine.cli.ConfigLoader.Setting;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code grapevine config print}: the effective configuration and where each value came from. */
@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    description = "Show the node's configuration.",
    subcommands = {ConfigCommand.Print.class})
final class ConfigCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Prints every key's effective value and its source, for the same options as {@code serve}. */
  @Command(
      name = "print",
      mixinStandardHelpOptions = true,
      description =
          "Print the effective configuration (defaults < --config file < environment < flags)"
              + " and where each value came from. Takes the same options as serve.")
  static final class Print implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeOptions options = new NodeOptions();

    /** The environment; tests replace it. */
    Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      ConfigLoader.Loaded loaded = options.load(env);
      int width = 0;
      for (Setting s : loaded.settings()) {
        width = Math.max(width, s.key().name().length() + 3 + s.display().length());
      }
      out.println("# effective configuration; precedence: flag > env > file > default");
      for (Setting s : loaded.settings()) {
        String line = s.key().name() + " = " + s.display();
        out.println(line + " ".repeat(width - line.length() + 2) + "# " + s.source());
      }
      out.flush();
      return 0;
    }
  }
}

package dev.grapevine.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** Runs the command line in-process with captured stdout and stderr. */
final class CliRun {
  final StringWriter out = new StringWriter();
  final StringWriter err = new StringWriter();
  final CommandLine cli;

  CliRun() {
    cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
  }

  /** Runs {@code args} on a fresh command line and returns the exit status. */
  static CliRun run(String... args) {
    CliRun r = new CliRun();
    r.status = r.cli.execute(args);
    return r;
  }

  int status = -1;

  String out() {
    return out.toString();
  }

  String err() {
    return err.toString();
  }
}

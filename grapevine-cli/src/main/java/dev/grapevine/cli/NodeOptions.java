package dev.grapevine.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import dev.grapevine.cli.ConfigLoader.FlagValue;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options that configure a node, shared by {@code serve} and {@code config print}. Options not
 * given set nothing, so the file and the environment still apply (see {@link ConfigLoader}).
 */
final class NodeOptions {
  @Mixin DataDirOption dataDir = new DataDirOption();

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "A YAML configuration file (see the README for its keys).")
  Path config;

  @Option(
      names = "--ephemeral",
      description = "Keep the store and a fresh identity in memory only; nothing is written.")
  Boolean ephemeral;

  @Option(
      names = {"-p", "--port"},
      paramLabel = "PORT",
      description = "Port for WebSocket and HTTP (default 9000; 0 picks a free one).")
  String port;

  @Option(
      names = "--bind",
      paramLabel = "HOST",
      description = "Address to listen on (default 127.0.0.1, this machine only).")
  String bind;

  @Option(
      names = "--public",
      description = "Listen on every interface (0.0.0.0), so other machines can connect.")
  boolean listenOnAll;

  @Option(
      names = {"-c", "--connect"},
      paramLabel = "URL",
      description = "A pub to keep connected (ws:// or wss://); repeatable.")
  List<String> connect = new ArrayList<>();

  @Option(
      names = {"--peer"},
      paramLabel = "URL",
      description =
          "A mesh node to join through (ws://host:port/mesh); its key is learned by the"
              + " handshake. Repeatable.")
  List<String> peers = new ArrayList<>();

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      description = "A bearer token required on /ws, /api and /metrics; repeatable.")
  List<String> tokens = new ArrayList<>();

  @Option(
      names = "--allow-origin",
      paramLabel = "ORIGIN",
      description =
          "A browser origin allowed on /ws and /api (https://host[:port] or *); repeatable.")
  List<String> origins = new ArrayList<>();

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "Sets any configuration key, for example websocket.limits.messages_per_second=200.")
  List<String> sets = new ArrayList<>();

  @Option(
      names = {"-v", "--verbose"},
      description = "Debug logging: connections, messages, errors.")
  boolean verbose;

  /** The values the options give, by configuration key. */
  Map<String, FlagValue> flags() {
    Map<String, FlagValue> out = new LinkedHashMap<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new CliException("Expected --set KEY=VALUE but was \"" + s + "\"");
      }
      out.put(s.substring(0, eq).trim(), new FlagValue(s.substring(eq + 1), "--set"));
    }
    if (dataDir.dataDir != null) {
      out.put("data_dir", new FlagValue(dataDir.dataDir.toString(), "--data-dir"));
    }
    if (ephemeral != null) {
      out.put("ephemeral", new FlagValue(ephemeral, "--ephemeral"));
    }
    if (port != null) {
      out.put("server.port", new FlagValue(port, "--port"));
    }
    if (bind != null && listenOnAll) {
      throw new CliException("Give --bind HOST or --public, not both");
    }
    if (bind != null) {
      out.put("server.host", new FlagValue(bind, "--bind"));
    }
    if (listenOnAll) {
      out.put("server.host", new FlagValue("0.0.0.0", "--public"));
    }
    if (!peers.isEmpty()) {
      out.put("mesh.peers", new FlagValue(List.copyOf(peers), "--peer"));
    }
    if (!connect.isEmpty()) {
      out.put("connect", new FlagValue(List.copyOf(connect), "--connect"));
    }
    if (!tokens.isEmpty()) {
      out.put("auth.tokens", new FlagValue(List.copyOf(tokens), "--token"));
    }
    if (!origins.isEmpty()) {
      out.put("websocket.cors.origins", new FlagValue(List.copyOf(origins), "--allow-origin"));
    }
    return out;
  }

  /** Loads the configuration from the defaults, the file, {@code env} and these options. */
  ConfigLoader.Loaded load(Map<String, String> env) {
    return ConfigLoader.load(config, env, flags());
  }

  /** With {@code --verbose}, sets the log level to DEBUG. */
  void applyLogging() {
    if (!verbose) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (factory instanceof LoggerContext) {
      ((LoggerContext) factory).getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.DEBUG);
      // Netty's own debug output is about its internals, not the node's connections.
      ((LoggerContext) factory).getLogger("io.netty").setLevel(Level.INFO);
    }
  }
}

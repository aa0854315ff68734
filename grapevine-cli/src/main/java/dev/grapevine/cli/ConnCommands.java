package dev.grapevine.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * The commands that manage a running node's connections through its REST routes: {@code peers},
 * {@code connect}, {@code disconnect}, {@code remember}, {@code forget}, {@code staged}, {@code
 * stage} and {@code unstage}.
 */
final class ConnCommands {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ADDRESS_HELP =
      "The peer's address: ws://host:port~shs:KEY or wss://host[:port]~shs:KEY.";

  private ConnCommands() {}

  /** The shared part: the node client, the output and {@code --json}. */
  abstract static class Base implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin NodeApi api = new NodeApi();

    @Option(names = "--json", description = "Print the node's JSON answer as it is.")
    boolean json;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** Prints {@code answer} as JSON when asked, otherwise as {@code human} says. */
    int print(JsonNode answer, Runnable human) {
      if (json) {
        out().println(answer.toPrettyString());
      } else {
        human.run();
      }
      out().flush();
      return 0;
    }
  }

  /** The shared part of the commands that act on one address. */
  abstract static class OnAddress extends Base {
    @Parameters(index = "0", paramLabel = "ADDRESS", description = ADDRESS_HELP)
    String address;

    ObjectNode body() {
      return JSON.createObjectNode().put("address", address);
    }

    /** {@code body()} with {@code data} parsed from a JSON object text, if given. */
    ObjectNode body(String data) {
      ObjectNode b = body();
      if (data != null) {
        try {
          JsonNode d = JSON.readTree(data);
          if (d == null || !d.isObject()) {
            throw new CliException("--data must be a JSON object, for example {\"type\":\"pub\"}");
          }
          b.set("data", d);
        } catch (JsonProcessingException e) {
          throw new CliException("--data is not JSON: " + e.getOriginalMessage(), e);
        }
      }
      return b;
    }
  }

  @Command(
      name = "peers",
      mixinStandardHelpOptions = true,
      description = "List a running node's connections: state, direction and address.")
  static final class Peers extends Base {
    @Override
    public Integer call() {
      JsonNode answer = api.get("/api/peers");
      return print(
          answer,
          () -> {
            for (JsonNode p : answer.path("peers")) {
              out()
                  .printf(
                      "%-13s %-8s %s%n",
                      p.path("status").asText(),
                      p.path("direction").asText(),
                      p.path("multiserverAddress").asText(p.path("address").asText()));
            }
            out().println(answer.path("count").asInt() + " peer(s)");
          });
    }
  }

  @Command(
      name = "connect",
      mixinStandardHelpOptions = true,
      description = "Ask a running node to connect to ADDRESS; waits until the link is open.")
  static final class Connect extends OnAddress {
    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/connect", body());
      return print(answer, () -> out().println("connected to " + address));
    }
  }

  @Command(
      name = "disconnect",
      mixinStandardHelpOptions = true,
      description = "Ask a running node to disconnect from ADDRESS.")
  static final class Disconnect extends OnAddress {
    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/disconnect", body());
      return print(
          answer,
          () ->
              out()
                  .println(
                      answer.path("disconnected").asBoolean()
                          ? "disconnected from " + address
                          : "not connected to " + address));
    }
  }

  @Command(
      name = "remember",
      mixinStandardHelpOptions = true,
      description =
          "Store ADDRESS in a running node's peer database (conn.json); the scheduler connects"
              + " to remembered peers.")
  static final class Remember extends OnAddress {
    @Option(
        names = "--data",
        paramLabel = "JSON",
        description = "Fields to store with it, e.g. {\"type\":\"pub\",\"autoconnect\":false}.")
    String data;

    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/remember", body(data));
      return print(answer, () -> out().println("remembered " + address));
    }
  }

  @Command(
      name = "forget",
      mixinStandardHelpOptions = true,
      description = "Remove ADDRESS from a running node's peer database.")
  static final class Forget extends OnAddress {
    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/forget", body());
      return print(
          answer,
          () ->
              out()
                  .println(
                      answer.path("forgotten").asBoolean()
                          ? "forgot " + address
                          : address + " was not remembered"));
    }
  }

  @Command(
      name = "stage",
      mixinStandardHelpOptions = true,
      description = "Suggest ADDRESS to a running node's scheduler (staging).")
  static final class Stage extends OnAddress {
    @Option(
        names = "--data",
        paramLabel = "JSON",
        description = "Fields to stage it with (default {\"type\":\"internet\"}).")
    String data;

    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/stage", body(data));
      return print(
          answer,
          () ->
              out()
                  .println(
                      answer.path("staged").asBoolean()
                          ? "staged " + address
                          : address + " is already staged or connected"));
    }
  }

  @Command(
      name = "unstage",
      mixinStandardHelpOptions = true,
      description = "Remove ADDRESS from a running node's staging.")
  static final class Unstage extends OnAddress {
    @Override
    public Integer call() {
      JsonNode answer = api.post("/api/conn/unstage", body());
      return print(
          answer,
          () ->
              out()
                  .println(
                      answer.path("unstaged").asBoolean()
                          ? "unstaged " + address
                          : address + " was not staged"));
    }
  }

  @Command(
      name = "staged",
      mixinStandardHelpOptions = true,
      description = "List the peers a running node has staged (suggested, not connected).")
  static final class Staged extends Base {
    @Override
    public Integer call() {
      JsonNode answer = api.get("/api/conn/staged");
      return print(
          answer,
          () -> {
            for (JsonNode e : answer.path("entries")) {
              out()
                  .printf(
                      "%-9s %s%n",
                      e.path("data").path("type").asText("?"), e.path("address").asText());
            }
            out().println(answer.path("count").asInt() + " staged");
          });
    }
  }
}

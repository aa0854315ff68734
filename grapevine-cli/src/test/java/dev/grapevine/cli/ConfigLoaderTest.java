package dev.grapevine.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grapevine.NodeConfig;
import dev.grapevine.cli.ConfigLoader.FlagValue;
import dev.grapevine.cli.ConfigLoader.Loaded;
import dev.grapevine.cli.ConfigLoader.Setting;
import dev.grapevine.conn.scheduler.SchedulerConfig;
import dev.grapevine.store.StoreConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration's sources, their precedence and the errors for bad values. */
class ConfigLoaderTest {
  @TempDir Path dir;

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("grapevine.yaml");
    Files.writeString(f, text);
    return f;
  }

  private static Setting setting(Loaded l, String key) {
    return l.settings().stream().filter(s -> s.key().name().equals(key)).findFirst().orElseThrow();
  }

  @Test
  void withNoSourcesEveryKeyHasTheLibrarysDefault() {
    Loaded l = ConfigLoader.load(null, Map.of(), Map.of());
    NodeConfig c = l.config();

    assertThat(c.transport().port()).isEqualTo(9000);
    assertThat(c.events().pingPeriod()).isEqualTo(Duration.ofSeconds(54));
    assertThat(c.events().pongWait()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.events().messagesPerSecond()).isEqualTo(100);
    assertThat(c.events().maxMessageBytes()).isEqualTo(1 << 20);
    assertThat(c.api().tokens()).isEmpty();
    assertThat(l.settings())
        .allSatisfy(s -> assertThat(s.source().description()).isEqualTo("default"));
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults() throws IOException {
    Path file =
        yaml(
            """
            server:
              port: 7000
              host: 127.0.0.2
            websocket:
              limits:
                messages_per_second: 10
                queue_size: 64
              timeouts:
                ping_period: 20s
            """);
    Map<String, String> env =
        Map.of(
            "GRAPEVINE_SERVER_PORT", "7100",
            "GRAPEVINE_WEBSOCKET_LIMITS_MESSAGES_PER_SECOND", "20");
    Map<String, FlagValue> flags = Map.of("server.port", new FlagValue("7200", "--port"));

    Loaded l = ConfigLoader.load(file, env, flags);

    assertThat(l.config().transport().port()).isEqualTo(7200);
    assertThat(setting(l, "server.port").source().description()).isEqualTo("flag --port");
    assertThat(l.config().events().messagesPerSecond()).isEqualTo(20);
    assertThat(setting(l, "websocket.limits.messages_per_second").source().description())
        .isEqualTo("env GRAPEVINE_WEBSOCKET_LIMITS_MESSAGES_PER_SECOND");
    assertThat(l.config().events().queueSize()).isEqualTo(64);
    assertThat(setting(l, "websocket.limits.queue_size").source().description())
        .isEqualTo("file " + file);
    assertThat(l.config().transport().bindHost()).isEqualTo("127.0.0.2");
    assertThat(l.config().events().pingPeriod()).isEqualTo(Duration.ofSeconds(20));
    assertThat(setting(l, "websocket.limits.max_connections").source().description())
        .isEqualTo("default");
  }

  @Test
  void peerVaultsEnvironmentAndYamlNamesAreAliases() throws IOException {
    Path file =
        yaml(
            """
            websocket:
              port: 8083
              host: localhost
              cors: {enabled: true, origins: ["https://dash.example"]}
              timeouts: {read: 30s, write: 30s, ping_period: 54s, pong_wait: 60s}
              limits: {max_connections: 1000, max_message_size: 1048576, messages_per_second: 100}
            """);
    Map<String, String> env =
        Map.of(
            "PEERVAULT_WS_PONG_WAIT", "90s",
            "PEERVAULT_WS_PING_PERIOD", "45s",
            "GRAPEVINE_WEBSOCKET_TIMEOUTS_PING_PERIOD", "40s",
            "PEERVAULT_WS_CORS_ORIGINS", "https://a.example, https://b.example");

    Loaded l = ConfigLoader.load(file, env, Map.of());

    assertThat(l.config().transport().port()).isEqualTo(8083);
    assertThat(l.config().transport().bindHost()).isEqualTo("localhost");
    assertThat(l.config().events().pongWait()).isEqualTo(Duration.ofSeconds(90));
    assertThat(l.config().events().pingPeriod())
        .as("GRAPEVINE_ beats PEERVAULT_")
        .isEqualTo(Duration.ofSeconds(40));
    assertThat(l.config().api().allowedOrigins())
        .containsExactly("https://a.example", "https://b.example");
    assertThat(setting(l, "websocket.timeouts.pong_wait").source().description())
        .isEqualTo("env PEERVAULT_WS_PONG_WAIT");

    Loaded rest =
        ConfigLoader.load(
            file,
            Map.of(
                "PEERVAULT_WS_PORT", "8099",
                "PEERVAULT_WS_HOST", "127.0.0.3",
                "PEERVAULT_WS_READ_TIMEOUT", "15s",
                "PEERVAULT_WS_WRITE_TIMEOUT", "20s"),
            Map.of());
    assertThat(rest.config().transport().port()).isEqualTo(8099);
    assertThat(rest.config().transport().bindHost()).isEqualTo("127.0.0.3");
    assertThat(rest.config().events().readTimeout()).isEqualTo(Duration.ofSeconds(15));
    assertThat(rest.config().events().writeTimeout()).isEqualTo(Duration.ofSeconds(20));
    assertThat(setting(rest, "server.port").source().description())
        .isEqualTo("env PEERVAULT_WS_PORT");
  }

  @Test
  void aServedNodeIsAPubThatNeverTrimsInboundPeersAndConnKeysApply() {
    NodeConfig c =
        ConfigLoader.load(
                null,
                Map.of("GRAPEVINE_CONN_PEER_QUOTA", "7"),
                Map.of(
                    "conn.autostart",
                    new FlagValue("false", "--set"),
                    "conn.firewall.reject_unknown",
                    new FlagValue("true", "--set")))
            .config();

    assertThat(c.conn().scheduler().role()).isEqualTo(SchedulerConfig.Role.PUB);
    assertThat(c.conn().scheduler().peerQuota()).isEqualTo(7);
    assertThat(c.conn().autostart()).isFalse();
    assertThat(c.conn().firewall().rejectUnknown()).isTrue();
    assertThatThrownBy(
            () -> ConfigLoader.load(null, Map.of("GRAPEVINE_CONN_ROLE", "king"), Map.of()))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("conn.role")
        .hasMessageContaining("GRAPEVINE_CONN_ROLE")
        .hasMessageContaining("[client, pub]");
  }

  @Test
  void storeKeysSetTheGroupCommitWindowAndTheRecentKeysCache() {
    NodeConfig defaults = ConfigLoader.load(null, Map.of(), Map.of()).config();
    NodeConfig c =
        ConfigLoader.load(
                null,
                Map.of("GRAPEVINE_STORE_COMMIT_WINDOW", "0"),
                Map.of(
                    "store.commit_window_min_writes",
                    new FlagValue("64", "--set"),
                    "store.recent_keys",
                    new FlagValue("0", "--set"),
                    "store.read_mmap_bytes",
                    new FlagValue("0", "--set")))
            .config();

    assertThat(defaults.store()).isEqualTo(StoreConfig.DEFAULT);
    assertThat(c.store().commitWindow()).isZero();
    assertThat(c.store().commitWindowMinWrites()).isEqualTo(64);
    assertThat(c.store().recentKeys()).isZero();
    assertThat(c.store().readMapBytes()).isZero();
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(),
                    Map.of("store.commit_window_min_writes", new FlagValue("0", "--set"))))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("store.commit_window_min_writes");
  }

  @Test
  void anInvalidValueFailsNamingTheKeyAndTheSource() throws IOException {
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of("GRAPEVINE_WEBSOCKET_LIMITS_MESSAGES_PER_SECOND", "lots"),
                    Map.of()))
        .isInstanceOf(CliException.class)
        .hasMessageContaining("websocket.limits.messages_per_second")
        .hasMessageContaining("env GRAPEVINE_WEBSOCKET_LIMITS_MESSAGES_PER_SECOND")
        .hasMessageContaining("\"lots\"");
    Path file = yaml("websocket:\n  timeouts:\n    pong_wait: 60\n");
    assertThatThrownBy(() -> ConfigLoader.load(file, Map.of(), Map.of()))
        .hasMessageContaining("websocket.timeouts.pong_wait")
        .hasMessageContaining("file " + file)
        .hasMessageContaining("like 30s");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null, Map.of(), Map.of("server.port", new FlagValue("70000", "--port"))))
        .hasMessageContaining("server.port")
        .hasMessageContaining("flag --port")
        .hasMessageContaining("0 to 65535");
    assertThatThrownBy(
            () ->
                ConfigLoader.load(
                    null,
                    Map.of(),
                    Map.of(
                        "websocket.cors.origins",
                        new FlagValue(List.of("evil"), "--allow-origin"))))
        .hasMessageContaining("websocket.cors.origins=[evil] (flag --allow-origin)");
  }

  @Test
  void unknownKeysInTheFileAndSettingsThatContradictEachOtherFail() throws IOException {
    Path typo = yaml("websocket:\n  limits:\n    messages_per_minute: 5\n");
    assertThatThrownBy(() -> ConfigLoader.load(typo, Map.of(), Map.of()))
        .hasMessageContaining("Unknown configuration key websocket.limits.messages_per_minute");

    Path crossed = yaml("websocket:\n  timeouts:\n    ping_period: 90s\n");
    assertThatThrownBy(() -> ConfigLoader.load(crossed, Map.of(), Map.of()))
        .hasMessageContaining("Invalid websocket settings")
        .hasMessageContaining("pingPeriod < pongWait")
        .hasMessageContaining("websocket.timeouts.ping_period=1m30s (file " + crossed + ")");

    Path twice = yaml("server:\n  port: 1\nwebsocket:\n  port: 2\n");
    assertThatThrownBy(() -> ConfigLoader.load(twice, Map.of(), Map.of()))
        .hasMessageContaining("Conflicting values for server.port");
  }

  @Test
  void durationsTakeGoAndIsoSyntax() {
    assertThat(ConfigLoader.duration("1m30s")).isEqualTo(Duration.ofSeconds(90));
    assertThat(ConfigLoader.duration("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ConfigLoader.duration("1.5h")).isEqualTo(Duration.ofMinutes(90));
    assertThat(ConfigLoader.duration("PT54S")).isEqualTo(Duration.ofSeconds(54));
    assertThat(ConfigLoader.formatDuration(Duration.ofSeconds(3754))).isEqualTo("1h2m34s");
    assertThatThrownBy(() -> ConfigLoader.duration("30"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> ConfigLoader.duration("30 s"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void tokensAreNeverPrinted() {
    Loaded l =
        ConfigLoader.load(
            null, Map.of("GRAPEVINE_AUTH_TOKENS", "alpha-secret,beta-secret"), Map.of());

    assertThat(l.config().api().tokens()).containsExactly("alpha-secret", "beta-secret");
    assertThat(setting(l, "auth.tokens").display()).isEqualTo("(2 hidden)");
    assertThat(l.config().api().toString()).doesNotContain("secret");
  }

  @Test
  void configPrintShowsEachValueAndWhereItCameFrom() throws IOException {
    Path file = yaml("websocket:\n  limits:\n    queue_size: 64\n");
    CliRun r =
        CliRun.run(
            "config",
            "print",
            "--config",
            file.toString(),
            "--port",
            "0",
            "--token",
            "t0ken-value",
            "--set",
            "websocket.timeouts.pong_wait=2m");

    assertThat(r.status).as(r.err()).isZero();
    assertThat(r.out())
        .containsPattern("server.port = 0 +# flag --port")
        .containsPattern(
            "websocket.limits.queue_size = 64 +# file "
                + java.util.regex.Pattern.quote(file.toString()))
        .containsPattern("websocket.timeouts.pong_wait = 2m +# flag --set")
        .containsPattern("websocket.timeouts.ping_period = 54s +# default")
        .containsPattern("auth.tokens = \\(1 hidden\\) +# flag --token")
        .doesNotContain("t0ken-value");
  }

  @Test
  void configPrintFailsOnABadValueWithStatusOne() {
    CliRun r = CliRun.run("config", "print", "--set", "websocket.limits.queue_size=0");

    assertThat(r.status).isEqualTo(1);
    assertThat(r.err()).contains("websocket.limits.queue_size").contains("flag --set");
  }
}

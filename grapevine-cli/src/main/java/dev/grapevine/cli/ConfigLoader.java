package dev.grapevine.cli;

import dev.grapevine.NodeConfig;
import dev.grapevine.cli.ConfigKeys.Builders;
import dev.grapevine.cli.ConfigKeys.Key;
import dev.grapevine.cli.ConfigKeys.Kind;
import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Builds the node's one {@link NodeConfig} from its sources, in increasing precedence: the
 * defaults, a YAML file ({@code --config}), environment variables ({@code GRAPEVINE_*} and
 * PeerVault's {@code PEERVAULT_WS_*}), command-line flags. Each key's value comes from the
 * strongest source that sets it; an invalid value fails with a {@link CliException} that names the
 * key and the source. Stateless; the sources are passed in, so tests need no real environment.
 */
final class ConfigLoader {
  private static final Pattern GO_DURATION =
      Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private ConfigLoader() {}

  /** Where a value came from. */
  record Source(String description) {
    static final Source DEFAULT = new Source("default");

    static Source file(Path p) {
      return new Source("file " + p);
    }

    static Source env(String name) {
      return new Source("env " + name);
    }

    static Source flag(String name) {
      return new Source("flag " + name);
    }

    @Override
    public String toString() {
      return description;
    }
  }

  /** One key's effective value and its source. */
  record Setting(Key key, Object value, Source source) {
    /** The value as {@code config print} shows it (secrets hidden). */
    String display() {
      if (key.secret()) {
        return value instanceof List<?> l && !l.isEmpty() ? "(" + l.size() + " hidden)" : "[]";
      }
      if (value == null) {
        return "(none)";
      }
      if (value instanceof Duration d) {
        return formatDuration(d);
      }
      return String.valueOf(value);
    }
  }

  /** A value a flag gave, with the flag's name for messages. */
  record FlagValue(Object raw, String flag) {}

  /** The result: the configuration and every key's effective value. */
  record Loaded(NodeConfig config, List<Setting> settings) {}

  /**
   * Loads the configuration.
   *
   * @param file the YAML file, or null
   * @param env the environment (for example {@code System.getenv()}); an empty value counts as
   *     unset
   * @param flags values given on the command line, by key
   * @throws CliException naming the key and source of the first invalid value
   */
  static Loaded load(Path file, Map<String, String> env, Map<String, FlagValue> flags) {
    Map<String, Setting> settings = new LinkedHashMap<>();
    for (Key k : ConfigKeys.ALL) {
      settings.put(k.name(), new Setting(k, k.defaultValue(), Source.DEFAULT));
    }
    if (file != null) {
      Source src = Source.file(file);
      for (Map.Entry<String, Object> e : readYaml(file).entrySet()) {
        Key k = ConfigKeys.find(e.getKey());
        if (k == null) {
          throw new CliException("Unknown configuration key " + e.getKey() + " in " + src);
        }
        Setting earlier = settings.get(k.name());
        Object value = parse(k, e.getValue(), src, e.getKey());
        if (earlier.source().equals(src) && !java.util.Objects.equals(earlier.value(), value)) {
          throw new CliException(
              "Conflicting values for "
                  + k.name()
                  + " in "
                  + src
                  + " (it is set under "
                  + String.join(" and ", names(k))
                  + ")");
        }
        settings.put(k.name(), new Setting(k, value, src));
      }
    }
    for (Key k : ConfigKeys.ALL) {
      for (String name : k.env()) {
        String v = env.get(name);
        if (v != null && !v.isBlank()) {
          Source src = Source.env(name);
          settings.put(k.name(), new Setting(k, parse(k, v, src, k.name()), src));
          break; // the first variable that is set wins (GRAPEVINE_ before PEERVAULT_)
        }
      }
    }
    for (Map.Entry<String, FlagValue> f : flags.entrySet()) {
      Key k = ConfigKeys.find(f.getKey());
      Source src = Source.flag(f.getValue().flag());
      if (k == null) {
        throw new CliException("Unknown configuration key " + f.getKey() + " in " + src);
      }
      settings.put(k.name(), new Setting(k, parse(k, f.getValue().raw(), src, k.name()), src));
    }
    List<Setting> effective = List.copyOf(settings.values());
    return new Loaded(build(effective), effective);
  }

  private static List<String> names(Key k) {
    List<String> n = new ArrayList<>();
    n.add(k.name());
    n.addAll(k.aliases());
    return n;
  }

  private static NodeConfig build(List<Setting> settings) {
    Builders b = new Builders();
    for (Setting s : settings) {
      if (s.value() != null) {
        try {
          s.key().apply().accept(b, s.value());
        } catch (IllegalArgumentException e) {
          throw new CliException(
              "invalid " + s.key().name() + " (from " + s.source() + "): " + e.getMessage(), e);
        }
      }
    }
    b.transport.tls(b.tlsCertificate, b.tlsKey);
    try {
      b.node.transport(b.transport.build());
    } catch (IllegalArgumentException e) {
      throw invalid("server", settings, e, "server.");
    }
    try {
      b.node.events(b.events.build());
    } catch (IllegalArgumentException e) {
      throw invalid("websocket", settings, e, "websocket.");
    }
    try {
      b.node.api(b.api.build());
    } catch (IllegalArgumentException e) {
      throw invalid("access", settings, e, "auth.", "api.", "websocket.cors.");
    }
    try {
      b.node.store(b.store.build());
    } catch (IllegalArgumentException e) {
      throw invalid("store", settings, e, "store.");
    }
    try {
      b.node.conn(b.conn.scheduler(b.scheduler.build()).firewall(b.firewall.build()).build());
    } catch (IllegalArgumentException e) {
      throw invalid("conn", settings, e, "conn.");
    }
    try {
      b.node.mesh(b.mesh.build());
    } catch (IllegalArgumentException e) {
      throw invalid("mesh", settings, e, "mesh.");
    }
    try {
      return b.node.build();
    } catch (IllegalArgumentException e) {
      throw invalid("node", settings, e, "");
    }
  }

  /**
   * A settings error that spans keys: names the section and where its non-default keys came from.
   */
  private static CliException invalid(
      String section, List<Setting> settings, Exception e, String... prefixes) {
    List<String> set = new ArrayList<>();
    for (Setting s : settings) {
      boolean inSection = false;
      for (String p : prefixes) {
        inSection |= s.key().name().startsWith(p);
      }
      if (inSection && s.source() != Source.DEFAULT) {
        set.add(s.key().name() + "=" + s.display() + " (" + s.source() + ")");
      }
    }
    return new CliException(
        "Invalid "
            + section
            + " settings: "
            + e.getMessage()
            + (set.isEmpty() ? "" : "; set here: " + String.join(", ", set)),
        e);
  }

  // ---- YAML ----

  private static Map<String, Object> readYaml(Path file) {
    Object doc;
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      doc = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromReader(r);
    } catch (IOException e) {
      throw new CliException("Cannot read the configuration file " + file + ": " + e, e);
    } catch (YamlEngineException e) {
      throw new CliException(
          "The configuration file " + file + " is not valid YAML: " + e.getMessage(), e);
    }
    Map<String, Object> flat = new LinkedHashMap<>();
    if (doc == null) {
      return flat;
    }
    if (!(doc instanceof Map<?, ?> map)) {
      throw new CliException(
          "Expected a mapping of settings at the top of " + file + " but found " + kind(doc));
    }
    flatten("", map, flat, file);
    return flat;
  }

  private static void flatten(String prefix, Map<?, ?> map, Map<String, Object> out, Path file) {
    for (Map.Entry<?, ?> e : map.entrySet()) {
      String key = prefix + e.getKey();
      Object v = e.getValue();
      if (v instanceof Map<?, ?> nested && ConfigKeys.find(key) == null) {
        flatten(key + ".", nested, out, file);
      } else {
        out.put(key, v);
      }
    }
  }

  // ---- values ----

  /** Reads {@code raw} (a YAML value or a string) as the key's kind. */
  static Object parse(Key key, Object raw, Source source, String as) {
    try {
      return parse(key.kind(), raw);
    } catch (IllegalArgumentException e) {
      throw new CliException(
          "Invalid value for "
              + key.name()
              + (as.equals(key.name()) ? "" : " (as " + as + ")")
              + " from "
              + source
              + ": "
              + e.getMessage());
    }
  }

  private static Object parse(Kind kind, Object raw) {
    if (raw == null) {
      throw new IllegalArgumentException("expected a value but it is empty");
    }
    switch (kind) {
      case INT, INT_OR_ZERO -> {
        long v = integer(raw);
        long min = kind == Kind.INT ? 1 : 0;
        if (v < min || v > Integer.MAX_VALUE) {
          throw new IllegalArgumentException(
              "expected a whole number from "
                  + min
                  + " to "
                  + Integer.MAX_VALUE
                  + " but was "
                  + quote(raw));
        }
        return (int) v;
      }
      case PORT -> {
        long v = integer(raw);
        if (v < 0 || v > 65_535) {
          throw new IllegalArgumentException(
              "expected a port from 0 to 65535 but was " + quote(raw));
        }
        return (int) v;
      }
      case BOOL -> {
        if (raw instanceof Boolean b) {
          return b;
        }
        String s = raw.toString().trim().toLowerCase(Locale.ROOT);
        if (s.equals("true") || s.equals("false")) {
          return Boolean.parseBoolean(s);
        }
        throw new IllegalArgumentException("expected true or false but was " + quote(raw));
      }
      case STRING -> {
        String s = scalar(raw).trim();
        if (s.isEmpty()) {
          throw new IllegalArgumentException("expected a value but it is empty");
        }
        return s;
      }
      case PATH -> {
        String s = scalar(raw).trim();
        if (s.isEmpty()) {
          throw new IllegalArgumentException("expected a path but it is empty");
        }
        if (s.equals("~") || s.startsWith("~/")) {
          s = System.getProperty("user.home") + s.substring(1);
        }
        return Path.of(s);
      }
      case DURATION, DURATION_OR_ZERO -> {
        Duration d = duration(raw);
        if (d.isNegative() || d.isZero() && kind == Kind.DURATION) {
          throw new IllegalArgumentException(
              "expected a duration above zero, like 30s, but was " + quote(raw));
        }
        return d;
      }
      case RATIO -> {
        double v;
        try {
          v = raw instanceof Number n ? n.doubleValue() : Double.parseDouble(raw.toString().trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("expected a number from 0 to 1 but was " + quote(raw));
        }
        if (!(v >= 0 && v <= 1)) {
          throw new IllegalArgumentException("expected a number from 0 to 1 but was " + quote(raw));
        }
        return v;
      }
      case LIST -> {
        return list(raw);
      }
      case URI_LIST -> {
        List<URI> uris = new ArrayList<>();
        for (String s : list(raw)) {
          try {
            URI u = new URI(s);
            if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme())
                || u.getHost() == null) {
              throw new URISyntaxException(s, "not a ws:// or wss:// URL with a host");
            }
            uris.add(u);
          } catch (URISyntaxException e) {
            throw new IllegalArgumentException("expected ws:// or wss:// URLs but got " + quote(s));
          }
        }
        return List.copyOf(uris);
      }
      default -> throw new IllegalStateException("unhandled kind " + kind);
    }
  }

  private static long integer(Object raw) {
    if (raw instanceof Integer || raw instanceof Long) {
      return ((Number) raw).longValue();
    }
    if (raw instanceof Number
        || raw instanceof Boolean
        || raw instanceof List
        || raw instanceof Map) {
      throw new IllegalArgumentException("expected a whole number but was " + quote(raw));
    }
    try {
      return Long.parseLong(raw.toString().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a whole number but was " + quote(raw));
    }
  }

  private static String scalar(Object raw) {
    if (raw instanceof List || raw instanceof Map) {
      throw new IllegalArgumentException("expected a single value but was " + kind(raw));
    }
    return raw.toString();
  }

  private static List<String> list(Object raw) {
    List<String> out = new ArrayList<>();
    if (raw instanceof List<?> l) {
      for (Object o : l) {
        out.add(scalar(o).trim());
      }
    } else {
      for (String part : scalar(raw).split(",")) {
        if (!part.isBlank()) {
          out.add(part.trim());
        }
      }
    }
    return List.copyOf(out);
  }

  /**
   * Go's duration syntax ({@code 30s}, {@code 1m30s}, {@code 250ms}) or ISO-8601 ({@code PT30S}).
   */
  static Duration duration(Object raw) {
    if (!(raw instanceof String)) {
      throw new IllegalArgumentException(
          "expected a duration with a unit, like 30s or 500ms, but was " + quote(raw));
    }
    String s = ((String) raw).trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    if (s.startsWith("P") || s.startsWith("p")) {
      try {
        return Duration.parse(s);
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("expected a duration like 30s but was " + quote(raw));
      }
    }
    Matcher m = GO_DURATION.matcher(s);
    int at = 0;
    double nanos = 0;
    while (at < s.length() && m.find(at) && m.start() == at) {
      double n = Double.parseDouble(m.group(1));
      nanos +=
          n
              * switch (m.group(2)) {
                case "ns" -> 1;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
              };
      at = m.end();
    }
    if (at == 0 || at != s.length()) {
      throw new IllegalArgumentException(
          "expected a duration like 30s, 1m30s or 500ms but was " + quote(raw));
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  /** A duration the way the configuration is written: {@code 54s}, {@code 1m30s}, {@code 250ms}. */
  static String formatDuration(Duration d) {
    if (d.isZero()) {
      return "0s";
    }
    if (d.toNanos() % 1_000_000_000L != 0) {
      return d.toMillis() + "ms";
    }
    long s = d.getSeconds();
    StringBuilder b = new StringBuilder();
    if (s >= 3600) {
      b.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      b.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      b.append(s).append('s');
    }
    return b.toString();
  }

  private static String quote(Object raw) {
    return raw instanceof String ? "\"" + raw + "\"" : kind(raw) + " " + raw;
  }

  private static String kind(Object raw) {
    if (raw instanceof List) {
      return "a list";
    }
    if (raw instanceof Map) {
      return "a mapping";
    }
    return raw == null ? "nothing" : raw.getClass().getSimpleName().toLowerCase(Locale.ROOT);
  }
}

package dev.grapevine.anproto;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Front matter parsing (SnakeYAML Engine) and emission matching the reference's YAML emitter. */
final class FrontMatter {
  private static final Pattern BLOCK =
      Pattern.compile("^\\ufeff?---[ \\t]*\\r?\\n([\\s\\S]*?)^---[ \\t]*(?:\\r?\\n|$)", Pattern.MULTILINE);

  private FrontMatter() {}

  static Content parse(String text) {
    Matcher m = BLOCK.matcher(text);
    if (!m.lookingAt()) {
      return Content.of(text, Map.of(), text);
    }
    try {
      Object loaded = new Load(LoadSettings.builder().build()).loadFromString(m.group(1));
      if (!(loaded instanceof Map)) {
        return Content.of(text, Map.of(), text);
      }
      Map<String, Object> attrs = new LinkedHashMap<>();
      ((Map<?, ?>) loaded).forEach((k, v) -> attrs.put(String.valueOf(k), v));
      return Content.of(text, attrs, text.substring(m.end()));
    } catch (RuntimeException e) {
      return Content.of(text, Map.of(), text);
    }
  }

  static String emit(Map<String, String> meta) {
    StringBuilder out = new StringBuilder();
    meta.forEach((k, v) -> out.append(k).append(": ").append(v).append('\n'));
    return out.toString();
  }
}

package dev.grapevine.sync;

import dev.grapevine.anproto.Content;
import dev.grapevine.anproto.Hash;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The hashes a content blob refers to: {@code previous}, {@code image} and inline images. */
final class ContentRefs {
  /** Markdown {@code ![alt](hash)} with a 44-char base64 hash. */
  private static final Pattern INLINE_IMAGE =
      Pattern.compile("!\\[[^\\]\\n]{0,256}\\]\\(([A-Za-z0-9+/]{43}=)\\)");

  private ContentRefs() {}

  /**
   * The well-formed hashes {@code text} refers to, in order: {@code previous}, {@code image}, then
   * each inline image of the body; no duplicates, at most {@code max}.
   */
  static List<Hash> of(String text, int max) {
    if (max == 0) {
      return List.of();
    }
    if (!mayRefer(text)) {
      return List.of();
    }
    return of(Content.parse(text), max);
  }

  /** Whether {@code text} may refer to anything: it has front matter or an inline image. */
  static boolean mayRefer(String text) {
    boolean frontMatter = text.startsWith("---") || text.startsWith("\ufeff---");
    return frontMatter || text.contains("![");
  }

  /** {@link #of(String, int)} for content parsed already. */
  static List<Hash> of(Content content, int max) {
    if (max == 0 || !mayRefer(content.text())) {
      return List.of();
    }
    Set<Hash> out = new LinkedHashSet<>();
    content.hash("previous").ifPresent(out::add);
    content.hash("image").ifPresent(out::add);
    Matcher m = INLINE_IMAGE.matcher(content.body());
    while (out.size() < max && m.find()) {
      if (Hash.isValid(m.group(1))) {
        out.add(Hash.parse(m.group(1)));
      }
    }
    return List.copyOf(out).subList(0, Math.min(max, out.size()));
  }
}

package dev.grapevine.testing;

import dev.grapevine.anproto.KeyPair;
import java.util.Random;

/** Deterministic key pairs for tests: the same index always gives the same key. */
public final class TestKeys {
  private TestKeys() {}

  /** The key pair number {@code index} (seeded, so stable across runs). */
  public static KeyPair key(int index) {
    byte[] seed = new byte[32];
    new Random(0x6772617065L + index).nextBytes(seed);
    return KeyPair.fromSeed(seed);
  }
}

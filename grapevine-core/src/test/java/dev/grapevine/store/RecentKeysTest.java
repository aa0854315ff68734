package dev.grapevine.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RecentKeysTest {
  @Test
  void theOldestDistinctKeyIsForgottenWhenTheRingIsFull() {
    RecentKeys keys = new RecentKeys(3);
    keys.add("a");
    keys.add("b");
    keys.add("a"); // already there: takes no slot
    keys.add("c");

    assertThat(keys.contains("a")).isTrue();

    keys.add("d");

    assertThat(keys.contains("a")).isFalse();
    assertThat(keys.contains("b")).isTrue();
    assertThat(keys.contains("c")).isTrue();
    assertThat(keys.contains("d")).isTrue();
  }

  @Test
  void aForgottenKeyCanComeBack() {
    RecentKeys keys = new RecentKeys(1);
    keys.add("a");
    keys.add("b");
    keys.add("a");

    assertThat(keys.contains("a")).isTrue();
    assertThat(keys.contains("b")).isFalse();
    assertThatThrownBy(() -> new RecentKeys(0)).isInstanceOf(IllegalArgumentException.class);
  }
}

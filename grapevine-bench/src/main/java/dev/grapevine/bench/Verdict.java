package dev.grapevine.bench;

import com.fasterxml.jackson.annotation.JsonValue;

/** How an end-to-end benchmark ended. */
public enum Verdict {
  /** Everything arrived and the ratio to the baseline is at or above the floor. */
  PASS("PASS"),
  /** Everything arrived, but the ratio to the baseline is below the floor. */
  BELOW_FLOOR("BELOW FLOOR"),
  /** Something was lost, dropped, rejected, stalled or timed out; the figures are not valid. */
  FAILED("FAILED");

  private final String label;

  Verdict(String label) {
    this.label = label;
  }

  /** The word printed in reports, for example {@code "BELOW FLOOR"}. */
  @JsonValue
  public String label() {
    return label;
  }

  @Override
  public String toString() {
    return label;
  }
}

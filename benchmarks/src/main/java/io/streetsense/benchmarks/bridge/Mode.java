package io.streetsense.benchmarks.bridge;

import java.util.Locale;

/** How the consumer meets the messages. */
enum Mode {
  /**
   * Publishers run while the consumer is connected, at full speed (a closed-loop saturation test:
   * each publisher sends as fast as the broker acknowledges, not at a fixed rate).
   */
  LIVE,
  /** A backlog is published while the consumer is offline (persistent session), then drained. */
  DRAIN;

  String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}

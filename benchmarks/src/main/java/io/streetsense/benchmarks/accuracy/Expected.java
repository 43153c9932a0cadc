package io.streetsense.benchmarks.accuracy;

import io.streetsense.simulator.GroundTruth;
import java.time.Instant;
import java.util.Objects;

/**
 * One violation the pipeline must open: a detectable ground-truth entry, or several of one zone and
 * type merged because they follow each other closer than the clear time (the pipeline keeps one
 * violation open per zone and type, so it opens them once).
 *
 * @param block block id
 * @param zone zone id
 * @param type violation type (service code)
 * @param shop shop concerned, or {@code null}
 * @param from when the violating situation starts
 * @param to when it ends
 * @param merged how many ground-truth entries this stands for, at least 1
 */
public record Expected(
    String block, String zone, String type, String shop, Instant from, Instant to, int merged) {
  public Expected {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (to.isBefore(from)) {
      throw new IllegalArgumentException("to " + to + " is before from " + from);
    }
    if (merged < 1) {
      throw new IllegalArgumentException("merged must be at least 1, got " + merged);
    }
  }

  /** One ground-truth entry. */
  public static Expected of(GroundTruth.Violation v) {
    return new Expected(v.block(), v.zone(), v.type(), v.shop(), v.from(), v.to(), 1);
  }

  String key() {
    return block + "/" + zone + "/" + type;
  }
}

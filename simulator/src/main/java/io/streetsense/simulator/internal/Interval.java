package io.streetsense.simulator.internal;

import java.time.Instant;

/** A span of simulated time, {@code from} inclusive, {@code to} exclusive. */
public record Interval(Instant from, Instant to) {
  public boolean contains(Instant t) {
    return !t.isBefore(from) && t.isBefore(to);
  }
}

package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Something scripted to happen on the simulated street: the ground truth a detector is measured
 * against. Times are offsets from the scenario's start, so one script can be replayed at any
 * simulated date (a scripted day starts at local midnight; the demo ends "now").
 *
 * <p>{@link StreetScenario} checks each event against its block map (zone exists and has the right
 * kind, a camera sees it) when the scenario is built.
 */
public sealed interface ScriptedEvent
    permits IllegalStall,
        OutOfDoorwayGoods,
        VehiclesInNoParking,
        ZoneFull,
        MovingVendor,
        Lingering,
        ParkedVehicle,
        ZoneOccupied,
        Occlusion,
        FalseDetection {

  /** Zone the event happens in. */
  String zoneId();

  /** Offset from the scenario's start at which it begins (inclusive). */
  Duration from();

  /** Offset from the scenario's start at which it ends (exclusive). */
  Duration to();

  /** Checks {@code from} and {@code to} for the compact constructors. */
  static void checkSpan(String zoneId, Duration from, Duration to) {
    Objects.requireNonNull(zoneId, "zoneId");
    Objects.requireNonNull(from, "from");
    Objects.requireNonNull(to, "to");
    if (from.isNegative()) {
      throw new IllegalArgumentException("from must not be negative, got " + from);
    }
    if (to.compareTo(from) <= 0) {
      throw new IllegalArgumentException("to must be after from, got from " + from + " to " + to);
    }
  }
}

package io.streetsense.detectors.parking;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.ParkingOverflowRule;
import io.streetsense.blockmap.Sensor;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import java.io.Serializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The parking-overflow rule of one parking zone (docs/interfaces.md, the zone's effective {@code
 * rules.parking_overflow}): at least {@code requiredOccupied} of its {@code capacity} berths
 * occupied while at least {@code vehicles} vehicles stand in its {@code noParking} zones, both for
 * {@code dwell}. Only parking zones with no-parking zones have one: without them no vehicle can be
 * counted.
 *
 * <p>Vehicles: the block map only says where they must not stand. A camera object of class {@value
 * #VEHICLE_CLASS} with confidence at least {@value #VEHICLE_MIN_CONF} whose ground point lies in a
 * camera's view of a no-parking zone stands there once its ground point has stayed within {@value
 * #VEHICLE_MAX_DRIFT} (normalised image units) of where it was first seen for {@link
 * #VEHICLE_STANDING} while seen in at least {@value #VEHICLE_PRESENCE} of the camera's frames, and
 * stops standing when unseen for {@link #VEHICLE_GRACE} ({@link #VEHICLE_HIDDEN_GRACE} when every
 * vehicle that stood there vanished at once: the kerb is hidden). The drift is a little wider than
 * a stall's (0.03): a car's box is larger, and its bottom edge jitters more with the detector.
 */
public record OverflowRule(
    String blockId,
    String zoneId,
    int capacity,
    int requiredOccupied,
    int vehicles,
    Duration dwell,
    Duration clearFor,
    List<String> noParking,
    List<String> alternatives,
    List<String> sensors)
    implements Serializable {

  public static final String VEHICLE_CLASS = "vehicle";
  public static final double VEHICLE_MIN_CONF = 0.5;
  public static final double VEHICLE_MAX_DRIFT = 0.04;
  public static final double VEHICLE_PRESENCE = 0.5;
  public static final Duration VEHICLE_STANDING = Duration.ofSeconds(30);

  /** How long a vehicle keeps counting after it was last seen while others are still seen. */
  public static final Duration VEHICLE_GRACE = Duration.ofSeconds(15);

  /**
   * How long the vehicles that stood on a kerb keep counting when all of them vanished together
   * (within {@link #VEHICLES_TOGETHER} of each other): a bus or a van in front of the camera hides
   * the whole kerb at once, while a car that leaves goes alone as the others stay in view. A
   * generated day with a 22 s occlusion lost a real overflow when every car stopped counting after
   * 15 s and the 10-minute dwell began again; a plain 45 s grace instead let a car that had left
   * count on beside the two that stayed (a false overflow on another day).
   */
  public static final Duration VEHICLE_HIDDEN_GRACE = Duration.ofSeconds(45);

  /** Last sightings this close count as vanishing together (one or two missed frames apart). */
  public static final Duration VEHICLES_TOGETHER = Duration.ofSeconds(5);

  public OverflowRule {
    noParking = List.copyOf(noParking);
    alternatives = List.copyOf(alternatives);
    sensors = List.copyOf(sensors);
  }

  /** The rules of a block's parking zones that have no-parking zones, in map order. */
  public static List<OverflowRule> forBlock(BlockMap block) {
    List<OverflowRule> rules = new ArrayList<>();
    for (Zone zone : block.zonesOfKind(ZoneKind.PARKING)) {
      if (zone.noParking().isEmpty()) {
        continue;
      }
      ParkingOverflowRule rule = zone.rules().parkingOverflow();
      int capacity = zone.capacity().orElse(0);
      rules.add(
          new OverflowRule(
              block.id(),
              zone.id(),
              capacity,
              requiredOccupied(rule.occupancy(), capacity),
              rule.vehicles(),
              rule.dwell(),
              zone.rules().verify().clearFor(),
              zone.noParking(),
              zone.alternatives(),
              block.sensorsInZone(zone.id()).stream().map(Sensor::id).toList()));
    }
    return rules;
  }

  /**
   * Berths that make {@code occupied / capacity >= occupancy}, computed once in integers so that
   * 1.0 of 8 is 8 and not 7.999….
   */
  static int requiredOccupied(double occupancy, int capacity) {
    return Math.max(1, (int) Math.ceil(occupancy * capacity - 1e-9));
  }

  public static boolean isVehicle(String cls, double conf) {
    return VEHICLE_CLASS.equals(cls) && conf >= VEHICLE_MIN_CONF;
  }
}

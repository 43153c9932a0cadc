package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.IllegalStallRule;
import io.streetsense.blockmap.OutOfDoorwayRule;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import io.streetsense.schemas.ViolationType;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The presence rule that applies to one camera-watched zone: which objects count, for how long they
 * must stand and when they are allowed.
 *
 * <ul>
 *   <li>{@code no_vending}: stalls, carts, tricycles standing still are an {@code ILLEGAL_STALL} at
 *       any time.
 *   <li>{@code market}: the same, but only outside the market's schedule.
 *   <li>{@code frontage}: goods and furniture beyond the doorway are {@code OUT_OF_DOORWAY_TRADING}
 *       outside the shop's outdoor permit windows.
 * </ul>
 *
 * @param maxDrift a ground point moving less than this between frames is the same standing object
 * @param allowedWindows local-time windows in which the objects are legal (market schedule, outdoor
 *     permit); empty when never legal
 */
public record PresenceRule(
    String blockId,
    String zoneId,
    ViolationType type,
    String shopId,
    Set<String> classes,
    double minConf,
    Duration dwell,
    double presence,
    double maxDrift,
    Duration clearFor,
    List<TimeWindow> allowedWindows,
    ZoneId timezone)
    implements Serializable {

  /**
   * Goods and furniture are not vendors on the move, but tables and racks get nudged; the block map
   * has no drift key for frontages, so this tolerance keeps one table one object.
   */
  public static final double FRONTAGE_MAX_DRIFT = 0.05;

  public PresenceRule {
    classes = Set.copyOf(classes);
    allowedWindows = List.copyOf(allowedWindows);
  }

  /** The rule for a zone, or empty when presence detection does not apply to its kind. */
  public static Optional<PresenceRule> forZone(BlockMap block, Zone zone) {
    switch (zone.kind()) {
      case NO_VENDING:
      case MARKET:
        {
          IllegalStallRule rule = zone.rules().illegalStall();
          return Optional.of(
              new PresenceRule(
                  block.id(),
                  zone.id(),
                  ViolationType.ILLEGAL_STALL,
                  null,
                  rule.classes(),
                  rule.minConf(),
                  rule.dwell(),
                  rule.presence(),
                  rule.maxDrift(),
                  zone.rules().verify().clearFor(),
                  zone.schedule(),
                  block.timezone()));
        }
      case FRONTAGE:
        {
          OutOfDoorwayRule rule = zone.rules().outOfDoorway();
          String shopId = zone.shop().orElse(null);
          List<TimeWindow> permits =
              shopId == null
                  ? List.of()
                  : block.shop(shopId).map(shop -> shop.outdoor()).orElse(List.of());
          return Optional.of(
              new PresenceRule(
                  block.id(),
                  zone.id(),
                  ViolationType.OUT_OF_DOORWAY_TRADING,
                  shopId,
                  rule.classes(),
                  rule.minConf(),
                  rule.dwell(),
                  rule.presence(),
                  FRONTAGE_MAX_DRIFT,
                  zone.rules().verify().clearFor(),
                  permits,
                  block.timezone()));
        }
      default:
        return Optional.empty();
    }
  }

  public boolean counts(String cls, double conf) {
    return conf >= minConf && classes.contains(cls);
  }

  /** Whether the objects are legal at this instant (market open, outdoor permit valid). */
  public boolean allowedAt(long epochMillis) {
    return !allowedWindows.isEmpty()
        && TimeWindow.anyContains(allowedWindows, Instant.ofEpochMilli(epochMillis), timezone);
  }
}

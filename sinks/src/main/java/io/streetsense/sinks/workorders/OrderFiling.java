package io.streetsense.sinks.workorders;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.Zone;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.Severity;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Objects;
import java.util.Optional;

/**
 * A new work order from an OPENED violation: its id ({@link WorkOrderIds}), order key, the zone's
 * location, the shop of a frontage, severity, the detectors' evidence, the FILE entry of its
 * history, and the team the block's {@code routing} sends it to (by type and shop category). Free
 * of Flink; the dispatch itself is the loop's.
 */
public final class OrderFiling implements Serializable {
  private static final long serialVersionUID = 1L;

  /** A filed order (status FILED) and where it goes: the routed team, or none. */
  public record Filed(WorkOrder order, Optional<String> team) {}

  private final BlockMaps blockMaps;
  private final WorkOrderLifecycle lifecycle;

  public OrderFiling(BlockMaps blockMaps, WorkOrderLifecycle lifecycle) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.lifecycle = Objects.requireNonNull(lifecycle, "lifecycle");
  }

  public Filed file(ViolationEvent event) {
    BlockMap block = block(blockMaps, event.getBlockId());
    Zone zone =
        block
            .zone(event.getZoneId())
            .orElseThrow(() -> new IllegalStateException("unknown zone " + event.getZoneId()));
    Optional<Shop> shop =
        event.getShopId() == null ? Optional.empty() : block.shop(event.getShopId());
    Optional<String> team =
        block.routeTeam(mapType(event.getType()), shop.map(Shop::category).orElse(null));
    Instant filedAt = event.getEventTime();

    WorkOrder order =
        WorkOrder.newBuilder()
            .setId(
                WorkOrderIds.of(
                    event.getType(), zone.id(), event.getDetectedAt(), block.timezone()))
            .setOrderKey(WorkOrderIds.ownerKey(block.id(), zone.id(), event.getType()))
            .setType(event.getType())
            .setBlockId(block.id())
            .setBlockName(block.name())
            .setZoneId(zone.id())
            .setShopId(shop.map(Shop::id).orElse(null))
            .setShopName(shop.map(Shop::name).orElse(null))
            .setTeamId(null)
            .setStatus(WorkOrderStatus.FILED)
            .setSeverity(severity(event.getType()))
            .setViolationId(event.getViolationId())
            .setDetectedAt(event.getDetectedAt())
            .setFiledAt(filedAt)
            .setUpdatedAt(filedAt)
            .setLocation(new GeoPoint(zone.location().lat(), zone.location().lon()))
            .setEvidence(event.getEvidence())
            .setHistory(new ArrayList<>())
            .setWaitingFor(WaitingFor.OPERATIONS_CENTRE)
            .build();
    String description = describe(event, zone, shop);
    order
        .getHistory()
        .add(
            lifecycle.entry(
                filedAt,
                null,
                WorkOrderStatus.FILED,
                TransitionKind.FILE,
                WorkOrderLifecycle.ACTOR_DETECTOR,
                description,
                null));
    order.setLatestNote(
        team.isPresent()
            ? description
            : "no routing line of block "
                + block.id()
                + " matches: waiting for the operations centre");
    return new Filed(order, team);
  }

  /**
   * Severity by type: obstruction of the carriageway or pavement first, frontage spill-over last.
   */
  public static Severity severity(ViolationType type) {
    switch (type) {
      case PARKING_OVERFLOW:
      case ILLEGAL_STALL:
        return Severity.MEDIUM;
      case OUT_OF_DOORWAY_TRADING:
        return Severity.LOW;
      default:
        return Severity.UNKNOWN;
    }
  }

  static BlockMap block(BlockMaps blockMaps, String blockId) {
    return blockMaps
        .block(blockId)
        .orElseThrow(() -> new IllegalStateException("unknown block " + blockId));
  }

  static io.streetsense.blockmap.ViolationType mapType(ViolationType type) {
    return io.streetsense.blockmap.ViolationType.valueOf(type.name());
  }

  private static String describe(ViolationEvent event, Zone zone, Optional<Shop> shop) {
    Duration dwell = Duration.ofMillis(event.getDwellMillis());
    return event.getType()
        + " in "
        + zone.kind().yamlName()
        + " zone "
        + zone.id()
        + shop.map(s -> " (" + s.name() + ")").orElse("")
        + ", seen for "
        + dwell.toMinutes()
        + " min "
        + dwell.toSecondsPart()
        + " s";
  }
}

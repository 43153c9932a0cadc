package io.streetsense.sinks.workorders;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Deadlines;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.Zone;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.Severity;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The single writer of work orders: one instance of state per zone and violation type (keyed by
 * {@link WorkOrderIds#ownerKey}), so there is never more than one open order per zone and type.
 *
 * <ul>
 *   <li>A violation OPENED files an order and dispatches it to the team the block's routing names
 *       (by type and, for frontages, the shop's category), with accept and resolve deadlines from
 *       the block's {@code deadlines}. Without a matching team it stays FILED with the operations
 *       centre.
 *   <li>UPDATED adds the new evidence to the open order.
 *   <li>CLEARED before anyone acted closes the order as SELF_CLEARED.
 * </ul>
 *
 * Every change appends a transition naming who made it, when (event time and processing time) and
 * why, and emits the full order. Times of the street come from the events; the injected clock only
 * stamps when the pipeline applied a change.
 */
public final class WorkOrderProcessor
    extends KeyedProcessFunction<String, ViolationEvent, WorkOrder> {
  private static final long serialVersionUID = 1L;

  /** Statuses in which a team has not acted yet: a clear violation closes these by itself. */
  private static final Set<WorkOrderStatus> UNTOUCHED =
      EnumSet.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED);

  public static final String ACTOR_DETECTOR = "detector";
  public static final String ACTOR_SYSTEM = "system";

  private final BlockMaps blockMaps;
  private final Clock clock;
  private transient ValueState<WorkOrder> openOrder;
  private transient Counter filed;
  private transient Counter selfCleared;

  public WorkOrderProcessor(BlockMaps blockMaps, Clock clock) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public void open(OpenContext openContext) {
    openOrder =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("open-order", TypeInformation.of(WorkOrder.class)));
    filed = getRuntimeContext().getMetricGroup().counter("filed");
    selfCleared = getRuntimeContext().getMetricGroup().counter("selfCleared");
  }

  @Override
  public void processElement(ViolationEvent event, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    WorkOrder current = openOrder.value();
    switch (event.getKind()) {
      case OPENED:
        if (current == null) {
          WorkOrder order = file(event);
          filed.inc();
          openOrder.update(order);
          out.collect(order);
        } else {
          // One open order per zone and type: new evidence updates it, never opens another.
          out.collect(updateEvidence(current, event));
        }
        break;
      case UPDATED:
        if (current != null) {
          out.collect(updateEvidence(current, event));
        }
        break;
      case CLEARED:
        if (current != null && UNTOUCHED.contains(current.getStatus())) {
          WorkOrder closed =
              transition(
                  current,
                  WorkOrderStatus.SELF_CLEARED,
                  event.getEventTime(),
                  ACTOR_DETECTOR,
                  "the zone was seen clear before anyone acted");
          selfCleared.inc();
          openOrder.clear();
          out.collect(closed);
        }
        break;
      default:
        break;
    }
  }

  private WorkOrder file(ViolationEvent event) {
    BlockMap block =
        blockMaps
            .block(event.getBlockId())
            .orElseThrow(() -> new IllegalStateException("unknown block " + event.getBlockId()));
    Zone zone =
        block
            .zone(event.getZoneId())
            .orElseThrow(() -> new IllegalStateException("unknown zone " + event.getZoneId()));
    Optional<Shop> shop =
        event.getShopId() == null ? Optional.empty() : block.shop(event.getShopId());
    io.streetsense.blockmap.ViolationType mapType =
        io.streetsense.blockmap.ViolationType.valueOf(event.getType().name());
    Optional<String> team = block.routeTeam(mapType, shop.map(Shop::category).orElse(null));
    Deadlines deadlines = block.deadlines(mapType);
    Instant filedAt = event.getEventTime();

    WorkOrder order =
        WorkOrder.newBuilder()
            .setId(
                WorkOrderIds.of(
                    event.getType(), zone.id(), event.getDetectedAt(), block.timezone()))
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
            .build();
    order
        .getHistory()
        .add(
            entry(
                filedAt, null, WorkOrderStatus.FILED, ACTOR_DETECTOR, describe(event, zone, shop)));
    if (team.isEmpty()) {
      order.setLatestNote("no routing line matches: waiting for the operations centre");
      return order;
    }
    order.setTeamId(team.get());
    order.setAcceptBy(filedAt.plus(deadlines.accept()));
    order.setResolveBy(filedAt.plus(deadlines.resolve()));
    return transition(
        order,
        WorkOrderStatus.DISPATCHED,
        filedAt,
        ACTOR_SYSTEM,
        "routed to " + team.get() + " by the routing of block " + block.id());
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

  private static Severity severity(ViolationType type) {
    // Obstruction of the carriageway or pavement first; frontage spill-over is the mildest.
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

  private WorkOrder updateEvidence(WorkOrder current, ViolationEvent event) throws Exception {
    WorkOrder updated = WorkOrder.newBuilder(current).build();
    updated.setEvidence(event.getEvidence());
    updated.setUpdatedAt(max(current.getUpdatedAt(), event.getEventTime()));
    openOrder.update(updated);
    return updated;
  }

  private WorkOrder transition(
      WorkOrder current, WorkOrderStatus to, Instant at, String actor, String reason) {
    WorkOrder next = WorkOrder.newBuilder(current).build();
    List<WorkOrderTransition> history = new ArrayList<>(current.getHistory());
    history.add(entry(at, current.getStatus(), to, actor, reason));
    next.setHistory(history);
    next.setStatus(to);
    next.setUpdatedAt(max(current.getUpdatedAt(), at));
    return next;
  }

  private WorkOrderTransition entry(
      Instant at, WorkOrderStatus from, WorkOrderStatus to, String actor, String reason) {
    return WorkOrderTransition.newBuilder()
        .setAt(at)
        .setRecordedAt(clock.instant())
        .setFromStatus(from)
        .setToStatus(to)
        .setActor(actor)
        .setReason(reason)
        .build();
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}

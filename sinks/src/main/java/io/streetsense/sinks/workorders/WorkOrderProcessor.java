package io.streetsense.sinks.workorders;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Deadlines;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.Zone;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.Severity;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.sinks.workorders.RefusedAction.Code;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimeDomain;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The single writer of work orders: the closed loop of GB/T 30428 for one zone and violation type
 * (keyed by {@link WorkOrderIds#ownerKey}), fed by the detectors' violation events (input 1) and
 * the teams' and operations centre's actions (input 2, keyed by {@link TeamActions#orderKey}).
 *
 * <p>The states, transitions, verification rules and time semantics are documented in {@code
 * sinks/README.md}, section "Work-order loop"; in short:
 *
 * <ul>
 *   <li>OPENED files an order and dispatches it by the block's routing with accept and resolve
 *       deadlines; UPDATED adds evidence; CLEARED before anyone acted self-clears it.
 *   <li>Teams accept, resolve and reject their own orders; the operations centre reroutes and
 *       cancels. An action that may not be applied is refused with a reason ({@link #REFUSED}),
 *       never applied; an action id is applied once.
 *   <li>A resolved order closes when the detectors report the zone clear for {@code clear_for};
 *       evidence {@code clear_for} after the resolution sends it back to the team (REWORK).
 *   <li>Deadlines are event-time timers: each escalates once, survives restarts, and leaves the
 *       order with the team.
 *   <li>Both inputs are held until the watermark passes them and then applied in event-time order
 *       (violations before actions at the same millisecond), so a replay gives the same orders
 *       whatever the arrival order. Actions waiting while the street's event time stands still
 *       longer than {@link WorkOrderConfig#streetStallLimit} are applied ahead of it, and the
 *       history says so.
 * </ul>
 *
 * Every change appends a transition naming who made it, when (event time and processing time, the
 * latter from the injected clock) and why, and emits the full order. Each transition also emits a
 * {@link WorkOrderTally} delta ({@link #TALLIES}) for the {@code workorders} and {@code closure}
 * metrics.
 */
public final class WorkOrderProcessor
    extends KeyedCoProcessFunction<String, ViolationEvent, TeamAction, WorkOrder> {
  private static final long serialVersionUID = 2L;
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderProcessor.class);

  /** Same-millisecond ties: a fixed order, so every arrival order gives the same history. */
  private static final Comparator<ViolationEvent> VIOLATION_ORDER =
      Comparator.comparing((ViolationEvent v) -> v.getViolationId())
          .thenComparing(v -> v.getKind().ordinal());

  private static final Comparator<TeamAction> ACTION_ORDER =
      Comparator.comparing(TeamAction::getActionId);

  public static final OutputTag<RefusedAction> REFUSED =
      new OutputTag<>("refused-actions", TypeInformation.of(RefusedAction.class));
  public static final OutputTag<WorkOrderTally> TALLIES =
      new OutputTag<>("work-order-tallies", TypeInformation.of(WorkOrderTally.class));

  public static final String ACTOR_DETECTOR = "detector";
  public static final String ACTOR_SYSTEM = "system";
  public static final String TEAM_PREFIX = "team:";
  public static final String OPS_PREFIX = "ops:";

  public static final String ESCALATION_ACCEPT = "ACCEPT";
  public static final String ESCALATION_RESOLVE = "RESOLVE";

  /** No team has acted yet (or it handed the order back): a clear zone closes these by itself. */
  private static final Set<WorkOrderStatus> UNTOUCHED =
      EnumSet.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED, WorkOrderStatus.REJECTED);

  private static final Set<WorkOrderStatus> AWAITING_ACCEPT =
      EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK);
  private static final Set<WorkOrderStatus> AWAITING_RESOLVE =
      EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK);
  private static final Set<WorkOrderStatus> RESOLVABLE =
      EnumSet.of(WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK);
  private static final Set<WorkOrderStatus> REJECTABLE =
      EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.ACCEPTED, WorkOrderStatus.REWORK);
  private static final Set<WorkOrderStatus> REROUTABLE =
      EnumSet.of(
          WorkOrderStatus.FILED,
          WorkOrderStatus.DISPATCHED,
          WorkOrderStatus.REWORK,
          WorkOrderStatus.REJECTED);

  private final BlockMaps blockMaps;
  private final Clock clock;
  private final WorkOrderConfig config;

  private transient ValueState<WorkOrder> openOrder;
  private transient ValueState<LoopState> loop;
  private transient EventTimeBuffer<ViolationEvent> pendingViolations;
  private transient EventTimeBuffer<TeamAction> pendingActions;
  private transient ValueState<StreetWatch> streetWatch;
  private transient Counter filed;
  private transient Counter selfCleared;
  private transient Counter closed;
  private transient Counter reworked;
  private transient Counter escalated;
  private transient Counter applied;
  private transient Counter refused;
  private transient Counter duplicates;
  private transient Counter lateInputs;
  private transient Counter appliedAheadOfStreet;

  public WorkOrderProcessor(BlockMaps blockMaps, Clock clock) {
    this(blockMaps, clock, WorkOrderConfig.defaults());
  }

  public WorkOrderProcessor(BlockMaps blockMaps, Clock clock, WorkOrderConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public void open(OpenContext openContext) {
    openOrder =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("open-order", TypeInformation.of(WorkOrder.class)));
    loop =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("loop", TypeInformation.of(LoopState.class)));
    pendingViolations =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-violations",
            TypeInformation.of(ViolationEvent.class),
            VIOLATION_ORDER);
    pendingActions =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-actions",
            TypeInformation.of(TeamAction.class),
            ACTION_ORDER);
    streetWatch =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("street-watch", TypeInformation.of(StreetWatch.class)));
    var metrics = getRuntimeContext().getMetricGroup();
    filed = metrics.counter("filed");
    selfCleared = metrics.counter("selfCleared");
    closed = metrics.counter("closed");
    reworked = metrics.counter("reworked");
    escalated = metrics.counter("escalated");
    applied = metrics.counter("appliedActions");
    refused = metrics.counter("refusedActions");
    duplicates = metrics.counter("duplicateActions");
    lateInputs = metrics.counter("lateInputs");
    appliedAheadOfStreet = metrics.counter("actionsAppliedAheadOfStreet");
  }

  /** One change being made to a key's state: what to emit and what to keep. */
  private final class Change {
    final Context ctx;
    final Collector<WorkOrder> out;
    WorkOrder order;
    LoopState state;
    boolean emit;

    Change(Context ctx, Collector<WorkOrder> out) throws Exception {
      this.ctx = ctx;
      this.out = out;
      this.order = openOrder.value();
      this.state = loop.value();
    }

    LoopState state() {
      if (state == null) {
        state = new LoopState();
      }
      return state;
    }

    void tally(WorkOrderTally tally) {
      ctx.output(TALLIES, tally);
    }

    void refuse(TeamAction action, Code code, String detail) {
      refused.inc();
      ctx.output(REFUSED, new RefusedAction(action, code, detail, clock.millis()));
    }

    /** Emits the order if it changed, stores state and brings the timers in line with it. */
    void commit() throws Exception {
      if (emit && order != null) {
        out.collect(order);
      }
      if (order != null && isFinal(order.getStatus())) {
        rememberClosed();
      }
      if (state != null) {
        syncTimers(ctx.timerService(), order, state);
      }
      if (order == null && state != null && state.closedOrderId == null) {
        state = null; // nothing open, nothing to remember
      }
      if (order == null) {
        openOrder.clear();
      } else {
        openOrder.update(order);
      }
      if (state == null) {
        loop.clear();
      } else {
        loop.update(state);
      }
    }

    private void rememberClosed() {
      LoopState s = state();
      s.closedOrderId = order.getId();
      s.closedStatus = order.getStatus().name();
      s.closedAt = order.getClosedAt().toEpochMilli();
      s.retainUntil = s.closedAt + config.closedRetention().toMillis();
      // The violation that follows (if any) starts a new order with fresh evidence.
      s.violationActive = false;
      s.violationId = null;
      s.lastEvidenceAt = Long.MIN_VALUE;
      s.clearedAt = Long.MIN_VALUE;
      s.escalatedAcceptBy = Long.MIN_VALUE;
      s.escalatedResolveBy = Long.MIN_VALUE;
      s.reportedNoEvidenceAt = Long.MIN_VALUE;
      order = null;
      syncTimers(ctx.timerService(), null, s);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Violations

  @Override
  public void processElement1(ViolationEvent event, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    long at = event.getEventTime().toEpochMilli();
    if (at > ctx.timerService().currentWatermark()) {
      pendingViolations.add(at, event, ctx.timerService());
      return;
    }
    // The detectors emit a violation just before the watermark that passes it, so this does not
    // happen in the job; should it, the event is applied as it comes rather than dropped.
    lateInputs.inc();
    applyViolation(event, ctx, out);
  }

  private void applyViolation(ViolationEvent event, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    Change change = new Change(ctx, out);
    switch (event.getKind()) {
      case OPENED:
        if (change.order == null) {
          file(change, event);
        } else {
          // One open order per zone and type: new evidence updates it, never opens another.
          evidence(change, event);
        }
        break;
      case UPDATED:
        if (change.order != null) {
          evidence(change, event);
        }
        break;
      case CLEARED:
        if (change.order != null) {
          cleared(change, event);
        }
        break;
      default:
        break;
    }
    change.commit();
  }

  private void file(Change change, ViolationEvent event) {
    BlockMap block = block(event.getBlockId());
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
            entry(
                filedAt,
                null,
                WorkOrderStatus.FILED,
                TransitionKind.FILE,
                ACTOR_DETECTOR,
                description,
                null));
    order.setLatestNote(description);
    filed.inc();
    LoopState s = change.state();
    s.violationActive = true;
    s.violationId = event.getViolationId();
    s.lastEvidenceAt = filedAt.toEpochMilli();
    change.order = order;
    change.emit = true;

    WorkOrderTally filedTally = tally(order, filedAt);
    filedTally.filed = 1;
    filedTally.open = 1;
    if (team.isEmpty()) {
      order.setLatestNote(
          "no routing line of block " + block.id() + " matches: waiting for the operations centre");
      change.tally(filedTally);
      return;
    }
    filedTally.teamId = team.get();
    change.tally(filedTally);
    dispatch(
        change,
        team.get(),
        filedAt,
        TransitionKind.DISPATCH,
        ACTOR_SYSTEM,
        "routed to " + team.get() + " by the routing of block " + block.id(),
        null);
  }

  /** Hands the order to a team with fresh deadlines from {@code at}. */
  private void dispatch(
      Change change,
      String teamId,
      Instant at,
      TransitionKind kind,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder order = change.order;
    Deadlines deadlines = block(order.getBlockId()).deadlines(mapType(order.getType()));
    WorkOrder next = transition(order, kind, WorkOrderStatus.DISPATCHED, at, actor, reason, action);
    next.setTeamId(teamId);
    next.setDispatchedAt(at);
    next.setAcceptBy(at.plus(deadlines.accept()));
    next.setResolveBy(at.plus(deadlines.resolve()));
    next.setWaitingFor(WaitingFor.TEAM_ACCEPT);
    if (action == null || action.getNote() == null) {
      next.setLatestNote(reason + "; accept by " + next.getAcceptBy());
    }
    change.order = next;
    change.emit = true;
    WorkOrderTally dispatched = tally(next, at);
    dispatched.dispatched = 1;
    change.tally(dispatched);
  }

  private void evidence(Change change, ViolationEvent event) {
    WorkOrder order = WorkOrder.newBuilder(change.order).build();
    LoopState s = change.state();
    long t = event.getEventTime().toEpochMilli();
    boolean again = s.violationId != null && !s.violationId.equals(event.getViolationId());
    s.violationActive = true;
    s.violationId = event.getViolationId();
    s.lastEvidenceAt = Math.max(s.lastEvidenceAt, t);
    order.setEvidence(event.getEvidence());
    order.setUpdatedAt(max(order.getUpdatedAt(), event.getEventTime()));
    change.order = order;
    change.emit = true;
    if (order.getStatus() != WorkOrderStatus.RESOLVED) {
      return;
    }
    Instant resolvedAt = order.getResolvedAt();
    Duration clearFor = clearFor(order);
    if (!event.getEventTime().isBefore(resolvedAt.plus(clearFor))) {
      rework(
          change,
          event.getEventTime(),
          "verification failed: the violation is "
              + (again ? "there again (" + event.getViolationId() + ")" : "still there")
              + ", seen at "
              + event.getEventTime()
              + ", "
              + clearFor
              + " after the resolution at "
              + resolvedAt);
    } else {
      order.setWaitingFor(WaitingFor.VERIFICATION);
      order.setLatestNote(
          "verification: still seen at "
              + event.getEventTime()
              + "; closes once the zone is seen clear for "
              + clearFor
              + ", goes back to the team if still seen from "
              + resolvedAt.plus(clearFor));
    }
  }

  private void cleared(Change change, ViolationEvent event) {
    LoopState s = change.state();
    s.violationActive = false;
    s.clearedAt = event.getEventTime().toEpochMilli();
    WorkOrder order = change.order;
    Instant at = event.getEventTime();
    Duration clearFor = clearFor(order);
    if (UNTOUCHED.contains(order.getStatus())) {
      finish(
          change,
          TransitionKind.SELF_CLEAR,
          WorkOrderStatus.SELF_CLEARED,
          at,
          ACTOR_DETECTOR,
          "the zone was seen clear for " + clearFor + " before anyone acted",
          null);
    } else if (order.getStatus() == WorkOrderStatus.RESOLVED) {
      finish(
          change,
          TransitionKind.CLOSE,
          WorkOrderStatus.CLOSED,
          at,
          ACTOR_DETECTOR,
          "verified: the zone was seen clear by an online camera for " + clearFor,
          null);
    } else {
      // ACCEPTED or REWORK: the team still reports; a later RESOLVE closes at once.
      WorkOrder next = WorkOrder.newBuilder(order).build();
      next.setUpdatedAt(max(order.getUpdatedAt(), at));
      next.setLatestNote(
          "the zone has been seen clear for "
              + clearFor
              + " (at "
              + at
              + "): waiting for the team to report it resolved");
      change.order = next;
      change.emit = true;
    }
  }

  private void rework(Change change, Instant at, String reason) {
    WorkOrder order = change.order;
    Deadlines deadlines = block(order.getBlockId()).deadlines(mapType(order.getType()));
    WorkOrder next =
        transition(
            order, TransitionKind.REWORK, WorkOrderStatus.REWORK, at, ACTOR_DETECTOR, reason, null);
    next.setReworkCount(order.getReworkCount() + 1);
    next.setDispatchedAt(at);
    next.setAcceptBy(at.plus(deadlines.accept()));
    next.setResolveBy(at.plus(deadlines.resolve()));
    next.setWaitingFor(WaitingFor.TEAM_ACCEPT);
    next.setLatestNote(reason + "; back to " + order.getTeamId());
    change.order = next;
    change.emit = true;
    reworked.inc();
    WorkOrderTally tally = tally(next, at);
    tally.reworked = 1;
    change.tally(tally);
  }

  /** Moves the order to a final status; its state is then reduced to a short memory. */
  private void finish(
      Change change,
      TransitionKind kind,
      WorkOrderStatus to,
      Instant at,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder order = change.order;
    WorkOrder next = transition(order, kind, to, at, actor, reason, action);
    next.setClosedAt(at);
    next.setWaitingFor(null);
    next.setEscalated(false);
    next.setLatestNote(reason);
    change.order = next;
    change.emit = true;
    WorkOrderTally tally = tally(next, at);
    tally.open = -1;
    switch (to) {
      case CLOSED:
        closed.inc();
        tally.closed = 1;
        tally.closedOnTime =
            order.getResolvedAt() != null
                    && order.getResolveBy() != null
                    && !order.getResolvedAt().isAfter(order.getResolveBy())
                ? 1
                : 0;
        break;
      case SELF_CLEARED:
        selfCleared.inc();
        tally.selfCleared = 1;
        break;
      case CANCELLED:
        tally.cancelled = 1;
        break;
      default:
        break;
    }
    change.tally(tally);
  }

  // ---------------------------------------------------------------------------------------------
  // Team and operations-centre actions

  @Override
  public void processElement2(TeamAction action, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    long at = action.getRequestedAt().toEpochMilli();
    TimerService timers = ctx.timerService();
    if (at > timers.currentWatermark()) {
      pendingActions.add(at, action, timers);
      watchStreet(timers);
      return;
    }
    // Event time had already passed the request when it arrived (the team's clock behind the
    // street's, or the action stuck on its way): applied now, and the history says so.
    lateInputs.inc();
    applyAction(
        action,
        " (arrived after the street's event time had passed "
            + action.getRequestedAt()
            + ": applied on arrival)",
        ctx,
        out);
  }

  /**
   * Applies one action unless its id was applied before; {@code aheadNote}, when not null, is added
   * to the reason of every transition it makes, saying why it was applied out of event order.
   */
  private void applyAction(
      TeamAction action, String aheadNote, Context ctx, Collector<WorkOrder> out) throws Exception {
    Change change = new Change(ctx, out);
    LoopState s = change.state;
    if (s != null && s.recentActionIds.contains(action.getActionId())) {
      duplicates.inc(); // a retry of an applied action: it counts once
      return;
    }
    if (apply(change, action)) {
      applied.inc();
      if (aheadNote != null) {
        annotate(change, action.getActionId(), aheadNote);
      }
      LoopState kept = change.state();
      kept.recentActionIds.add(action.getActionId());
      while (kept.recentActionIds.size() > config.recentActions()) {
        kept.recentActionIds.remove(0);
      }
    }
    change.commit();
  }

  /** Applies the action, or refuses it; true when applied. */
  private boolean apply(Change change, TeamAction action) {
    WorkOrder order = change.order;
    if (action.getOrderKey() == null || action.getOrderKey().isBlank()) {
      change.refuse(action, Code.UNKNOWN_ORDER, "the action carries no orderKey");
      return false;
    }
    if (order == null || !order.getId().equals(action.getWorkOrderId())) {
      LoopState s = change.state;
      if (s != null && action.getWorkOrderId().equals(s.closedOrderId)) {
        change.refuse(
            action,
            Code.ORDER_CLOSED,
            "order "
                + s.closedOrderId
                + " is "
                + s.closedStatus
                + " since "
                + Instant.ofEpochMilli(s.closedAt));
      } else {
        change.refuse(
            action,
            Code.UNKNOWN_ORDER,
            "no open order " + action.getWorkOrderId() + " under " + action.getOrderKey());
      }
      return false;
    }
    WorkOrderStatus status = order.getStatus();
    Instant at = max(action.getRequestedAt(), lastTransitionAt(order));
    String actor = action.getActor() == null ? "" : action.getActor();
    switch (action.getAction()) {
      case ACCEPT:
        {
          if (!teamMayAct(change, action, actor)) {
            return false;
          }
          if (!AWAITING_ACCEPT.contains(status)) {
            change.refuse(action, Code.ILLEGAL_TRANSITION, "cannot ACCEPT an order " + status);
            return false;
          }
          lateEscalations(change, at);
          WorkOrder next =
              transition(
                  change.order,
                  TransitionKind.ACCEPT,
                  WorkOrderStatus.ACCEPTED,
                  at,
                  actor,
                  reasonOr(action, "accepted by " + order.getTeamId()),
                  action);
          next.setAcceptedAt(at);
          next.setWaitingFor(WaitingFor.TEAM_RESOLVE);
          next.setEscalated(false);
          noteOr(next, action, "accepted: resolve by " + next.getResolveBy());
          change.order = next;
          change.emit = true;
          WorkOrderTally tally = tally(next, at);
          tally.accepted = 1;
          tally.acceptMillis = millisSince(next.getDispatchedAt(), at);
          change.tally(tally);
          return true;
        }
      case RESOLVE:
        {
          if (!teamMayAct(change, action, actor)) {
            return false;
          }
          if (!RESOLVABLE.contains(status)) {
            change.refuse(
                action,
                Code.ILLEGAL_TRANSITION,
                "cannot RESOLVE an order "
                    + status
                    + (status == WorkOrderStatus.DISPATCHED ? ": ACCEPT it first" : ""));
            return false;
          }
          lateEscalations(change, at);
          resolve(change, action, actor, at);
          return true;
        }
      case REJECT:
        {
          if (!teamMayAct(change, action, actor)) {
            return false;
          }
          if (!REJECTABLE.contains(status)) {
            change.refuse(action, Code.ILLEGAL_TRANSITION, "cannot REJECT an order " + status);
            return false;
          }
          if (action.getReason() == null || action.getReason().isBlank()) {
            change.refuse(action, Code.INVALID_ACTION, "a REJECT needs a reason");
            return false;
          }
          String team = order.getTeamId();
          WorkOrder next =
              transition(
                  order,
                  TransitionKind.REJECT,
                  WorkOrderStatus.REJECTED,
                  at,
                  actor,
                  action.getReason(),
                  action);
          next.setTeamId(null);
          next.setAcceptBy(null);
          next.setResolveBy(null);
          next.setEscalated(false);
          next.setWaitingFor(WaitingFor.OPERATIONS_CENTRE);
          noteOr(
              next,
              action,
              "rejected by " + team + ": " + action.getReason() + "; reroute or cancel");
          change.order = next;
          change.emit = true;
          WorkOrderTally left = tally(order, at);
          left.rejected = 1;
          left.open = -1;
          change.tally(left);
          WorkOrderTally back = tally(next, at);
          back.open = 1;
          change.tally(back);
          return true;
        }
      case REROUTE:
        {
          if (!actor.startsWith(OPS_PREFIX)) {
            change.refuse(
                action, Code.INVALID_ACTION, "only the operations centre (ops:*) may REROUTE");
            return false;
          }
          if (!REROUTABLE.contains(status)) {
            change.refuse(action, Code.ILLEGAL_TRANSITION, "cannot REROUTE an order " + status);
            return false;
          }
          String team = action.getTeamId();
          if (team == null || block(order.getBlockId()).team(team).isEmpty()) {
            change.refuse(
                action,
                Code.UNKNOWN_TEAM,
                "team " + team + " does not serve block " + order.getBlockId());
            return false;
          }
          WorkOrderTally left = tally(order, at);
          left.open = -1;
          change.tally(left);
          dispatch(
              change,
              team,
              at,
              TransitionKind.REROUTE,
              actor,
              reasonOr(action, "rerouted to " + team + " by the operations centre"),
              action);
          change.order.setEscalated(false);
          noteOr(change.order, action, change.order.getLatestNote());
          WorkOrderTally arrived = tally(change.order, at);
          arrived.open = 1;
          change.tally(arrived);
          change.state().escalatedAcceptBy = Long.MIN_VALUE;
          change.state().escalatedResolveBy = Long.MIN_VALUE;
          return true;
        }
      case CANCEL:
        {
          if (!actor.startsWith(OPS_PREFIX)) {
            change.refuse(
                action, Code.INVALID_ACTION, "only the operations centre (ops:*) may CANCEL");
            return false;
          }
          finish(
              change,
              TransitionKind.CANCEL,
              WorkOrderStatus.CANCELLED,
              at,
              actor,
              reasonOr(action, "cancelled by the operations centre"),
              action);
          noteOr(change.order, action, change.order.getLatestNote());
          return true;
        }
      default:
        change.refuse(action, Code.INVALID_ACTION, "unknown action " + action.getAction());
        return false;
    }
  }

  /** A team action must come from a team, and from the team that holds the order. */
  private static boolean teamMayAct(Change change, TeamAction action, String actor) {
    if (!actor.startsWith(TEAM_PREFIX)) {
      change.refuse(
          action, Code.INVALID_ACTION, action.getAction() + " is a team action (actor team:*)");
      return false;
    }
    String team =
        action.getTeamId() != null ? action.getTeamId() : actor.substring(TEAM_PREFIX.length());
    String holder = change.order.getTeamId();
    if (!actor.equals(TEAM_PREFIX + team) || !team.equals(holder)) {
      change.refuse(
          action,
          Code.NOT_YOUR_ORDER,
          "order "
              + change.order.getId()
              + " is "
              + (holder == null ? "with the operations centre" : "with team " + holder)
              + ", not with "
              + actor);
      return false;
    }
    return true;
  }

  private void resolve(Change change, TeamAction action, String actor, Instant at) {
    WorkOrder next =
        transition(
            change.order,
            TransitionKind.RESOLVE,
            WorkOrderStatus.RESOLVED,
            at,
            actor,
            reasonOr(action, "resolved by " + change.order.getTeamId()),
            action);
    next.setResolvedAt(at);
    next.setEscalated(false);
    next.setWaitingFor(WaitingFor.VERIFICATION);
    Duration clearFor = clearFor(next);
    noteOr(
        next,
        action,
        "resolved: closes once the zone is seen clear for " + clearFor + " by an online camera");
    change.order = next;
    change.emit = true;
    LoopState s = change.state();
    s.reportedNoEvidenceAt = Long.MIN_VALUE;
    WorkOrderTally tally = tally(next, at);
    tally.resolved = 1;
    tally.resolveMillis = millisSince(next.getDispatchedAt(), at);
    change.tally(tally);
    if (!s.violationActive) {
      // The detectors already reported the zone clear for clear_for and nothing came back since.
      finish(
          change,
          TransitionKind.CLOSE,
          WorkOrderStatus.CLOSED,
          at,
          ACTOR_DETECTOR,
          "verified: the zone was seen clear by an online camera for "
              + clearFor
              + " (since "
              + Instant.ofEpochMilli(s.clearedAt)
              + ") and nothing came back",
          null);
    }
  }

  /**
   * Deadlines that passed before {@code at} escalate before the action is applied, so an action
   * arriving after its deadline gives the same history as a timer that fired first.
   */
  private void lateEscalations(Change change, Instant at) {
    WorkOrder order = change.order;
    LoopState s = change.state();
    if (AWAITING_ACCEPT.contains(order.getStatus())
        && order.getAcceptBy() != null
        && at.isAfter(order.getAcceptBy())
        && s.escalatedAcceptBy != order.getAcceptBy().toEpochMilli()) {
      escalate(change, ESCALATION_ACCEPT, order.getAcceptBy());
    }
    order = change.order;
    if (AWAITING_RESOLVE.contains(order.getStatus())
        && order.getResolveBy() != null
        && at.isAfter(order.getResolveBy())
        && s.escalatedResolveBy != order.getResolveBy().toEpochMilli()) {
      escalate(change, ESCALATION_RESOLVE, order.getResolveBy());
    }
  }

  private void escalate(Change change, String deadline, Instant due) {
    WorkOrder order = change.order;
    LoopState s = change.state();
    if (ESCALATION_ACCEPT.equals(deadline)) {
      s.escalatedAcceptBy = due.toEpochMilli();
    } else {
      s.escalatedResolveBy = due.toEpochMilli();
    }
    Instant at = max(due, lastTransitionAt(order));
    String reason =
        "the "
            + deadline.toLowerCase()
            + " deadline "
            + due
            + " passed with the order "
            + order.getStatus()
            + " at "
            + order.getTeamId()
            + ": flagged to the operations centre";
    WorkOrder next =
        transition(
            order, TransitionKind.ESCALATE, order.getStatus(), at, ACTOR_SYSTEM, reason, null);
    List<String> escalations = new ArrayList<>(order.getEscalations());
    escalations.add(deadline);
    next.setEscalations(escalations);
    next.setEscalated(true);
    next.setLatestNote(reason);
    change.order = next;
    change.emit = true;
    escalated.inc();
    WorkOrderTally tally = tally(next, at);
    tally.escalated = 1;
    change.tally(tally);
  }

  // ---------------------------------------------------------------------------------------------
  // Timers: deadlines, the verification check, the end of a closed order's memory

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      onStreetWatch(timestamp, ctx, out);
      return;
    }
    // The watermark passed this instant: first what happened at it, then the deadlines due at it
    // (an ACCEPT at exactly acceptBy is on time).
    for (ViolationEvent event : pendingViolations.take(timestamp)) {
      applyViolation(event, ctx, out);
    }
    for (TeamAction action : pendingActions.take(timestamp)) {
      applyAction(action, null, ctx, out);
    }
    if (pendingActions.isEmpty()) {
      endStreetWatch(ctx.timerService());
    }
    onDeadline(timestamp, ctx, out);
  }

  /** Deadlines, the verification check and the end of a closed order's memory. */
  private void onDeadline(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    Change change = new Change(ctx, out);
    LoopState s = change.state;
    if (s == null) {
      return;
    }
    s.timers.remove(Long.valueOf(timestamp));
    WorkOrder order = change.order;
    if (order != null) {
      Instant now = Instant.ofEpochMilli(timestamp);
      if (AWAITING_ACCEPT.contains(order.getStatus())
          && order.getAcceptBy() != null
          && order.getAcceptBy().toEpochMilli() == timestamp
          && s.escalatedAcceptBy != timestamp) {
        escalate(change, ESCALATION_ACCEPT, now);
      }
      order = change.order;
      if (AWAITING_RESOLVE.contains(order.getStatus())
          && order.getResolveBy() != null
          && order.getResolveBy().toEpochMilli() == timestamp
          && s.escalatedResolveBy != timestamp) {
        escalate(change, ESCALATION_RESOLVE, now);
      }
      order = change.order;
      if (order.getStatus() == WorkOrderStatus.RESOLVED
          && verifyCheckAt(order, s) == timestamp
          && s.reportedNoEvidenceAt != timestamp) {
        s.reportedNoEvidenceAt = timestamp;
        long since = Math.max(order.getResolvedAt().toEpochMilli(), s.lastEvidenceAt);
        WorkOrder next = WorkOrder.newBuilder(order).build();
        next.setWaitingFor(WaitingFor.CAMERA_EVIDENCE);
        next.setUpdatedAt(max(order.getUpdatedAt(), now));
        next.setLatestNote(
            "verification waits: no camera has reported zone "
                + order.getZoneId()
                + " since "
                + Instant.ofEpochMilli(since)
                + " (camera offline?); closes once an online camera sees it clear for "
                + clearFor(order));
        change.order = next;
        change.emit = true;
      }
    } else if (s.closedOrderId != null && timestamp >= s.retainUntil) {
      // The closed order's memory ends; with no open order the key holds nothing any more.
      s.closedOrderId = null;
      s.closedStatus = null;
      s.closedAt = Long.MIN_VALUE;
      s.retainUntil = Long.MIN_VALUE;
      s.recentActionIds.clear();
    }
    change.commit();
  }

  private long verifyCheckAt(WorkOrder order, LoopState s) {
    long since = Math.max(order.getResolvedAt().toEpochMilli(), s.lastEvidenceAt);
    return since + clearFor(order).toMillis() + config.verifyGrace().toMillis();
  }

  /** Registers the timers the state needs and deletes the ones it no longer needs. */
  private void syncTimers(TimerService timers, WorkOrder order, LoopState s) {
    TreeSet<Long> wanted = new TreeSet<>();
    if (order != null) {
      WorkOrderStatus status = order.getStatus();
      if (AWAITING_ACCEPT.contains(status)
          && order.getAcceptBy() != null
          && s.escalatedAcceptBy != order.getAcceptBy().toEpochMilli()) {
        wanted.add(order.getAcceptBy().toEpochMilli());
      }
      if (AWAITING_RESOLVE.contains(status)
          && order.getResolveBy() != null
          && s.escalatedResolveBy != order.getResolveBy().toEpochMilli()) {
        wanted.add(order.getResolveBy().toEpochMilli());
      }
      if (status == WorkOrderStatus.RESOLVED) {
        long check = verifyCheckAt(order, s);
        if (s.reportedNoEvidenceAt != check) {
          wanted.add(check);
        }
      }
    } else if (s.closedOrderId != null) {
      wanted.add(s.retainUntil);
    }
    for (Long registered : new ArrayList<>(s.timers)) {
      if (!wanted.contains(registered)) {
        if (!heldByBuffers(registered)) { // one timer per instant: the buffers still need it
          timers.deleteEventTimeTimer(registered);
        }
        s.timers.remove(registered);
      }
    }
    for (Long time : wanted) {
      if (!s.timers.contains(time)) {
        timers.registerEventTimeTimer(time);
        s.timers.add(time);
      }
    }
  }

  private boolean heldByBuffers(long timestamp) {
    try {
      return pendingViolations.holds(timestamp) || pendingActions.holds(timestamp);
    } catch (Exception e) {
      throw new IllegalStateException("cannot read the loop's pending inputs", e);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // A street whose event time stands still

  /** Arms the processing-time check for actions waiting on the street's event time. */
  private void watchStreet(TimerService timers) throws Exception {
    if (streetWatch.value() != null) {
      return;
    }
    long at = timers.currentProcessingTime() + config.streetStallLimit().toMillis();
    timers.registerProcessingTimeTimer(at);
    streetWatch.update(new StreetWatch(at, timers.currentWatermark()));
  }

  private void endStreetWatch(TimerService timers) throws Exception {
    StreetWatch watch = streetWatch.value();
    if (watch != null) {
      timers.deleteProcessingTimeTimer(watch.timer);
      streetWatch.clear();
    }
  }

  /**
   * Actions are waiting for the street's event time. If it moved since the last look, it will reach
   * them (a replay, however long, keeps moving): look again later. If it stood still for the whole
   * {@code streetStallLimit} (every device silent), apply what waits now, in event-time order, and
   * say so in each transition: a team's accept must not wait for the cameras to come back.
   */
  private void onStreetWatch(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    StreetWatch watch = streetWatch.value();
    TimerService timers = ctx.timerService();
    if (watch == null || watch.timer != timestamp) {
      return;
    }
    long watermark = timers.currentWatermark();
    boolean noEventTimeSinceStart =
        watermark == Long.MIN_VALUE && watch.watermark != Long.MIN_VALUE;
    if (watermark > watch.watermark || noEventTimeSinceStart) {
      // Moved: look again later. Or the job has just been restored: its sources start without a
      // watermark, and a processing-time timer restored from a checkpoint fires at once when the
      // job was down longer than the limit. Downtime is not the street standing still, so the
      // restored job gets one whole limit from now for the devices' records to come in.
      watch.watermark = watermark;
      watch.timer = timers.currentProcessingTime() + config.streetStallLimit().toMillis();
      timers.registerProcessingTimeTimer(watch.timer);
      streetWatch.update(watch);
      return;
    }
    streetWatch.clear();
    String note =
        " (applied before the street's event time reached it: event time stood at "
            + (watermark == Long.MIN_VALUE
                ? "none yet since the job started or was restored"
                : Instant.ofEpochMilli(watermark).toString())
            + " for "
            + config.streetStallLimit()
            + ", no camera or sensor reporting)";
    TreeSet<Long> instants = new TreeSet<>(pendingViolations.timestamps());
    instants.addAll(pendingActions.timestamps());
    for (long instant : instants) {
      for (ViolationEvent event : pendingViolations.take(instant)) {
        applyViolation(event, ctx, out);
      }
      List<TeamAction> actions = pendingActions.take(instant);
      for (TeamAction action : actions) {
        appliedAheadOfStreet.inc();
        LOG.info(
            "work order {}: {} {} applied ahead of the street's event time ({})",
            action.getWorkOrderId(),
            action.getAction(),
            action.getActionId(),
            note.trim());
        applyAction(action, note, ctx, out);
      }
      LoopState s = loop.value();
      if (s == null || !s.timers.contains(instant)) {
        timers.deleteEventTimeTimer(instant); // nothing left at this instant
      }
    }
  }

  /** Adds {@code note} to the reason of the transitions made by action {@code actionId}. */
  private static void annotate(Change change, String actionId, String note) {
    if (change.order == null) {
      return;
    }
    List<WorkOrderTransition> history = new ArrayList<>(change.order.getHistory());
    for (int i = 0; i < history.size(); i++) {
      WorkOrderTransition entry = history.get(i);
      if (actionId.equals(entry.getActionId())) {
        history.set(
            i, WorkOrderTransition.newBuilder(entry).setReason(entry.getReason() + note).build());
      }
    }
    change.order.setHistory(history);
  }

  // ---------------------------------------------------------------------------------------------
  // Helpers

  private BlockMap block(String blockId) {
    return blockMaps
        .block(blockId)
        .orElseThrow(() -> new IllegalStateException("unknown block " + blockId));
  }

  private Duration clearFor(WorkOrder order) {
    BlockMap block = block(order.getBlockId());
    return block
        .zone(order.getZoneId())
        .map(zone -> zone.rules().verify().clearFor())
        .orElse(block.rules().verify().clearFor());
  }

  private static io.streetsense.blockmap.ViolationType mapType(ViolationType type) {
    return io.streetsense.blockmap.ViolationType.valueOf(type.name());
  }

  private static boolean isFinal(WorkOrderStatus status) {
    return status == WorkOrderStatus.CLOSED
        || status == WorkOrderStatus.SELF_CLEARED
        || status == WorkOrderStatus.CANCELLED;
  }

  private static WorkOrderTally tally(WorkOrder order, Instant at) {
    return WorkOrderTally.of(
        order.getBlockId(), order.getTeamId(), order.getType().name(), at.toEpochMilli());
  }

  private static long millisSince(Instant from, Instant to) {
    return from == null ? 0 : Math.max(0, to.toEpochMilli() - from.toEpochMilli());
  }

  private static String reasonOr(TeamAction action, String fallback) {
    return action.getReason() == null || action.getReason().isBlank()
        ? fallback
        : action.getReason();
  }

  /** The team's note wins; otherwise the system says what the order waits for. */
  private static void noteOr(WorkOrder order, TeamAction action, String fallback) {
    order.setLatestNote(action.getNote() != null ? action.getNote() : fallback);
  }

  private static Instant lastTransitionAt(WorkOrder order) {
    List<WorkOrderTransition> history = order.getHistory();
    return history.isEmpty() ? order.getFiledAt() : history.get(history.size() - 1).getAt();
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

  private WorkOrder transition(
      WorkOrder current,
      TransitionKind kind,
      WorkOrderStatus to,
      Instant at,
      String actor,
      String reason,
      TeamAction action) {
    WorkOrder next = WorkOrder.newBuilder(current).build();
    List<WorkOrderTransition> history = new ArrayList<>(current.getHistory());
    history.add(entry(at, current.getStatus(), to, kind, actor, reason, action));
    next.setHistory(history);
    next.setStatus(to);
    next.setUpdatedAt(max(current.getUpdatedAt(), at));
    return next;
  }

  private WorkOrderTransition entry(
      Instant at,
      WorkOrderStatus from,
      WorkOrderStatus to,
      TransitionKind kind,
      String actor,
      String reason,
      TeamAction action) {
    return WorkOrderTransition.newBuilder()
        .setAt(at)
        .setRecordedAt(clock.instant())
        .setFromStatus(from)
        .setToStatus(to)
        .setKind(kind)
        .setActor(actor)
        .setReason(reason)
        .setNote(action == null ? null : action.getNote())
        .setPhotoUrl(action == null ? null : action.getPhotoUrl())
        .setActionId(action == null ? null : action.getActionId())
        .build();
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}

package io.streetsense.sinks.workorders;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.sinks.workorders.WorkOrderLoop.ActionResult;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Objects;
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
 *
 * <p>This class is the Flink side only: keyed state, timers, the watermark, side outputs and
 * metrics. The decisions are Flink-free and tested on their own: {@link WorkOrderLoop} (applies one
 * input or timer to a key's order), {@link OrderFiling}, {@link ActionRules}, {@link
 * WorkOrderLifecycle}, {@link OrderDeadlines} and {@link InputSequencer}.
 */
public final class WorkOrderProcessor
    extends KeyedCoProcessFunction<String, ViolationEvent, TeamAction, WorkOrder> {
  private static final long serialVersionUID = 2L;
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderProcessor.class);

  public static final OutputTag<RefusedAction> REFUSED =
      new OutputTag<>("refused-actions", TypeInformation.of(RefusedAction.class));
  public static final OutputTag<WorkOrderTally> TALLIES =
      new OutputTag<>("work-order-tallies", TypeInformation.of(WorkOrderTally.class));

  public static final String ACTOR_DETECTOR = WorkOrderLifecycle.ACTOR_DETECTOR;
  public static final String ACTOR_SYSTEM = WorkOrderLifecycle.ACTOR_SYSTEM;
  public static final String TEAM_PREFIX = WorkOrderLifecycle.TEAM_PREFIX;
  public static final String OPS_PREFIX = WorkOrderLifecycle.OPS_PREFIX;

  public static final String ESCALATION_ACCEPT = OrderDeadlines.ESCALATION_ACCEPT;
  public static final String ESCALATION_RESOLVE = OrderDeadlines.ESCALATION_RESOLVE;

  private final BlockMaps blockMaps;
  private final Clock clock;
  private final WorkOrderConfig config;

  private transient WorkOrderLoop loop;
  private transient InputSequencer sequencer;
  private transient ValueState<WorkOrder> openOrder;
  private transient ValueState<LoopState> loopState;
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
    loop = new WorkOrderLoop(blockMaps, clock, config);
    sequencer = new InputSequencer(config.streetStallLimit());
    openOrder =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("open-order", TypeInformation.of(WorkOrder.class)));
    loopState =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("loop", TypeInformation.of(LoopState.class)));
    pendingViolations =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-violations",
            TypeInformation.of(ViolationEvent.class),
            InputSequencer.VIOLATION_ORDER);
    pendingActions =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            "pending-actions",
            TypeInformation.of(TeamAction.class),
            InputSequencer.ACTION_ORDER);
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

  // ---------------------------------------------------------------------------------------------
  // Inputs: held until the watermark passes them, or applied at once when already behind it

  @Override
  public void processElement1(ViolationEvent event, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    long at = event.getEventTime().toEpochMilli();
    if (InputSequencer.waits(at, ctx.timerService().currentWatermark())) {
      pendingViolations.add(at, event, ctx.timerService());
      return;
    }
    // The detectors emit a violation just before the watermark that passes it, so this does not
    // happen in the job; should it, the event is applied as it comes rather than dropped.
    lateInputs.inc();
    applyViolation(event, ctx, out);
  }

  @Override
  public void processElement2(TeamAction action, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    long at = action.getRequestedAt().toEpochMilli();
    TimerService timers = ctx.timerService();
    if (InputSequencer.waits(at, timers.currentWatermark())) {
      pendingActions.add(at, action, timers);
      watchStreet(timers);
      return;
    }
    // Event time had already passed the request when it arrived (the team's clock behind the
    // street's, or the action stuck on its way): applied now, and the history says so.
    lateInputs.inc();
    applyAction(action, InputSequencer.appliedOnArrival(action), ctx, out);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    if (ctx.timeDomain() == TimeDomain.PROCESSING_TIME) {
      onStreetWatch(timestamp, ctx, out);
      return;
    }
    // The watermark passed this instant: first what happened at it, then the deadlines due at it
    // (an ACCEPT at exactly acceptBy is on time).
    applyPendingAt(timestamp, null, ctx, out);
    if (pendingActions.isEmpty()) {
      endStreetWatch(ctx.timerService());
    }
    LoopStep step = begin();
    if (loop.timer(step, timestamp)) {
      commit(step, ctx, out);
    }
  }

  /**
   * Applies the inputs waiting at {@code instant}, violations first; {@code aheadNote}, when not
   * null, marks actions applied before the street's event time reached them.
   */
  private void applyPendingAt(long instant, String aheadNote, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    for (ViolationEvent event : pendingViolations.take(instant)) {
      applyViolation(event, ctx, out);
    }
    for (TeamAction action : pendingActions.take(instant)) {
      if (aheadNote != null) {
        appliedAheadOfStreet.inc();
        LOG.info(
            "work order {}: {} {} applied ahead of the street's event time ({})",
            action.getWorkOrderId(),
            action.getAction(),
            action.getActionId(),
            aheadNote.trim());
      }
      applyAction(action, aheadNote, ctx, out);
    }
  }

  private void applyViolation(ViolationEvent event, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    LoopStep step = begin();
    loop.violation(step, event);
    commit(step, ctx, out);
  }

  private void applyAction(
      TeamAction action, String aheadNote, Context ctx, Collector<WorkOrder> out) throws Exception {
    LoopStep step = begin();
    ActionResult result = loop.action(step, action, aheadNote);
    if (result == ActionResult.DUPLICATE) {
      duplicates.inc(); // a retry of an applied action: it counts once
      return;
    }
    if (result == ActionResult.APPLIED) {
      applied.inc();
    }
    commit(step, ctx, out);
  }

  // ---------------------------------------------------------------------------------------------
  // A key's state in and out of the loop

  private LoopStep begin() throws Exception {
    return new LoopStep(openOrder.value(), loopState.value());
  }

  /**
   * Emits what the step produced (the order if it changed, tallies, refusals, counts), stores the
   * key's state and brings its timers in line with it.
   */
  private void commit(LoopStep step, Context ctx, Collector<WorkOrder> out) throws Exception {
    for (WorkOrderTally tally : step.tallies()) {
      ctx.output(TALLIES, tally);
    }
    for (RefusedAction refusal : step.refusals()) {
      refused.inc();
      ctx.output(REFUSED, refusal);
    }
    filed.inc(step.filed());
    selfCleared.inc(step.selfCleared());
    closed.inc(step.closed());
    reworked.inc(step.reworked());
    escalated.inc(step.escalated());
    WorkOrder written = loop.settle(step);
    if (written != null) {
      out.collect(written);
    }
    WorkOrder order = step.order();
    LoopState state = step.loopState();
    if (state != null) {
      syncTimers(ctx.timerService(), order, state);
    }
    if (order == null) {
      openOrder.clear();
    } else {
      openOrder.update(order);
    }
    if (WorkOrderLoop.keep(step)) {
      loopState.update(state);
    } else {
      loopState.clear();
    }
  }

  /** Registers the timers the state needs and deletes the ones it no longer needs. */
  private void syncTimers(TimerService timers, WorkOrder order, LoopState s) {
    TreeSet<Long> wanted = loop.deadlines().timers(order, s);
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
    StreetWatch watch = sequencer.watch(timers.currentProcessingTime(), timers.currentWatermark());
    timers.registerProcessingTimeTimer(watch.timer);
    streetWatch.update(watch);
  }

  private void endStreetWatch(TimerService timers) throws Exception {
    StreetWatch watch = streetWatch.value();
    if (watch != null) {
      timers.deleteProcessingTimeTimer(watch.timer);
      streetWatch.clear();
    }
  }

  /**
   * Actions are waiting for the street's event time: look again later if it moved (or the job was
   * just restored), else apply what waits now, in event-time order ({@link InputSequencer}).
   */
  private void onStreetWatch(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    StreetWatch watch = streetWatch.value();
    TimerService timers = ctx.timerService();
    if (watch == null || watch.timer != timestamp) {
      return;
    }
    long watermark = timers.currentWatermark();
    if (!InputSequencer.streetStoodStill(watch, watermark)) {
      sequencer.lookAgain(watch, timers.currentProcessingTime(), watermark);
      timers.registerProcessingTimeTimer(watch.timer);
      streetWatch.update(watch);
      return;
    }
    streetWatch.clear();
    String note = sequencer.aheadOfStreet(watermark);
    for (long instant :
        InputSequencer.instants(pendingViolations.timestamps(), pendingActions.timestamps())) {
      applyPendingAt(instant, note, ctx, out);
      LoopState s = loopState.value();
      if (s == null || !s.timers.contains(instant)) {
        timers.deleteEventTimeTimer(instant); // nothing left at this instant
      }
    }
  }
}

package io.streetsense.eventtime;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.TimerService;

/**
 * Holds a key's events until the watermark passes them, then hands them out in event-time order
 * (ties broken by a fixed comparator). This is what makes a detector's output independent of
 * arrival order: within the allowed out-of-orderness, every permutation of the input is replayed to
 * the decision logic in the same order.
 *
 * <p>Keyed state: one map entry and one event-time timer per distinct timestamp, both gone once the
 * timer fired.
 *
 * <p>Used by every stateful detector and by the work-order loop in {@code sinks}, which orders
 * violations and team actions the same way. An operator that registers timers of its own must not
 * delete one at a timestamp the buffer still holds ({@link #holds}): Flink keeps one timer per key
 * and timestamp.
 */
public final class EventTimeBuffer<T> {
  /** Suffix of the gauge each buffer registers: {@code <name>SpanMs}. */
  public static final String SPAN_GAUGE_SUFFIX = "SpanMs";

  private final MapState<Long, List<T>> pending;
  private final Comparator<T> tieBreak;
  // For the span gauge only (this subtask, not state): the newest event time added and the timer
  // service that knows the watermark.
  private long newestAdded = Long.MIN_VALUE;
  private TimerService clock;

  /**
   * A buffer kept in the operator's keyed state under {@code name}. It also registers a gauge
   * {@code <name>SpanMs} on the operator's metric group: how far (event time, ms) the newest event
   * this subtask has buffered is ahead of its watermark, 0 when nothing waits beyond it, -1 while
   * events wait before the first watermark. While sources catch up, this is how much of the street
   * the buffer holds.
   */
  public EventTimeBuffer(
      RuntimeContext context, String name, TypeInformation<T> type, Comparator<T> tieBreak) {
    this.pending =
        context.getMapState(new MapStateDescriptor<>(name, Types.LONG, Types.LIST(type)));
    this.tieBreak = tieBreak;
    context.getMetricGroup().gauge(name + SPAN_GAUGE_SUFFIX, this::spanMillis);
  }

  /** Buffers an event that is not late and asks for a timer at its timestamp. */
  public void add(long eventTime, T event, TimerService timers) throws Exception {
    newestAdded = Math.max(newestAdded, eventTime);
    clock = timers;
    List<T> atTime = pending.get(eventTime);
    if (atTime == null) {
      atTime = new ArrayList<>(2);
      timers.registerEventTimeTimer(eventTime);
    }
    atTime.add(event);
    pending.put(eventTime, atTime);
  }

  /**
   * Buffers an event that is not late, with one pending timer per key instead of one per timestamp:
   * a timer is registered only when the event is earlier than every timer this buffer has pending
   * for the key. Pair it with {@link #takeDue}, which hands out everything the watermark has passed
   * and registers the timer for what is left.
   *
   * <p>For a key that receives many events per watermark step (a block of a dozen cameras, each
   * with its own frame times) this turns a timer per event into a timer per watermark step: Flink's
   * timer queue, a heap over every key's timers, was the largest single cost of the presence
   * detector when it registered one per observation. The events, and the order the caller sees them
   * in, are the same as with {@link #add}/{@link #take}.
   *
   * @param nextTimer keyed state of this buffer's pending timer (see {@link #nextTimerState})
   */
  public void addWithOneTimer(
      long eventTime, T event, TimerService timers, ValueState<Long> nextTimer) throws Exception {
    newestAdded = Math.max(newestAdded, eventTime);
    clock = timers;
    List<T> atTime = pending.get(eventTime);
    if (atTime == null) {
      atTime = new ArrayList<>(2);
    }
    atTime.add(event);
    pending.put(eventTime, atTime);
    Long registered = nextTimer.value();
    if (registered == null || eventTime < registered) {
      timers.registerEventTimeTimer(eventTime);
      nextTimer.update(eventTime);
    }
  }

  /**
   * On a timer of {@link #addWithOneTimer}: removes and returns every event at or before the
   * current watermark, oldest first, ties in tie-break order, and registers the timer for the
   * earliest event left (if any). A timer superseded by an earlier one may still fire later and
   * then finds nothing, or only events the watermark has passed since: both are fine.
   */
  public List<T> takeDue(TimerService timers, ValueState<Long> nextTimer) throws Exception {
    long watermark = timers.currentWatermark();
    List<Long> due = new ArrayList<>();
    long earliestLeft = Long.MAX_VALUE;
    for (Long time : pending.keys()) {
      if (time <= watermark) {
        due.add(time);
      } else {
        earliestLeft = Math.min(earliestLeft, time);
      }
    }
    due.sort(Comparator.naturalOrder());
    List<T> events = new ArrayList<>();
    for (Long time : due) {
      List<T> atTime = pending.get(time);
      pending.remove(time);
      atTime.sort(tieBreak);
      events.addAll(atTime);
    }
    if (earliestLeft == Long.MAX_VALUE) {
      nextTimer.clear();
    } else {
      timers.registerEventTimeTimer(earliestLeft); // a no-op if that timer is already pending
      nextTimer.update(earliestLeft);
    }
    return events;
  }

  /** The keyed state {@link #addWithOneTimer} and {@link #takeDue} keep the pending timer in. */
  public static ValueStateDescriptor<Long> nextTimerState(String bufferName) {
    return new ValueStateDescriptor<>(bufferName + "-next-timer", Types.LONG);
  }

  /** Removes and returns the events at this timestamp, in tie-break order. */
  public List<T> take(long eventTime) throws Exception {
    List<T> atTime = pending.get(eventTime);
    if (atTime == null) {
      return List.of();
    }
    pending.remove(eventTime);
    atTime.sort(tieBreak);
    return atTime;
  }

  /** True when events at exactly this timestamp are waiting. */
  public boolean holds(long eventTime) throws Exception {
    return pending.contains(eventTime);
  }

  /** The timestamps with waiting events, oldest first. */
  public List<Long> timestamps() throws Exception {
    List<Long> times = new ArrayList<>();
    for (Long time : pending.keys()) {
      times.add(time);
    }
    times.sort(Comparator.naturalOrder());
    return times;
  }

  /** The gauge's value: newest buffered event time minus the watermark, at least 0 (or -1). */
  long spanMillis() {
    TimerService timers = clock;
    if (timers == null || newestAdded == Long.MIN_VALUE) {
      return 0;
    }
    long watermark = timers.currentWatermark();
    if (watermark == Long.MIN_VALUE) {
      return -1; // events wait, and no watermark has come yet: the span is not known
    }
    return Math.max(0, newestAdded - watermark);
  }

  public boolean isEmpty() throws Exception {
    return pending.isEmpty();
  }
}

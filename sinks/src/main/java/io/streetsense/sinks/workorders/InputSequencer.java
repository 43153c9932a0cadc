package io.streetsense.sinks.workorders;

import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.ViolationEvent;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import java.util.TreeSet;

/**
 * In which order the loop applies its two inputs, free of Flink. Violations and team actions wait
 * until the watermark passes them and are then applied in event-time order: at one instant
 * violations before actions, ties by violation id (and kind) and by action id, so every arrival
 * order gives the same history. An input already behind the watermark is applied on arrival.
 *
 * <p>The street-stall rule: actions must not wait forever for a street whose event time stands
 * still (every device silent). A processing-time {@link StreetWatch} looks every {@code
 * streetStallLimit}: if the watermark moved since the last look, the actions keep waiting ({@link
 * #lookAgain}); if it stood still, what waits is applied now ({@link #streetStoodStill}), with
 * {@link #aheadOfStreet} added to the reasons.
 */
public final class InputSequencer implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Same-millisecond ties: a fixed order, so every arrival order gives the same history. */
  public static final Comparator<ViolationEvent> VIOLATION_ORDER =
      Comparator.comparing((ViolationEvent v) -> v.getViolationId())
          .thenComparing(v -> v.getKind().ordinal());

  public static final Comparator<TeamAction> ACTION_ORDER =
      Comparator.comparing(TeamAction::getActionId);

  private final Duration streetStallLimit;

  public InputSequencer(Duration streetStallLimit) {
    this.streetStallLimit = Objects.requireNonNull(streetStallLimit, "streetStallLimit");
  }

  /** True when an input at {@code eventTime} waits for the watermark; false: apply it now. */
  public static boolean waits(long eventTime, long watermark) {
    return eventTime > watermark;
  }

  /** Added to the reasons of an action that arrived behind the watermark. */
  public static String appliedOnArrival(TeamAction action) {
    return " (arrived after the street's event time had passed "
        + action.getRequestedAt()
        + ": applied on arrival)";
  }

  /** A new watch, armed at processing time {@code now} with the current watermark. */
  public StreetWatch watch(long now, long watermark) {
    return new StreetWatch(now + streetStallLimit.toMillis(), watermark);
  }

  /**
   * True when the street's event time stood still for the whole limit since the watch was armed.
   * Not when it moved (a replay, however long, keeps moving), nor when the job has just been
   * restored: its sources start without a watermark, and a processing-time timer restored from a
   * checkpoint fires at once when the job was down longer than the limit; downtime is not the
   * street standing still.
   */
  public static boolean streetStoodStill(StreetWatch watch, long watermark) {
    boolean noEventTimeSinceStart =
        watermark == Long.MIN_VALUE && watch.watermark != Long.MIN_VALUE;
    return !(watermark > watch.watermark || noEventTimeSinceStart);
  }

  /** Re-arms the watch for one more whole limit from {@code now}. */
  public void lookAgain(StreetWatch watch, long now, long watermark) {
    watch.watermark = watermark;
    watch.timer = now + streetStallLimit.toMillis();
  }

  /** Added to the reasons of an action applied before the street's event time reached it. */
  public String aheadOfStreet(long watermark) {
    return " (applied before the street's event time reached it: event time stood at "
        + (watermark == Long.MIN_VALUE
            ? "none yet since the job started or was restored"
            : Instant.ofEpochMilli(watermark).toString())
        + " for "
        + streetStallLimit
        + ", no camera or sensor reporting)";
  }

  /** The instants with waiting inputs of either kind, oldest first. */
  public static TreeSet<Long> instants(Collection<Long> violations, Collection<Long> actions) {
    TreeSet<Long> instants = new TreeSet<>(violations);
    instants.addAll(actions);
    return instants;
  }
}

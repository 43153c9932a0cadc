package io.streetsense.sinks.workorders;

import java.util.Objects;

/**
 * Counts of work-order changes for one block, team and type: emitted by the loop as a delta per
 * transition (at the transition's event time), summed by {@link WorkOrderTallies} into cumulative
 * totals (at the end of an event-time interval). The {@code workorders} and {@code closure}
 * measurements are read from the totals.
 */
public final class WorkOrderTally {
  /** The team tag of orders that are with the operations centre (no team). */
  public static final String OPERATIONS_CENTRE = "operations-centre";

  public String blockId;
  public String teamId;
  public String type;
  public long at;

  /** Orders open and held by the team (a delta of +1/-1; a gauge in the totals). */
  public long open;

  public long filed;
  public long dispatched;
  public long accepted;
  public long resolved;
  public long closed;
  public long closedOnTime;
  public long selfCleared;
  public long rejected;
  public long cancelled;
  public long reworked;
  public long escalated;

  /** Sum of dispatch-to-accept times of {@link #accepted}, in milliseconds. */
  public long acceptMillis;

  /** Sum of dispatch-to-resolve times of {@link #resolved}, in milliseconds. */
  public long resolveMillis;

  public WorkOrderTally() {}

  static WorkOrderTally of(String blockId, String teamId, String type, long at) {
    WorkOrderTally tally = new WorkOrderTally();
    tally.blockId = blockId;
    tally.teamId = teamId == null ? OPERATIONS_CENTRE : teamId;
    tally.type = type;
    tally.at = at;
    return tally;
  }

  /** The key of the aggregate this tally belongs to. */
  public String key() {
    return blockId + "/" + teamId + "/" + type;
  }

  void add(WorkOrderTally other) {
    open += other.open;
    filed += other.filed;
    dispatched += other.dispatched;
    accepted += other.accepted;
    resolved += other.resolved;
    closed += other.closed;
    closedOnTime += other.closedOnTime;
    selfCleared += other.selfCleared;
    rejected += other.rejected;
    cancelled += other.cancelled;
    reworked += other.reworked;
    escalated += other.escalated;
    acceptMillis += other.acceptMillis;
    resolveMillis += other.resolveMillis;
  }

  WorkOrderTally copyAt(long time) {
    WorkOrderTally copy = of(blockId, teamId, type, time);
    copy.add(this);
    return copy;
  }

  /** closed / dispatched, or NaN without dispatches. */
  public double closureRate() {
    return ratio(closed, dispatched);
  }

  /** closed on time / closed, or NaN without closures. */
  public double onTimeClosureRate() {
    return ratio(closedOnTime, closed);
  }

  /** reworks / resolutions, or NaN without resolutions. */
  public double reworkRate() {
    return ratio(reworked, resolved);
  }

  /** Mean dispatch-to-accept time in seconds, or NaN without accepts. */
  public double meanAcceptSeconds() {
    return ratio(acceptMillis, accepted) / 1000.0;
  }

  /** Mean dispatch-to-resolve time in seconds, or NaN without resolutions. */
  public double meanResolveSeconds() {
    return ratio(resolveMillis, resolved) / 1000.0;
  }

  private static double ratio(long numerator, long denominator) {
    return denominator == 0 ? Double.NaN : (double) numerator / denominator;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof WorkOrderTally t
        && Objects.equals(key(), t.key())
        && at == t.at
        && open == t.open
        && filed == t.filed
        && dispatched == t.dispatched
        && accepted == t.accepted
        && resolved == t.resolved
        && closed == t.closed
        && closedOnTime == t.closedOnTime
        && selfCleared == t.selfCleared
        && rejected == t.rejected
        && cancelled == t.cancelled
        && reworked == t.reworked
        && escalated == t.escalated
        && acceptMillis == t.acceptMillis
        && resolveMillis == t.resolveMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(key(), at, open, filed, closed);
  }

  @Override
  public String toString() {
    return key()
        + "@"
        + at
        + "{open="
        + open
        + ", filed="
        + filed
        + ", dispatched="
        + dispatched
        + ", accepted="
        + accepted
        + ", resolved="
        + resolved
        + ", closed="
        + closed
        + ", closedOnTime="
        + closedOnTime
        + ", selfCleared="
        + selfCleared
        + ", rejected="
        + rejected
        + ", cancelled="
        + cancelled
        + ", reworked="
        + reworked
        + ", escalated="
        + escalated
        + "}";
  }
}

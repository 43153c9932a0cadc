package io.streetsense.sinks.workorders;

import io.streetsense.schemas.WorkOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One change the {@link WorkOrderLoop} makes to a key: the open order and the loop's memory as read
 * from state, what they become, and what the change produced — whether to write the order, tally
 * deltas, refused actions and counts for the operator's metrics. Free of Flink: the operator reads
 * the key's state into a step, lets the loop decide, and writes the step back.
 */
public final class LoopStep {
  /** The key's open order (null: none). */
  WorkOrder order;

  /** The key's memory (null: nothing remembered). */
  LoopState state;

  /** The order changed and is written (after every transition, evidence update or note). */
  boolean emit;

  final List<WorkOrderTally> tallies = new ArrayList<>(2);
  final List<RefusedAction> refusals = new ArrayList<>(1);
  int filed;
  int selfCleared;
  int closed;
  int reworked;
  int escalated;

  public LoopStep(WorkOrder order, LoopState state) {
    this.order = order;
    this.state = state;
  }

  /** The memory, created when the change needs it. */
  LoopState state() {
    if (state == null) {
      state = new LoopState();
    }
    return state;
  }

  public WorkOrder order() {
    return order;
  }

  /** The memory to keep, or null. */
  public LoopState loopState() {
    return state;
  }

  public List<WorkOrderTally> tallies() {
    return tallies;
  }

  public List<RefusedAction> refusals() {
    return refusals;
  }

  public int filed() {
    return filed;
  }

  public int selfCleared() {
    return selfCleared;
  }

  public int closed() {
    return closed;
  }

  public int reworked() {
    return reworked;
  }

  public int escalated() {
    return escalated;
  }
}

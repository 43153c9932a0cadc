package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.WorkOrderLifecycle.AWAITING_ACCEPT;
import static io.streetsense.sinks.workorders.WorkOrderLifecycle.AWAITING_RESOLVE;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Deadlines;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.Serializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The clocks of a work order, all in event time: the accept and resolve deadlines a dispatch or a
 * rework starts (from the block's {@code deadlines} for the type), when each escalates (once per
 * deadline), the verification check of a resolved order ({@code clear_for} plus the grace after the
 * resolution or the latest evidence, whichever is later), and the end of a closed order's memory.
 * {@link #timers} is the set of event-time timers a key needs for all of that. Free of Flink.
 */
public final class OrderDeadlines implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String ESCALATION_ACCEPT = "ACCEPT";
  public static final String ESCALATION_RESOLVE = "RESOLVE";

  /**
   * A deadline to escalate: {@link #ESCALATION_ACCEPT} or {@link #ESCALATION_RESOLVE}, and when.
   */
  public record Escalation(String deadline, Instant due) {}

  private final BlockMaps blockMaps;
  private final WorkOrderConfig config;

  public OrderDeadlines(BlockMaps blockMaps, WorkOrderConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Hands the clock to the team from {@code at}: fresh accept and resolve deadlines. */
  public void start(WorkOrder order, Instant at) {
    Deadlines deadlines =
        OrderFiling.block(blockMaps, order.getBlockId())
            .deadlines(OrderFiling.mapType(order.getType()));
    order.setDispatchedAt(at);
    order.setAcceptBy(at.plus(deadlines.accept()));
    order.setResolveBy(at.plus(deadlines.resolve()));
    order.setWaitingFor(WaitingFor.TEAM_ACCEPT);
  }

  /** How long the zone must be seen clear to verify a resolution (the zone's, else the block's). */
  public Duration clearFor(WorkOrder order) {
    BlockMap block = OrderFiling.block(blockMaps, order.getBlockId());
    return block
        .zone(order.getZoneId())
        .map(zone -> zone.rules().verify().clearFor())
        .orElse(block.rules().verify().clearFor());
  }

  /** Deadlines that passed before {@code at} and have not escalated, accept first. */
  public static List<Escalation> overdue(WorkOrder order, LoopState s, Instant at) {
    return escalations(order, s, due -> at.isAfter(due));
  }

  /** Deadlines that fall exactly at {@code timestamp} and have not escalated, accept first. */
  public static List<Escalation> dueAt(WorkOrder order, LoopState s, long timestamp) {
    return escalations(order, s, due -> due.toEpochMilli() == timestamp);
  }

  private static List<Escalation> escalations(
      WorkOrder order, LoopState s, java.util.function.Predicate<Instant> due) {
    List<Escalation> escalations = new ArrayList<>(2);
    Instant acceptBy = pending(order, s, ESCALATION_ACCEPT);
    if (acceptBy != null && due.test(acceptBy)) {
      escalations.add(new Escalation(ESCALATION_ACCEPT, acceptBy));
    }
    Instant resolveBy = pending(order, s, ESCALATION_RESOLVE);
    if (resolveBy != null && due.test(resolveBy)) {
      escalations.add(new Escalation(ESCALATION_RESOLVE, resolveBy));
    }
    return escalations;
  }

  /** The deadline if it runs in the order's status and has not escalated yet; else null. */
  private static Instant pending(WorkOrder order, LoopState s, String deadline) {
    boolean accept = ESCALATION_ACCEPT.equals(deadline);
    Instant due = accept ? order.getAcceptBy() : order.getResolveBy();
    boolean runs = (accept ? AWAITING_ACCEPT : AWAITING_RESOLVE).contains(order.getStatus());
    long escalated = accept ? s.escalatedAcceptBy : s.escalatedResolveBy;
    return runs && due != null && escalated != due.toEpochMilli() ? due : null;
  }

  /** Remembers that the deadline escalated, so it never escalates again. */
  public static void markEscalated(LoopState s, Escalation escalation) {
    if (ESCALATION_ACCEPT.equals(escalation.deadline())) {
      s.escalatedAcceptBy = escalation.due().toEpochMilli();
    } else {
      s.escalatedResolveBy = escalation.due().toEpochMilli();
    }
  }

  /** A fresh dispatch: both deadlines may escalate again. */
  public static void resetEscalations(LoopState s) {
    s.escalatedAcceptBy = Long.MIN_VALUE;
    s.escalatedResolveBy = Long.MIN_VALUE;
  }

  /** When a resolved order without news from the cameras is reported as waiting for them. */
  public long verifyCheckAt(WorkOrder order, LoopState s) {
    return evidenceSince(order, s) + clearFor(order).toMillis() + config.verifyGrace().toMillis();
  }

  /** True when the verification check of this resolved order falls due at {@code timestamp}. */
  public boolean verifyCheckDue(WorkOrder order, LoopState s, long timestamp) {
    return order.getStatus() == WorkOrderStatus.RESOLVED
        && verifyCheckAt(order, s) == timestamp
        && s.reportedNoEvidenceAt != timestamp;
  }

  /** The later of the resolution and the latest evidence: what the verification waits from. */
  public static long evidenceSince(WorkOrder order, LoopState s) {
    return Math.max(order.getResolvedAt().toEpochMilli(), s.lastEvidenceAt);
  }

  /** Event-time timers the key needs: pending deadlines, the verification check, memory's end. */
  public TreeSet<Long> timers(WorkOrder order, LoopState s) {
    TreeSet<Long> wanted = new TreeSet<>();
    if (order != null) {
      for (String deadline : List.of(ESCALATION_ACCEPT, ESCALATION_RESOLVE)) {
        Instant due = pending(order, s, deadline);
        if (due != null) {
          wanted.add(due.toEpochMilli());
        }
      }
      if (order.getStatus() == WorkOrderStatus.RESOLVED) {
        long check = verifyCheckAt(order, s);
        if (s.reportedNoEvidenceAt != check) {
          wanted.add(check);
        }
      }
    } else if (s.closedOrderId != null) {
      wanted.add(s.retainUntil);
    }
    return wanted;
  }

  /** The closed order's memory (and the key's state without an open order) ends at this time. */
  public long retainUntil(long closedAt) {
    return closedAt + config.closedRetention().toMillis();
  }
}

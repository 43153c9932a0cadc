package io.streetsense.views;

import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.Severity;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Work orders built directly, shaped like the operator's (jiashan-lane ids). */
final class TestOrders {
  static final Instant T0 = Instant.parse("2026-11-23T02:15:00Z");

  private TestOrders() {}

  /**
   * Two teams' orders: WO-A1 dispatched to team-a, WO-A2 accepted by team-a, WO-B1 dispatched to
   * team-b.
   */
  static WorkOrderIndex twoTeams() {
    WorkOrderIndex index = new WorkOrderIndex();
    index.put("WO-A1", dispatched("WO-A1", "team-a"));
    index.put(
        "WO-A2",
        moved(dispatched("WO-A2", "team-a"), WorkOrderStatus.ACCEPTED, "team:team-a", null, null));
    index.put("WO-B1", dispatched("WO-B1", "team-b"));
    return index;
  }

  /** A dispatched illegal stall in the lane, for {@code team}. */
  static WorkOrder dispatched(String id, String team) {
    return order(id, ViolationType.ILLEGAL_STALL, "JS-Z-NV1", team, WorkOrderStatus.DISPATCHED, T0);
  }

  static WorkOrder order(
      String id,
      ViolationType type,
      String zone,
      String team,
      WorkOrderStatus status,
      Instant detectedAt) {
    List<WorkOrderTransition> history = new ArrayList<>();
    history.add(
        transition(null, WorkOrderStatus.FILED, TransitionKind.FILE, "detector", detectedAt));
    if (team != null) {
      history.add(
          transition(
              WorkOrderStatus.FILED,
              WorkOrderStatus.DISPATCHED,
              TransitionKind.DISPATCH,
              "detector",
              detectedAt));
    }
    WorkOrder order =
        WorkOrder.newBuilder()
            .setId(id)
            .setOrderKey("jiashan-lane/" + zone + "/" + type)
            .setType(type)
            .setBlockId("jiashan-lane")
            .setBlockName("Jiashan Lane")
            .setZoneId(zone)
            .setShopId(null)
            .setShopName(null)
            .setTeamId(team)
            .setStatus(team == null ? WorkOrderStatus.FILED : WorkOrderStatus.DISPATCHED)
            .setSeverity(Severity.MEDIUM)
            .setViolationId("jiashan-lane/" + zone + "/" + type + "/" + detectedAt.toEpochMilli())
            .setDetectedAt(detectedAt)
            .setFiledAt(detectedAt.plusSeconds(1))
            .setUpdatedAt(detectedAt.plusSeconds(1))
            .setAcceptBy(team == null ? null : detectedAt.plus(Duration.ofMinutes(15)))
            .setResolveBy(team == null ? null : detectedAt.plus(Duration.ofMinutes(60)))
            .setLocation(new GeoPoint(31.21048, 121.45746))
            .setEvidence(new Evidence(List.of(), null))
            .setDispatchedAt(team == null ? null : detectedAt)
            .setWaitingFor(team == null ? WaitingFor.OPERATIONS_CENTRE : WaitingFor.TEAM_ACCEPT)
            .setHistory(history)
            .build();
    return status == order.getStatus() ? order : moved(order, status, "team:" + team, null, null);
  }

  /** A copy of {@code order} moved to {@code status} by {@code actor}, with a note and photo. */
  static WorkOrder moved(
      WorkOrder order, WorkOrderStatus status, String actor, String note, String photoUrl) {
    WorkOrder next = WorkOrder.newBuilder(order).build();
    List<WorkOrderTransition> history = new ArrayList<>(order.getHistory());
    Instant at = order.getUpdatedAt().plusSeconds(60);
    WorkOrderTransition t = transition(order.getStatus(), status, kindFor(status), actor, at);
    t.setNote(note);
    t.setPhotoUrl(photoUrl);
    history.add(t);
    next.setHistory(history);
    next.setStatus(status);
    next.setUpdatedAt(at);
    next.setLatestNote(note);
    next.setWaitingFor(waitingFor(status));
    if (status == WorkOrderStatus.REJECTED) {
      next.setTeamId(null);
    }
    return next;
  }

  static WaitingFor waitingFor(WorkOrderStatus status) {
    switch (status) {
      case DISPATCHED:
      case REWORK:
        return WaitingFor.TEAM_ACCEPT;
      case ACCEPTED:
        return WaitingFor.TEAM_RESOLVE;
      case RESOLVED:
        return WaitingFor.VERIFICATION;
      case FILED:
      case REJECTED:
        return WaitingFor.OPERATIONS_CENTRE;
      default:
        return null;
    }
  }

  static TransitionKind kindFor(WorkOrderStatus status) {
    switch (status) {
      case DISPATCHED:
        return TransitionKind.DISPATCH;
      case ACCEPTED:
        return TransitionKind.ACCEPT;
      case RESOLVED:
        return TransitionKind.RESOLVE;
      case REWORK:
        return TransitionKind.REWORK;
      case CLOSED:
        return TransitionKind.CLOSE;
      case SELF_CLEARED:
        return TransitionKind.SELF_CLEAR;
      case REJECTED:
        return TransitionKind.REJECT;
      case CANCELLED:
        return TransitionKind.CANCEL;
      default:
        return TransitionKind.UNKNOWN;
    }
  }

  static WorkOrderTransition transition(
      WorkOrderStatus from, WorkOrderStatus to, TransitionKind kind, String actor, Instant at) {
    return WorkOrderTransition.newBuilder()
        .setAt(at)
        .setRecordedAt(at)
        .setFromStatus(from)
        .setToStatus(to)
        .setKind(kind)
        .setActor(actor)
        .setReason("test")
        .build();
  }
}

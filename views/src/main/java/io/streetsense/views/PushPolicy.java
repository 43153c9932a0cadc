package io.streetsense.views;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.util.EnumSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Which changes of an order are pushed to its team, and what the push looks like.
 *
 * <p>An order is pushed when the view sees it arrive at a status that asks the team to act — {@code
 * DISPATCHED} (also after the operations centre re-routed it) or {@code REWORK} — when such an
 * order changes team, or when it is re-dispatched (a DISPATCH, REROUTE or REWORK transition).
 * Evidence updates, notes and escalations of an order that stays with its team are not pushed
 * again.
 */
public final class PushPolicy {
  public static final Set<WorkOrderStatus> PUSHED =
      EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK);

  private static final Set<TransitionKind> REDISPATCH =
      EnumSet.of(TransitionKind.DISPATCH, TransitionKind.REROUTE, TransitionKind.REWORK);

  private PushPolicy() {}

  public static boolean shouldPush(WorkOrder previous, WorkOrder current) {
    if (current == null || current.getTeamId() == null || !PUSHED.contains(current.getStatus())) {
      return false;
    }
    if (previous == null
        || previous.getStatus() != current.getStatus()
        || !Objects.equals(previous.getTeamId(), current.getTeamId())) {
      return true;
    }
    // Same status and team: pushed again only when re-dispatched (a reroute to the same team,
    // which sets fresh deadlines), not for evidence updates, notes or escalations.
    List<WorkOrderTransition> history = current.getHistory();
    for (int i = previous.getHistory().size(); i < history.size(); i++) {
      if (REDISPATCH.contains(history.get(i).getKind())) {
        return true;
      }
    }
    return false;
  }

  /** {@code teams/{teamId}/workorders}. */
  public static String topic(String teamId) {
    return "teams/" + teamId + "/workorders";
  }

  /** A team id that would break out of its topic level. */
  public static boolean isSafeTopicLevel(String teamId) {
    return !teamId.isEmpty()
        && teamId.indexOf('/') < 0
        && teamId.indexOf('+') < 0
        && teamId.indexOf('#') < 0
        && teamId.indexOf('\u0000') < 0;
  }

  /**
   * Same order, status and history length → same key: a team app that sees a key twice (pushes are
   * at least once) drops the second.
   */
  public static String idempotencyKey(WorkOrder order) {
    return order.getId() + ":" + order.getStatus() + ":" + order.getHistory().size();
  }

  /** The JSON payload: the key, the event and the full order as the team API shows it. */
  public static ObjectNode payload(WorkOrder order) {
    ObjectNode node = JsonNodeFactory.instance.objectNode();
    node.put("idempotency_key", idempotencyKey(order));
    node.put("event", order.getStatus().name());
    node.put("team_id", order.getTeamId());
    node.set("work_order", AvroJson.toJson(order));
    return node;
  }
}

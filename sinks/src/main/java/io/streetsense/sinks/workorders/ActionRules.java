package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.WorkOrderLifecycle.OPS_PREFIX;
import static io.streetsense.sinks.workorders.WorkOrderLifecycle.TEAM_PREFIX;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderActions;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.sinks.workorders.RefusedAction.Code;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/**
 * Who may do what to a work order: the rules a {@link TeamAction} must pass before the loop applies
 * it, and the reason it is refused otherwise. Teams ({@code team:<id>}) accept, resolve, reject and
 * add notes to orders they hold; the operations centre ({@code ops:<user>}) reroutes, cancels,
 * escalates and adds notes to any open order. Free of Flink.
 *
 * <p>The checks, in order: the action names an order key and an order open under it (or says the
 * order is closed); then, per action, the actor's kind and team, the order's status, and the
 * action's own fields (a REJECT's reason, a REROUTE's team, a NOTE's text, an ESCALATE's reason).
 */
public final class ActionRules implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Why an action may not be applied: the code and the words of the dead letter's detail. */
  public record Refusal(Code code, String detail) {}

  private final BlockMaps blockMaps;

  public ActionRules(BlockMaps blockMaps) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
  }

  /** The actor, "" when the action names none. */
  public static String actor(TeamAction action) {
    return action.getActor() == null ? "" : action.getActor();
  }

  /**
   * Null when {@code action} may be applied to {@code order} (the key's open order, may be null);
   * otherwise why not. {@code state} (may be null) remembers the key's recently closed order.
   */
  public Refusal check(WorkOrder order, LoopState state, TeamAction action) {
    if (action.getOrderKey() == null || action.getOrderKey().isBlank()) {
      return new Refusal(Code.UNKNOWN_ORDER, "the action carries no orderKey");
    }
    if (order == null || !order.getId().equals(action.getWorkOrderId())) {
      if (state != null && action.getWorkOrderId().equals(state.closedOrderId)) {
        return new Refusal(
            Code.ORDER_CLOSED,
            "order "
                + state.closedOrderId
                + " is "
                + state.closedStatus
                + " since "
                + Instant.ofEpochMilli(state.closedAt));
      }
      return new Refusal(
          Code.UNKNOWN_ORDER,
          "no open order " + action.getWorkOrderId() + " under " + action.getOrderKey());
    }
    WorkOrderStatus status = order.getStatus();
    String actor = actor(action);
    TeamActionType type = action.getAction();
    switch (type) {
      case ACCEPT:
        return teamAction(order, action, actor, WorkOrderActions.ACCEPTABLE.contains(status), "");
      case RESOLVE:
        return teamAction(
            order,
            action,
            actor,
            WorkOrderActions.RESOLVABLE.contains(status),
            status == WorkOrderStatus.DISPATCHED ? ": ACCEPT it first" : "");
      case REJECT:
        {
          Refusal refusal =
              teamAction(order, action, actor, WorkOrderActions.REJECTABLE.contains(status), "");
          if (refusal == null && (action.getReason() == null || action.getReason().isBlank())) {
            return new Refusal(Code.INVALID_ACTION, "a REJECT needs a reason");
          }
          return refusal;
        }
      case REROUTE:
        {
          Refusal refusal =
              opsAction(order, action, actor, WorkOrderActions.REROUTABLE.contains(status));
          String team = action.getTeamId();
          if (refusal == null
              && (team == null
                  || OrderFiling.block(blockMaps, order.getBlockId()).team(team).isEmpty())) {
            return new Refusal(
                Code.UNKNOWN_TEAM, "team " + team + " does not serve block " + order.getBlockId());
          }
          return refusal;
        }
      case CANCEL:
        return opsAction(order, action, actor, WorkOrderActions.CANCELLABLE.contains(status));
      case NOTE:
        {
          boolean allows = WorkOrderActions.NOTABLE.contains(status);
          Refusal refusal =
              actor.startsWith(TEAM_PREFIX)
                  ? teamAction(order, action, actor, allows, "")
                  : opsOrTeam(order, action, actor, allows);
          return refusal != null ? refusal : text(action.getNote(), "a NOTE needs its text (note)");
        }
      case ESCALATE:
        {
          Refusal refusal =
              opsAction(order, action, actor, WorkOrderActions.ESCALATABLE.contains(status));
          return refusal != null
              ? refusal
              : text(escalationReason(action), "an ESCALATE needs a reason (note or reason)");
        }
      default:
        return new Refusal(Code.INVALID_ACTION, "unknown action " + type);
    }
  }

  /**
   * A team action must come from a team, from the team that holds the order, and fit its status;
   * {@code hint} is added to an illegal transition's words.
   */
  private static Refusal teamAction(
      WorkOrder order, TeamAction action, String actor, boolean statusAllows, String hint) {
    if (!actor.startsWith(TEAM_PREFIX)) {
      return new Refusal(
          Code.INVALID_ACTION, action.getAction() + " is a team action (actor team:*)");
    }
    String team =
        action.getTeamId() != null ? action.getTeamId() : actor.substring(TEAM_PREFIX.length());
    String holder = order.getTeamId();
    if (!actor.equals(TEAM_PREFIX + team) || !team.equals(holder)) {
      return new Refusal(
          Code.NOT_YOUR_ORDER,
          "order "
              + order.getId()
              + " is "
              + (holder == null ? "with the operations centre" : "with team " + holder)
              + ", not with "
              + actor);
    }
    return statusAllows ? null : illegal(action, order, hint);
  }

  /** The words of an ESCALATE: its reason, else its note; null when it has neither. */
  public static String escalationReason(TeamAction action) {
    if (action.getReason() != null && !action.getReason().isBlank()) {
      return action.getReason().strip();
    }
    return action.getNote() == null || action.getNote().isBlank() ? null : action.getNote().strip();
  }

  /** A NOTE's text or an ESCALATE's reason: present, and not longer than the views allow. */
  private static Refusal text(String text, String missing) {
    if (text == null || text.isBlank()) {
      return new Refusal(Code.INVALID_ACTION, missing);
    }
    if (text.length() > WorkOrderActions.MAX_NOTE_LENGTH) {
      return new Refusal(
          Code.INVALID_ACTION,
          "the text is "
              + text.length()
              + " characters, longer than "
              + WorkOrderActions.MAX_NOTE_LENGTH);
    }
    return null;
  }

  /** A NOTE not from a team must come from the operations centre. */
  private static Refusal opsOrTeam(
      WorkOrder order, TeamAction action, String actor, boolean statusAllows) {
    if (!actor.startsWith(OPS_PREFIX)) {
      return new Refusal(
          Code.INVALID_ACTION,
          "a NOTE comes from the team that holds the order (team:*) or the operations centre"
              + " (ops:*)");
    }
    return statusAllows ? null : illegal(action, order, "");
  }

  /** An operations-centre action must come from the operations centre and fit the status. */
  private static Refusal opsAction(
      WorkOrder order, TeamAction action, String actor, boolean statusAllows) {
    if (!actor.startsWith(OPS_PREFIX)) {
      return new Refusal(
          Code.INVALID_ACTION, "only the operations centre (ops:*) may " + action.getAction());
    }
    return statusAllows ? null : illegal(action, order, "");
  }

  private static Refusal illegal(TeamAction action, WorkOrder order, String hint) {
    return new Refusal(
        Code.ILLEGAL_TRANSITION,
        "cannot " + action.getAction() + " an order " + order.getStatus() + hint);
  }
}

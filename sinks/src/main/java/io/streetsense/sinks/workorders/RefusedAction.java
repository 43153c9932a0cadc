package io.streetsense.sinks.workorders;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.TeamAction;
import java.nio.ByteBuffer;
import java.time.Instant;

/**
 * A team or operations-centre action that the work-order loop refused: never applied, made visible
 * as a dead letter with reason {@link #DEAD_LETTER_REASON}.
 */
public final class RefusedAction {
  public static final String DEAD_LETTER_REASON = DeadLetterReason.ACTION_REFUSED.name();
  public static final String STAGE = "workorders";

  /** Why an action was refused: the first word of the dead letter's detail. */
  public enum Code {
    UNKNOWN_ORDER,
    ORDER_CLOSED,
    NOT_YOUR_ORDER,
    ILLEGAL_TRANSITION,
    UNKNOWN_TEAM,
    INVALID_ACTION
  }

  private static final AvroCodec<TeamAction> ACTIONS = AvroCodec.of(TeamAction.class);

  public TeamAction action;
  public Code code;
  public String detail;

  /** Processing time of the refusal. */
  public long refusedAt;

  public RefusedAction() {}

  public RefusedAction(TeamAction action, Code code, String detail, long refusedAt) {
    this.action = action;
    this.code = code;
    this.detail = detail;
    this.refusedAt = refusedAt;
  }

  /** The refusal as a dead letter; {@code source} is the actions topic. */
  public DeadLetter toDeadLetter(String source) {
    String orderKey = action.getOrderKey();
    int slash = orderKey == null ? -1 : orderKey.indexOf('/');
    return DeadLetter.newBuilder()
        .setStage(STAGE)
        .setReason(DEAD_LETTER_REASON)
        .setDetail(code + " " + action.getActionId() + ": " + detail)
        .setSource(source)
        .setPayload(ByteBuffer.wrap(ACTIONS.encode(action)))
        .setReceivedAt(Instant.ofEpochMilli(refusedAt))
        .setBlockId(slash > 0 ? orderKey.substring(0, slash) : null)
        .setDeviceId(null)
        .build();
  }

  @Override
  public String toString() {
    return code + " " + (action == null ? null : action.getActionId()) + ": " + detail;
  }
}

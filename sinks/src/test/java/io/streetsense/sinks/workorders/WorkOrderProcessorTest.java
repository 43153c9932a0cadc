package io.streetsense.sinks.workorders;

import static io.streetsense.sinks.workorders.LoopHarness.MARKET;
import static io.streetsense.sinks.workorders.LoopHarness.POLICE;
import static io.streetsense.sinks.workorders.LoopHarness.SQUAD;
import static io.streetsense.sinks.workorders.LoopHarness.stall;
import static io.streetsense.sinks.workorders.LoopHarness.violation;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.sinks.workorders.RefusedAction.Code;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every transition of the work-order loop, legal and illegal, on the operator in a test harness:
 * event time from watermarks, processing time from a test clock.
 */
class WorkOrderProcessorTest {
  static final Instant DETECTED = Instant.parse("2026-11-23T02:00:00Z"); // 10:00 Shanghai
  static final Instant FILED = DETECTED.plusSeconds(180);
  static final Instant ACCEPT_BY = FILED.plus(Duration.ofMinutes(10));
  static final Instant RESOLVE_BY = FILED.plus(Duration.ofHours(1));
  static final Duration CLEAR_FOR = Duration.ofMinutes(5);
  static final Instant PROCESSING = Instant.parse("2026-11-23T02:03:01Z");
  static final String TEAM = "team:" + SQUAD;

  private LoopHarness loop;
  private int actionIds;

  @BeforeEach
  void setUp() throws Exception {
    loop = new LoopHarness(new TestClock(PROCESSING), WorkOrderConfig.defaults(), null);
  }

  @AfterEach
  void tearDown() throws Exception {
    loop.close();
  }

  private static Instant at(int secondsAfterDetection) {
    return DETECTED.plusSeconds(secondsAfterDetection);
  }

  private WorkOrder fileStall() throws Exception {
    loop.violation(stall(ViolationEventKind.OPENED, DETECTED, FILED));
    return loop.last();
  }

  private TeamAction action(TeamActionType type, String actor, String team, Instant requestedAt) {
    return LoopHarness.action(
        "action-" + (++actionIds), loop.last(), type, actor, team, requestedAt);
  }

  private WorkOrder team(TeamActionType type, Instant requestedAt) throws Exception {
    loop.act(action(type, TEAM, SQUAD, requestedAt));
    return loop.last();
  }

  private static List<TransitionKind> kinds(WorkOrder order) {
    return order.getHistory().stream()
        .map(WorkOrderTransition::getKind)
        .collect(Collectors.toList());
  }

  private static List<WorkOrderStatus> statuses(WorkOrder order) {
    return order.getHistory().stream()
        .map(WorkOrderTransition::getToStatus)
        .collect(Collectors.toList());
  }

  /** After the final status and the closed order's memory (24 h), the key holds nothing. */
  private void assertStateGoesToZero(Instant closedAt) throws Exception {
    assertEquals(1, loop.timers(), "only the end of the closed order's memory is pending");
    loop.watermark(closedAt.plus(Duration.ofHours(24)));
    assertEquals(0, loop.stateEntries(), "a closed order leaves no state");
    assertEquals(0, loop.timers(), "a closed order leaves no timers");
  }

  // --- Filing and routing ------------------------------------------------------------------

  @Test
  void openedStall_isFiledAndDispatchedToTheUrbanManagementSquad_withDeadlines() throws Exception {
    WorkOrder order = fileStall();

    assertEquals("WO-20261123-100000-JS-Z-NV1-IS", order.getId());
    assertEquals("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL", order.getOrderKey());
    assertEquals(WorkOrderStatus.DISPATCHED, order.getStatus());
    assertEquals(SQUAD, order.getTeamId());
    assertEquals(DETECTED, order.getDetectedAt());
    assertEquals(FILED, order.getFiledAt());
    assertEquals(FILED, order.getDispatchedAt());
    assertEquals(ACCEPT_BY, order.getAcceptBy(), "accept within PT10M");
    assertEquals(RESOLVE_BY, order.getResolveBy(), "resolve within PT1H");
    assertEquals(WaitingFor.TEAM_ACCEPT, order.getWaitingFor());
    assertEquals(31.21048, order.getLocation().getLat(), 1e-9);
    assertEquals("Jiashan old market, Lane 550 South Shaanxi Road", order.getBlockName());
    assertNull(order.getShopId());
    assertEquals(
        List.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED), statuses(order), "history");
    assertEquals(List.of(TransitionKind.FILE, TransitionKind.DISPATCH), kinds(order));
    List<WorkOrderTransition> history = order.getHistory();
    assertEquals("detector", history.get(0).getActor());
    assertEquals("system", history.get(1).getActor());
    assertEquals(PROCESSING, history.get(0).getRecordedAt());
    assertEquals(2, loop.timers(), "the accept and resolve deadlines");
  }

  @Test
  void goodsOutsideABar_goToMarketSupervision_andNameTheShop() throws Exception {
    loop.violation(
        violation(
            ViolationEventKind.OPENED,
            ViolationType.OUT_OF_DOORWAY_TRADING,
            "JS-Z-F02",
            "JS-S-02",
            DETECTED,
            at(300)));
    WorkOrder order = loop.last();
    assertEquals(MARKET, order.getTeamId());
    assertEquals("Old Market tavern", order.getShopName());
  }

  @Test
  void goodsOutsideASalon_goToTheUrbanManagementSquad() throws Exception {
    loop.violation(
        violation(
            ViolationEventKind.OPENED,
            ViolationType.OUT_OF_DOORWAY_TRADING,
            "JS-Z-F06",
            "JS-S-06",
            DETECTED,
            at(300)));
    assertEquals(SQUAD, loop.last().getTeamId());
  }

  @Test
  void moreEvidence_updatesTheOpenOrder_neverOpensAnother() throws Exception {
    fileStall();
    loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(240)));
    loop.violation(stall(ViolationEventKind.OPENED, DETECTED, at(300)));
    List<WorkOrder> orders = loop.orders();
    assertEquals(3, orders.size());
    assertEquals(1, orders.stream().map(WorkOrder::getId).distinct().count());
    assertEquals(at(300), orders.get(2).getUpdatedAt());
    assertEquals(2, orders.get(2).getHistory().size(), "evidence is not a transition");
  }

  // --- Self-clearing -----------------------------------------------------------------------

  @Test
  void violationClearedBeforeAnyoneActed_selfClears_andFreesTheZone() throws Exception {
    fileStall();
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900)));
    WorkOrder closed = loop.last();
    assertEquals(WorkOrderStatus.SELF_CLEARED, closed.getStatus());
    // The accept deadline (dispatch + 10 min) passed in event time before the zone cleared.
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ESCALATE,
            TransitionKind.SELF_CLEAR),
        kinds(closed));
    assertEquals(WorkOrderStatus.DISPATCHED, closed.getHistory().get(3).getFromStatus());
    assertEquals(at(900), closed.getClosedAt());
    assertNull(closed.getWaitingFor());
    assertStateGoesToZero(at(900));
  }

  @Test
  void aViolationAfterAClosedOrder_filesANewOrder() throws Exception {
    fileStall();
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900)));
    loop.violation(stall(ViolationEventKind.OPENED, at(1800), at(1980)));
    WorkOrder second = loop.last();
    assertEquals("WO-20261123-103000-JS-Z-NV1-IS", second.getId());
    assertEquals(WorkOrderStatus.DISPATCHED, second.getStatus());
  }

  // --- The closed loop ---------------------------------------------------------------------

  @Test
  void acceptResolveAndVerifiedClear_closeTheOrder_andStateGoesToZero() throws Exception {
    fileStall();
    loop.clock.set(PROCESSING.plusSeconds(120));
    WorkOrder accepted = team(TeamActionType.ACCEPT, at(300));
    assertEquals(WorkOrderStatus.ACCEPTED, accepted.getStatus());
    assertEquals(WaitingFor.TEAM_RESOLVE, accepted.getWaitingFor());
    assertEquals(at(300), accepted.getAcceptedAt());
    WorkOrderTransition accept = accepted.getHistory().get(2);
    assertEquals(TEAM, accept.getActor());
    assertEquals(at(300), accept.getAt());
    assertEquals(PROCESSING.plusSeconds(120), accept.getRecordedAt());
    assertEquals("action-1", accept.getActionId());

    TeamAction resolve = action(TeamActionType.RESOLVE, TEAM, SQUAD, at(900));
    resolve.setNote("vendor moved on");
    resolve.setPhotoUrl("https://photos.example/1.jpg");
    loop.act(resolve);
    WorkOrder resolved = loop.last();
    assertEquals(WorkOrderStatus.RESOLVED, resolved.getStatus());
    assertEquals(WaitingFor.VERIFICATION, resolved.getWaitingFor());
    assertEquals("vendor moved on", resolved.getLatestNote());
    assertEquals("https://photos.example/1.jpg", resolved.getHistory().get(3).getPhotoUrl());

    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900 + 300)));
    WorkOrder closed = loop.last();
    assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
    assertEquals("detector", closed.getHistory().get(4).getActor());
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ACCEPT,
            TransitionKind.RESOLVE,
            TransitionKind.CLOSE),
        kinds(closed));
    assertTrue(loop.refused().isEmpty());
    assertStateGoesToZero(at(1200));
  }

  @Test
  void zoneSeenClearBeforeTheTeamReports_closesAtTheResolution() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900)));
    WorkOrder stillAccepted = loop.last();
    assertEquals(WorkOrderStatus.ACCEPTED, stillAccepted.getStatus(), "the team still reports");
    assertTrue(stillAccepted.getLatestNote().contains("seen clear"));

    WorkOrder closed = team(TeamActionType.RESOLVE, at(1000));
    assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
    assertEquals(
        List.of(WorkOrderStatus.RESOLVED, WorkOrderStatus.CLOSED), statuses(closed).subList(3, 5));
    assertEquals(at(1000), closed.getClosedAt());
    assertStateGoesToZero(at(1000));
  }

  @Test
  void resolvedButStillThere_goesBackForRework_andTheSecondResolutionIsVerified() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    team(TeamActionType.RESOLVE, at(900));
    // Seen within clear_for of the resolution: people packing up; the verdict waits.
    loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(960)));
    assertEquals(WorkOrderStatus.RESOLVED, loop.last().getStatus());
    // Still seen clear_for after the resolution: back to the team.
    loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(1200)));
    WorkOrder rework = loop.last();
    assertEquals(WorkOrderStatus.REWORK, rework.getStatus());
    assertEquals(1, rework.getReworkCount());
    assertEquals(SQUAD, rework.getTeamId());
    assertEquals(WaitingFor.TEAM_ACCEPT, rework.getWaitingFor());
    assertEquals(at(1200), rework.getDispatchedAt());
    assertEquals(at(1200).plus(Duration.ofMinutes(10)), rework.getAcceptBy(), "fresh deadline");
    assertEquals(at(1200).plus(Duration.ofHours(1)), rework.getResolveBy(), "fresh deadline");
    WorkOrderTransition why = rework.getHistory().get(4);
    assertEquals(TransitionKind.REWORK, why.getKind());
    assertEquals("detector", why.getActor());
    assertTrue(why.getReason().contains("still there"), why.getReason());

    // From REWORK the team may resolve straight away (it accepted before).
    team(TeamActionType.RESOLVE, at(1500));
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(1800)));
    WorkOrder closed = loop.last();
    assertEquals(WorkOrderStatus.CLOSED, closed.getStatus());
    assertEquals(1, closed.getReworkCount());
    assertStateGoesToZero(at(1800));
  }

  @Test
  void aViolationBackAfterAClear_isThereAgain_andReworkSaysSo() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(600)));
    loop.violation(stall(ViolationEventKind.OPENED, at(700), at(880)));
    WorkOrder same = loop.last();
    assertEquals(WorkOrderStatus.ACCEPTED, same.getStatus(), "one order per zone and type");
    team(TeamActionType.RESOLVE, at(900));
    assertEquals(WorkOrderStatus.RESOLVED, loop.last().getStatus(), "waits for verification");
    loop.violation(stall(ViolationEventKind.UPDATED, at(700), at(1200)));
    WorkOrder rework = loop.last();
    assertEquals(WorkOrderStatus.REWORK, rework.getStatus());
    assertTrue(
        rework.getHistory().get(4).getReason().contains("still there"),
        "the same violation as at the resolution: " + rework.getHistory().get(4).getReason());
    team(TeamActionType.ACCEPT, at(1300));
    assertEquals(WorkOrderStatus.ACCEPTED, loop.last().getStatus(), "accepted again");
  }

  @Test
  void resolvedWithNoCameraReporting_waitsAndSaysWhy_thenClosesOnTheClear() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    team(TeamActionType.RESOLVE, at(900));
    loop.watermark(at(900 + 300 + 119));
    assertEquals(WaitingFor.VERIFICATION, loop.last().getWaitingFor(), "grace not over yet");
    loop.watermark(at(900 + 300 + 120));
    WorkOrder waiting = loop.last();
    assertEquals(WorkOrderStatus.RESOLVED, waiting.getStatus());
    assertEquals(WaitingFor.CAMERA_EVIDENCE, waiting.getWaitingFor());
    assertTrue(waiting.getLatestNote().contains("camera offline"), waiting.getLatestNote());
    int emitted = loop.orders().size();
    loop.watermark(at(7200));
    assertEquals(emitted, loop.orders().size(), "says it once");

    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(7300)));
    assertEquals(WorkOrderStatus.CLOSED, loop.last().getStatus());
  }

  // --- Escalation ----------------------------------------------------------------------------

  @Test
  void acceptDeadlinePassing_escalatesOnce_andTheOrderStaysWithTheTeam() throws Exception {
    fileStall();
    loop.watermark(ACCEPT_BY.minusMillis(1));
    assertEquals(1, loop.orders().size(), "not yet");
    loop.watermark(ACCEPT_BY);
    WorkOrder escalated = loop.last();
    assertEquals(WorkOrderStatus.DISPATCHED, escalated.getStatus());
    assertEquals(SQUAD, escalated.getTeamId());
    assertEquals(List.of("ACCEPT"), escalated.getEscalations());
    assertTrue(escalated.getEscalated());
    WorkOrderTransition flag = escalated.getHistory().get(2);
    assertEquals(TransitionKind.ESCALATE, flag.getKind());
    assertEquals(WorkOrderStatus.DISPATCHED, flag.getFromStatus());
    assertEquals(WorkOrderStatus.DISPATCHED, flag.getToStatus());
    assertEquals("system", flag.getActor());
    assertEquals(ACCEPT_BY, flag.getAt());

    loop.watermark(ACCEPT_BY.plusSeconds(60));
    assertEquals(2, loop.orders().size(), "each deadline escalates once");
    WorkOrder accepted = team(TeamActionType.ACCEPT, ACCEPT_BY.plusSeconds(120));
    assertFalse(accepted.getEscalated(), "the team caught up");
    assertEquals(List.of("ACCEPT"), accepted.getEscalations());
  }

  @Test
  void resolveDeadlinePassingWhileAccepted_escalatesOnce() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    loop.watermark(RESOLVE_BY);
    WorkOrder escalated = loop.last();
    assertEquals(WorkOrderStatus.ACCEPTED, escalated.getStatus());
    assertEquals(List.of("RESOLVE"), escalated.getEscalations());
    loop.watermark(RESOLVE_BY.plus(Duration.ofHours(3)));
    assertEquals(1, loop.last().getEscalations().size());
    assertEquals(3, loop.orders().size());
  }

  @Test
  void anActionAfterItsDeadlineInEventTime_recordsTheEscalationFirst_once() throws Exception {
    fileStall();
    // The actions arrive before the street's watermark reaches the deadline.
    WorkOrder accepted = team(TeamActionType.ACCEPT, ACCEPT_BY.plusSeconds(30));
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ESCALATE,
            TransitionKind.ACCEPT),
        kinds(accepted));
    assertEquals(ACCEPT_BY, accepted.getHistory().get(2).getAt());
    loop.watermark(ACCEPT_BY.plusSeconds(60));
    assertEquals(List.of("ACCEPT"), loop.last().getEscalations(), "the timer adds nothing");
    assertEquals(1, loop.timers(), "only the resolve deadline is left");
  }

  // --- Rejection, reroute, cancel ---------------------------------------------------------

  @Test
  void rejectedByTheTeam_returnsToTheOperationsCentre_whoReroutesWithFreshDeadlines()
      throws Exception {
    fileStall();
    TeamAction reject = action(TeamActionType.REJECT, TEAM, SQUAD, at(400));
    reject.setReason("a licensed delivery tricycle, not a stall");
    loop.act(reject);
    WorkOrder rejected = loop.last();
    assertEquals(WorkOrderStatus.REJECTED, rejected.getStatus());
    assertNull(rejected.getTeamId());
    assertNull(rejected.getAcceptBy());
    assertEquals(WaitingFor.OPERATIONS_CENTRE, rejected.getWaitingFor());
    assertEquals(
        "a licensed delivery tricycle, not a stall", rejected.getHistory().get(2).getReason());
    assertEquals(0, loop.timers(), "no team, no deadlines");

    loop.act(action(TeamActionType.REROUTE, "ops:li", POLICE, at(600)));
    WorkOrder rerouted = loop.last();
    assertEquals(WorkOrderStatus.DISPATCHED, rerouted.getStatus());
    assertEquals(POLICE, rerouted.getTeamId());
    assertEquals(TransitionKind.REROUTE, rerouted.getHistory().get(3).getKind());
    assertEquals("ops:li", rerouted.getHistory().get(3).getActor());
    assertEquals(at(600).plus(Duration.ofMinutes(10)), rerouted.getAcceptBy());
    assertEquals(2, loop.timers());

    loop.act(action(TeamActionType.ACCEPT, TEAM, SQUAD, at(700)));
    assertEquals(Code.NOT_YOUR_ORDER, loop.refused().get(0).code, "the squad handed it back");
    loop.act(action(TeamActionType.ACCEPT, "team:" + POLICE, POLICE, at(700)));
    assertEquals(WorkOrderStatus.ACCEPTED, loop.last().getStatus());
  }

  @Test
  void rejectedThenCancelled_isFinal() throws Exception {
    fileStall();
    TeamAction reject = action(TeamActionType.REJECT, TEAM, SQUAD, at(400));
    reject.setReason("false alarm: a parked bicycle");
    loop.act(reject);
    loop.act(action(TeamActionType.CANCEL, "ops:li", null, at(500)));
    WorkOrder cancelled = loop.last();
    assertEquals(WorkOrderStatus.CANCELLED, cancelled.getStatus());
    assertEquals(at(500), cancelled.getClosedAt());
    assertStateGoesToZero(at(500));
  }

  @Test
  void clearedWhileWithTheOperationsCentre_selfClears() throws Exception {
    fileStall();
    TeamAction reject = action(TeamActionType.REJECT, TEAM, SQUAD, at(400));
    reject.setReason("wrong team");
    loop.act(reject);
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900)));
    assertEquals(WorkOrderStatus.SELF_CLEARED, loop.last().getStatus());
  }

  @Test
  void notesAndAnEscalationByTheOperationsCentre_areWritten_statusUnchanged_retriesOnce()
      throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    TeamAction note = action(TeamActionType.NOTE, "ops:li", null, at(400));
    note.setNote("shop owner says the stall belongs to a neighbour");
    loop.act(note);
    loop.act(note);
    WorkOrder noted = loop.last();
    assertEquals(WorkOrderStatus.ACCEPTED, noted.getStatus());
    assertEquals("shop owner says the stall belongs to a neighbour", noted.getLatestNote());
    TeamAction teamNote = action(TeamActionType.NOTE, TEAM, SQUAD, at(450));
    teamNote.setNote("arriving in 5 minutes");
    loop.act(teamNote);
    TeamAction escalate = action(TeamActionType.ESCALATE, "ops:li", null, at(500));
    escalate.setNote("third complaint today");
    loop.act(escalate);
    loop.act(TeamAction.newBuilder(escalate).build());
    WorkOrder escalated = loop.last();
    assertEquals(WorkOrderStatus.ACCEPTED, escalated.getStatus());
    assertTrue(escalated.getEscalated());
    assertEquals(SQUAD, escalated.getTeamId());
    assertEquals(
        List.of(
            TransitionKind.FILE,
            TransitionKind.DISPATCH,
            TransitionKind.ACCEPT,
            TransitionKind.NOTE,
            TransitionKind.NOTE,
            TransitionKind.ESCALATE),
        kinds(escalated),
        "each retry counts once");
    assertEquals(
        "escalated by the operations centre: third complaint today", escalated.getLatestNote());
    assertEquals(
        "escalated by ops:li: third complaint today",
        escalated.getHistory().get(escalated.getHistory().size() - 1).getReason());
    assertTrue(loop.refused().isEmpty());
    // After it is closed, neither is taken, and the dead letter says why.
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(600)));
    team(TeamActionType.RESOLVE, at(700));
    assertEquals(WorkOrderStatus.CLOSED, loop.last().getStatus());
    TeamAction late = action(TeamActionType.NOTE, "ops:li", null, at(800));
    late.setNote("too late");
    assertRefused(late, Code.ORDER_CLOSED);
    TeamAction lateEscalate = action(TeamActionType.ESCALATE, "ops:li", null, at(800));
    lateEscalate.setNote("too late");
    assertRefused(lateEscalate, Code.ORDER_CLOSED);
    assertTrue(loop.refused().get(0).detail.contains("CLOSED"), loop.refused().get(0).detail);
  }

  // --- Refused actions ----------------------------------------------------------------------

  private void assertRefused(TeamAction action, Code code) throws Exception {
    int before = loop.orders().size();
    WorkOrder current = before == 0 ? null : loop.last();
    loop.act(action);
    assertEquals(before, loop.orders().size(), "a refused action changes nothing");
    if (current != null) {
      assertEquals(current, loop.last());
    }
    List<RefusedAction> refused = loop.refused();
    RefusedAction last = refused.get(refused.size() - 1);
    assertEquals(code, last.code, last.toString());
    assertEquals(action.getActionId(), last.action.getActionId());
  }

  @Test
  void anotherTeamActingOnTheOrder_isRefused() throws Exception {
    fileStall();
    assertRefused(
        action(TeamActionType.ACCEPT, "team:" + MARKET, MARKET, at(300)), Code.NOT_YOUR_ORDER);
    assertRefused(action(TeamActionType.ACCEPT, TEAM, MARKET, at(300)), Code.NOT_YOUR_ORDER);
  }

  @Test
  void resolveBeforeAccept_andAcceptTwice_areIllegal() throws Exception {
    fileStall();
    assertRefused(action(TeamActionType.RESOLVE, TEAM, SQUAD, at(300)), Code.ILLEGAL_TRANSITION);
    team(TeamActionType.ACCEPT, at(300));
    assertRefused(action(TeamActionType.ACCEPT, TEAM, SQUAD, at(400)), Code.ILLEGAL_TRANSITION);
    team(TeamActionType.RESOLVE, at(900));
    assertRefused(action(TeamActionType.REJECT, TEAM, SQUAD, at(950)), Code.ILLEGAL_TRANSITION);
    assertRefused(
        action(TeamActionType.REROUTE, "ops:li", POLICE, at(950)), Code.ILLEGAL_TRANSITION);
  }

  @Test
  void wrongActorKindsAndMissingReasons_areInvalid() throws Exception {
    fileStall();
    assertRefused(action(TeamActionType.REROUTE, TEAM, POLICE, at(300)), Code.INVALID_ACTION);
    assertRefused(action(TeamActionType.CANCEL, TEAM, null, at(300)), Code.INVALID_ACTION);
    assertRefused(action(TeamActionType.ACCEPT, "ops:li", SQUAD, at(300)), Code.INVALID_ACTION);
    assertRefused(action(TeamActionType.REJECT, TEAM, SQUAD, at(300)), Code.INVALID_ACTION);
    assertRefused(action(TeamActionType.UNKNOWN, TEAM, SQUAD, at(300)), Code.INVALID_ACTION);
    assertRefused(action(TeamActionType.REROUTE, "ops:li", "nobody", at(300)), Code.UNKNOWN_TEAM);
  }

  @Test
  void anyActionOnAClosedOrder_isRefusedAsClosed() throws Exception {
    fileStall();
    TeamAction lateAccept = action(TeamActionType.ACCEPT, TEAM, SQUAD, at(1000));
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(900)));
    assertRefused(lateAccept, Code.ORDER_CLOSED);
    assertRefused(action(TeamActionType.CANCEL, "ops:li", null, at(1000)), Code.ORDER_CLOSED);
    DeadLetter letter = loop.refused().get(0).toDeadLetter("streetsense.actions");
    assertEquals("ACTION_REFUSED", letter.getReason());
    assertEquals("workorders", letter.getStage());
    assertEquals("jiashan-lane", letter.getBlockId());
    assertTrue(letter.getDetail().startsWith("ORDER_CLOSED " + lateAccept.getActionId()));
    byte[] payload = new byte[letter.getPayload().remaining()];
    letter.getPayload().get(payload);
    assertEquals(lateAccept, AvroCodec.of(TeamAction.class).decode(payload), "byte for byte");
  }

  @Test
  void anUnknownOrder_isRefused_andLeavesNoState() throws Exception {
    TeamAction ghost =
        TeamAction.newBuilder()
            .setActionId("ghost")
            .setWorkOrderId("WO-20261123-090000-JS-Z-NV1-IS")
            .setOrderKey("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL")
            .setAction(TeamActionType.ACCEPT)
            .setActor(TEAM)
            .setTeamId(SQUAD)
            .setRequestedAt(at(0))
            .build();
    assertRefused(ghost, Code.UNKNOWN_ORDER);
    TeamAction unrouted = TeamAction.newBuilder(ghost).setActionId("x").setOrderKey(null).build();
    assertRefused(unrouted, Code.UNKNOWN_ORDER);
    assertEquals(0, loop.stateEntries());
    fileStall();
    TeamAction wrongId =
        TeamAction.newBuilder(ghost).setActionId("y").setWorkOrderId("WO-nonsense").build();
    assertRefused(wrongId, Code.UNKNOWN_ORDER);
  }

  @Test
  void theSameActionIdTwice_countsOnce() throws Exception {
    fileStall();
    TeamAction accept = action(TeamActionType.ACCEPT, TEAM, SQUAD, at(300));
    loop.act(accept);
    loop.act(accept);
    loop.act(TeamAction.newBuilder(accept).build());
    assertEquals(2, loop.orders().size());
    assertEquals(1, kinds(loop.last()).stream().filter(k -> k == TransitionKind.ACCEPT).count());
    assertTrue(loop.refused().isEmpty(), "a retry is not a refusal");
  }

  @Test
  void aRetryAfterTheOrderClosed_isStillIgnored() throws Exception {
    fileStall();
    TeamAction accept = action(TeamActionType.ACCEPT, TEAM, SQUAD, at(300));
    loop.act(accept);
    TeamAction resolve = action(TeamActionType.RESOLVE, TEAM, SQUAD, at(400));
    loop.act(resolve);
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(700)));
    int emitted = loop.orders().size();
    loop.act(resolve);
    assertEquals(emitted, loop.orders().size());
    assertTrue(loop.refused().isEmpty());
  }

  // --- Metrics deltas ---------------------------------------------------------------------

  @Test
  void tallies_countEachTransitionForTheTeamThatHeldTheOrder() throws Exception {
    fileStall();
    team(TeamActionType.ACCEPT, at(300));
    team(TeamActionType.RESOLVE, at(900));
    loop.violation(stall(ViolationEventKind.UPDATED, DETECTED, at(1200)));
    team(TeamActionType.ACCEPT, at(1260));
    team(TeamActionType.RESOLVE, at(1500));
    loop.violation(stall(ViolationEventKind.CLEARED, DETECTED, at(1800)));
    WorkOrderTally sum = WorkOrderTally.of("jiashan-lane", SQUAD, "ILLEGAL_STALL", 0);
    for (WorkOrderTally delta : loop.tallies()) {
      assertEquals(SQUAD, delta.teamId);
      sum.add(delta);
    }
    assertEquals(0, sum.open, "filed then closed");
    assertEquals(1, sum.filed);
    assertEquals(1, sum.dispatched);
    assertEquals(2, sum.accepted);
    assertEquals(2, sum.resolved);
    assertEquals(1, sum.reworked);
    assertEquals(1, sum.closed);
    assertEquals(1, sum.closedOnTime, "resolved at 10:25, due 11:20 after the rework");
    assertEquals((120 + 60) * 1000L, sum.acceptMillis, "2 min after filing, 1 min after rework");
    assertEquals((720 + 300) * 1000L, sum.resolveMillis);
  }

  // --- A day -------------------------------------------------------------------------------

  @Test
  void aDayOfOrders_runsInMilliseconds_andLeavesNoStateBehind() throws Exception {
    int closed = 0;
    int selfCleared = 0;
    for (int hour = 0; hour < 24; hour++) {
      Instant detected = DETECTED.plus(Duration.ofHours(hour));
      Instant filed = detected.plusSeconds(180);
      loop.clock.set(PROCESSING.plus(Duration.ofHours(hour)));
      loop.violation(stall(ViolationEventKind.OPENED, detected, filed));
      loop.violation(
          violation(
              ViolationEventKind.OPENED,
              ViolationType.OUT_OF_DOORWAY_TRADING,
              "JS-Z-F02",
              "JS-S-02",
              detected,
              filed));
      WorkOrder stallOrder =
          loop.orders().stream()
              .filter(o -> o.getType() == ViolationType.ILLEGAL_STALL)
              .reduce((a, b) -> b)
              .orElseThrow();
      if (hour % 2 == 0) {
        // The squad handles the stall; the bar's goods go by themselves.
        loop.act(
            LoopHarness.action(
                "accept-" + hour,
                stallOrder,
                TeamActionType.ACCEPT,
                TEAM,
                SQUAD,
                filed.plusSeconds(120)));
        loop.act(
            LoopHarness.action(
                "resolve-" + hour,
                stallOrder,
                TeamActionType.RESOLVE,
                TEAM,
                SQUAD,
                filed.plusSeconds(900)));
        closed++;
      } else {
        selfCleared++; // nobody comes: the accept deadline escalates, then the stall leaves
      }
      loop.watermark(filed.plusSeconds(1000));
      loop.violation(stall(ViolationEventKind.CLEARED, detected, filed.plusSeconds(1500)));
      loop.violation(
          violation(
              ViolationEventKind.CLEARED,
              ViolationType.OUT_OF_DOORWAY_TRADING,
              "JS-Z-F02",
              "JS-S-02",
              detected,
              filed.plusSeconds(1500)));
      selfCleared++;
      loop.watermark(filed.plusSeconds(1600));
    }
    List<WorkOrder> finals =
        loop.orders().stream().filter(o -> o.getClosedAt() != null).collect(Collectors.toList());
    assertEquals(48, finals.size());
    assertEquals(
        closed, finals.stream().filter(o -> o.getStatus() == WorkOrderStatus.CLOSED).count());
    assertEquals(
        selfCleared,
        finals.stream().filter(o -> o.getStatus() == WorkOrderStatus.SELF_CLEARED).count());
    assertEquals(
        12,
        finals.stream()
            .filter(o -> o.getType() == ViolationType.ILLEGAL_STALL)
            .filter(o -> o.getEscalations().equals(List.of("ACCEPT")))
            .count(),
        "each unattended stall escalated once");
    assertEquals(
        24,
        finals.stream().filter(o -> o.getEscalations().equals(List.of("ACCEPT"))).count() - 12,
        "and so did each unattended frontage (PT15M to accept)");
    assertTrue(loop.refused().isEmpty());
    loop.watermark(DETECTED.plus(Duration.ofHours(48)));
    assertEquals(0, loop.stateEntries());
    assertEquals(0, loop.timers());
  }
}

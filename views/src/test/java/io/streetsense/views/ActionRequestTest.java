package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrderStatus;
import org.junit.jupiter.api.Test;

class ActionRequestTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static ApiException refused(TeamActionType type, String body) {
    return assertThrows(
        ApiException.class, () -> ActionRequest.parse(type, body == null ? null : json(body)));
  }

  @Test
  void accept_withEmptyBody_isValid() {
    ActionRequest r = ActionRequest.parse(TeamActionType.ACCEPT, null);
    assertEquals(TeamActionType.ACCEPT, r.action());
    assertNull(r.note());
  }

  @Test
  void resolve_keepsNoteAndPhotoUrl() throws Exception {
    ActionRequest r =
        ActionRequest.parse(
            TeamActionType.RESOLVE,
            json("{\"note\":\"  stall moved on  \",\"photo_url\":\"https://img.example/1.jpg\"}"));
    assertEquals("stall moved on", r.note());
    assertEquals("https://img.example/1.jpg", r.photoUrl());
  }

  @Test
  void resolve_withoutNote_isBadRequest() {
    ApiException e = refused(TeamActionType.RESOLVE, "{\"photo_url\":\"https://a.b/c\"}");
    assertEquals(400, e.status());
    assertTrue(e.reason().contains("'note' is required"), e.reason());
  }

  @Test
  void resolve_withBlankNote_isBadRequest() {
    assertTrue(refused(TeamActionType.RESOLVE, "{\"note\":\"   \"}").reason().contains("blank"));
  }

  @Test
  void resolve_withTooLongNote_isBadRequest() {
    String note = "x".repeat(ActionRequest.MAX_NOTE + 1);
    ApiException e = refused(TeamActionType.RESOLVE, "{\"note\":\"" + note + "\"}");
    assertTrue(e.reason().contains("longer than 2000"), e.reason());
  }

  @Test
  void resolve_withNoteOfMaxLength_isValid() {
    String note = "x".repeat(ActionRequest.MAX_NOTE);
    assertDoesNotThrow(
        () -> ActionRequest.parse(TeamActionType.RESOLVE, json("{\"note\":\"" + note + "\"}")));
  }

  @Test
  void resolve_withNonHttpPhotoUrl_isBadRequest() {
    for (String url :
        new String[] {
          "ftp://host/x.jpg", "javascript:alert(1)", "file:///etc/passwd", "not a url", "/rel.jpg"
        }) {
      ApiException e =
          refused(TeamActionType.RESOLVE, "{\"note\":\"ok\",\"photo_url\":\"" + url + "\"}");
      assertTrue(e.reason().contains("photo_url"), url + ": " + e.reason());
    }
  }

  @Test
  void resolve_withCredentialsInPhotoUrl_isBadRequest() {
    ApiException e =
        refused(
            TeamActionType.RESOLVE, "{\"note\":\"ok\",\"photo_url\":\"https://u:p@host/x.jpg\"}");
    assertTrue(e.reason().contains("credentials"));
  }

  @Test
  void resolve_withWrongTypedNote_isBadRequest() {
    assertTrue(refused(TeamActionType.RESOLVE, "{\"note\":42}").reason().contains("string"));
  }

  @Test
  void unknownField_isNamedInTheReason() {
    ApiException e = refused(TeamActionType.RESOLVE, "{\"note\":\"ok\",\"photoUrl\":\"x\"}");
    assertTrue(e.reason().contains("unknown field 'photoUrl'"), e.reason());
    assertTrue(e.reason().contains("photo_url"), e.reason());
  }

  @Test
  void bodyThatIsNotAnObject_isBadRequest() {
    assertTrue(refused(TeamActionType.ACCEPT, "[1,2]").reason().contains("JSON object"));
  }

  @Test
  void controlCharactersInNote_areRefused() {
    assertTrue(
        refused(TeamActionType.RESOLVE, "{\"note\":\"a\\u0000b\"}")
            .reason()
            .contains("control characters"));
  }

  @Test
  void reject_needsAKnownReasonAndANote() throws Exception {
    ActionRequest r =
        ActionRequest.parse(
            TeamActionType.REJECT, json("{\"reason\":\"wrong_team\",\"note\":\"traffic's job\"}"));
    assertEquals("WRONG_TEAM", r.reason());
    assertEquals("traffic's job", r.note());
    assertTrue(refused(TeamActionType.REJECT, "{\"note\":\"x\"}").reason().contains("reason"));
    assertTrue(
        refused(TeamActionType.REJECT, "{\"reason\":\"BORED\",\"note\":\"x\"}")
            .reason()
            .contains("WRONG_TEAM or FALSE_ALARM"));
    assertTrue(
        refused(TeamActionType.REJECT, "{\"reason\":\"FALSE_ALARM\"}").reason().contains("note"));
  }

  @Test
  void reroute_needsAWellFormedTeam() throws Exception {
    assertEquals(
        "js-traffic",
        ActionRequest.parse(TeamActionType.REROUTE, json("{\"team\":\"js-traffic\"}")).team());
    assertTrue(
        refused(TeamActionType.REROUTE, "{\"team\":\"a/b\"}").reason().contains("'team' must"));
    assertTrue(refused(TeamActionType.REROUTE, "{}").reason().contains("'team' is required"));
  }

  @Test
  void rules_refuseWhatTheOperatorWouldRefuse() {
    assertDoesNotThrow(() -> ActionRules.check(TeamActionType.ACCEPT, WorkOrderStatus.DISPATCHED));
    assertDoesNotThrow(() -> ActionRules.check(TeamActionType.RESOLVE, WorkOrderStatus.REWORK));
    assertDoesNotThrow(() -> ActionRules.check(TeamActionType.REROUTE, WorkOrderStatus.REJECTED));
    assertDoesNotThrow(() -> ActionRules.check(TeamActionType.CANCEL, WorkOrderStatus.FILED));
    // A status from a newer operator is left to the operator.
    assertDoesNotThrow(() -> ActionRules.check(TeamActionType.ACCEPT, WorkOrderStatus.UNKNOWN));

    ApiException e =
        assertThrows(
            ApiException.class,
            () -> ActionRules.check(TeamActionType.RESOLVE, WorkOrderStatus.DISPATCHED));
    assertEquals(409, e.status());
    assertTrue(e.reason().contains("cannot resolve an order that is DISPATCHED"), e.reason());
    for (WorkOrderStatus closed : Open311.CLOSED) {
      for (TeamActionType type : TeamActionType.values()) {
        if (type != TeamActionType.UNKNOWN) {
          assertThrows(
              ApiException.class, () -> ActionRules.check(type, closed), type + "/" + closed);
        }
      }
    }
  }

  @Test
  void note_needsItsText_withinTheLimit_andNothingElse() throws Exception {
    ActionRequest r =
        ActionRequest.parse(TeamActionType.NOTE, json("{\"note\":\"  owner called  \"}"));
    assertEquals(TeamActionType.NOTE, r.action());
    assertEquals("owner called", r.note());
    assertNull(r.team());
    assertTrue(refused(TeamActionType.NOTE, null).reason().contains("'note' is required"));
    assertTrue(refused(TeamActionType.NOTE, "{}").reason().contains("'note' is required"));
    assertTrue(refused(TeamActionType.NOTE, "{\"note\":\"  \"}").reason().contains("blank"));
    assertTrue(refused(TeamActionType.NOTE, "{\"note\":7}").reason().contains("string"));
    String longest = "x".repeat(ActionRequest.MAX_NOTE);
    assertDoesNotThrow(
        () -> ActionRequest.parse(TeamActionType.NOTE, json("{\"note\":\"" + longest + "\"}")));
    ApiException tooLong = refused(TeamActionType.NOTE, "{\"note\":\"" + longest + "x\"}");
    assertEquals(400, tooLong.status());
    assertTrue(tooLong.reason().contains("longer than 2000"), tooLong.reason());
    assertTrue(
        refused(TeamActionType.NOTE, "{\"note\":\"a\\u0007b\"}")
            .reason()
            .contains("control characters"));
    assertTrue(
        refused(TeamActionType.NOTE, "{\"note\":\"x\",\"team\":\"b\"}")
            .reason()
            .contains("unknown field"));
  }

  @Test
  void escalate_needsAReason_inItsNote() throws Exception {
    ActionRequest r =
        ActionRequest.parse(TeamActionType.ESCALATE, json("{\"note\":\"third complaint today\"}"));
    assertEquals(TeamActionType.ESCALATE, r.action());
    assertEquals("third complaint today", r.note());
    assertTrue(refused(TeamActionType.ESCALATE, "{}").reason().contains("'note' is required"));
    assertTrue(
        refused(TeamActionType.ESCALATE, "{\"note\":\"" + "y".repeat(2001) + "\"}")
            .reason()
            .contains("longer than 2000"));
  }

  @Test
  void noteAndEscalate_areLegalOnEveryOpenOrder_andNoClosedOne() {
    for (WorkOrderStatus open :
        java.util.EnumSet.complementOf(
            java.util.EnumSet.of(
                WorkOrderStatus.CLOSED,
                WorkOrderStatus.SELF_CLEARED,
                WorkOrderStatus.CANCELLED,
                WorkOrderStatus.UNKNOWN))) {
      assertDoesNotThrow(() -> ActionRules.check(TeamActionType.NOTE, open));
      assertDoesNotThrow(() -> ActionRules.check(TeamActionType.ESCALATE, open));
    }
    ApiException e =
        assertThrows(
            ApiException.class,
            () -> ActionRules.check(TeamActionType.ESCALATE, WorkOrderStatus.CANCELLED));
    assertEquals(409, e.status());
    assertTrue(e.reason().contains("cannot escalate an order that is CANCELLED"), e.reason());
  }
}

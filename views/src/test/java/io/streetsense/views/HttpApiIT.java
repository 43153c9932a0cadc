package io.streetsense.views;

import static io.streetsense.views.LiveApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HTTP API over a real socket, on an in-memory view and a recording action sink: status codes,
 * error bodies, authorisation and the commands it produces. No brokers needed.
 */
class HttpApiIT {
  static final String A = TokenRegistryTest.A;
  static final String B = TokenRegistryTest.B;
  static final String OPS = TokenRegistryTest.OPS;
  static final Instant NOW = Instant.parse("2026-11-23T03:00:00.123Z");

  WorkOrderIndex index;
  RecordingActionSink sink;
  LiveApi api;
  volatile boolean ready = true;

  @BeforeEach
  void start() {
    index = TestOrders.twoTeams();
    index.put(
        "WO-R1",
        TestOrders.moved(
            TestOrders.dispatched("WO-R1", "team-b"),
            WorkOrderStatus.REJECTED,
            "team:team-b",
            "not ours",
            null));
    sink = new RecordingActionSink();
    WorkOrderReader reader = new ReadinessSwitch(index, () -> ready);
    api =
        LiveApi.start(
            reader,
            sink,
            new HttpApi.Settings(
                4096,
                false,
                Duration.ofSeconds(2),
                Clock.fixed(NOW, ZoneOffset.UTC),
                WriteRateLimiter.Limit.defaults()));
  }

  @AfterEach
  void stop() {
    api.close();
  }

  /** The index, with readiness under the test's control. */
  record ReadinessSwitch(WorkOrderIndex index, java.util.function.BooleanSupplier ready)
      implements WorkOrderReader {
    @Override
    public java.util.Optional<WorkOrder> get(String id) {
      return index.get(id);
    }

    @Override
    public java.util.List<WorkOrder> ofTeam(String teamId, Set<WorkOrderStatus> statuses) {
      return index.ofTeam(teamId, statuses);
    }

    @Override
    public java.util.List<WorkOrder> withStatus(Set<WorkOrderStatus> statuses) {
      return index.withStatus(statuses);
    }

    @Override
    public java.util.List<WorkOrder> matching(java.util.function.Predicate<WorkOrder> filter) {
      return index.matching(filter);
    }

    @Override
    public int size() {
      return index.size();
    }

    @Override
    public boolean isCaughtUp() {
      return ready.getAsBoolean();
    }
  }

  static void assertError(HttpResponse<String> r, int status, String error) throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(error, json(r).get("error").asText(), r.body());
    assertFalse(json(r).get("reason").asText().isBlank());
  }

  @Test
  void withoutAValidToken_401() throws Exception {
    HttpResponse<String> none = api.get("/teams/v1/workorders", null);
    assertError(none, 401, "unauthorized");
    assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
    assertError(api.get("/teams/v1/workorders", "wrong-token-000000000"), 401, "unauthorized");
    HttpResponse<String> basic =
        api.send(api.request("/teams/v1/workorders").header("Authorization", "Basic " + A));
    assertError(basic, 401, "unauthorized");
  }

  @Test
  void aTeamListsItsOwnOrdersOnly_filteredByStatus() throws Exception {
    HttpResponse<String> r = api.get("/teams/v1/workorders", A);
    assertEquals(200, r.statusCode());
    Set<String> ids = ids(json(r).get("items"));
    assertEquals(Set.of("WO-A1", "WO-A2"), ids);
    assertEquals("2", r.headers().firstValue("X-Total-Count").orElseThrow());
    assertEquals(
        Set.of("WO-A1"),
        ids(json(api.get("/teams/v1/workorders?status=dispatched", A)).get("items")));
    assertEquals(Set.of("WO-B1"), ids(json(api.get("/teams/v1/workorders", B)).get("items")));
    assertError(api.get("/teams/v1/workorders?status=LOST", A), 400, "bad_request");
  }

  @Test
  void paging_saysHowManyAndLinksTheNextPage() throws Exception {
    HttpResponse<String> r = api.get("/teams/v1/workorders?page_size=1", A);
    JsonNode body = json(r);
    assertEquals(1, body.get("items").size());
    assertEquals(2, body.get("total").asInt());
    assertEquals(2, body.get("pages").asInt());
    assertEquals(
        "</teams/v1/workorders?page_size=1&page=2>; rel=\"next\"",
        r.headers().firstValue("Link").orElseThrow());
    assertError(api.get("/teams/v1/workorders?page_size=501", A), 400, "bad_request");
  }

  static Set<String> ids(JsonNode items) {
    return StreamSupport.stream(items.spliterator(), false)
        .map(n -> n.get("id").asText())
        .collect(Collectors.toSet());
  }

  @Test
  void anotherTeamsOrder_is404_likeAnUnknownOne_andNothingIsSent() throws Exception {
    HttpResponse<String> foreign = api.get("/teams/v1/workorders/WO-B1", A);
    HttpResponse<String> unknown = api.get("/teams/v1/workorders/WO-NOPE", A);
    assertError(foreign, 404, "not_found");
    assertError(unknown, 404, "not_found");
    assertEquals(
        json(foreign).get("reason").asText().replace("WO-B1", "X"),
        json(unknown).get("reason").asText().replace("WO-NOPE", "X"));
    assertError(api.post("/teams/v1/workorders/WO-B1/accept", A, "{}"), 404, "not_found");
    assertError(
        api.post("/teams/v1/workorders/WO-B1/resolve", A, "{\"note\":\"done\"}"), 404, "not_found");
    assertTrue(sink.sent().isEmpty());
    assertEquals(200, api.get("/teams/v1/workorders/WO-B1", B).statusCode());
  }

  @Test
  void accept_producesOneCommand_andAnswers202() throws Exception {
    HttpResponse<String> r = api.post("/teams/v1/workorders/WO-A1/accept", A, "");
    assertEquals(202, r.statusCode(), r.body());
    JsonNode body = json(r);
    assertEquals(1, sink.sent().size());
    RecordingActionSink.Sent sent = sink.sent().get(0);
    TeamAction action = sent.action();
    assertEquals("WO-A1", sent.key(), "keyed by order id");
    assertEquals(body.get("action_id").asText(), action.getActionId());
    assertEquals("WO-A1", action.getWorkOrderId());
    assertEquals("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL", action.getOrderKey());
    assertEquals(TeamActionType.ACCEPT, action.getAction());
    assertEquals("team:team-a", action.getActor());
    assertEquals("team-a", action.getTeamId());
    assertEquals(NOW, action.getRequestedAt());
    assertEquals("/teams/v1/workorders/WO-A1", r.headers().firstValue("Location").orElseThrow());
  }

  @Test
  void resolve_carriesNoteAndPhoto() throws Exception {
    HttpResponse<String> r =
        api.post(
            "/teams/v1/workorders/WO-A2/resolve",
            A,
            "{\"note\":\"cart moved on\",\"photo_url\":\"https://img.example/a.jpg\"}");
    assertEquals(202, r.statusCode(), r.body());
    TeamAction action = sink.sent().get(0).action();
    assertEquals("cart moved on", action.getNote());
    assertEquals("https://img.example/a.jpg", action.getPhotoUrl());
  }

  @Test
  void badBodies_400_413_415() throws Exception {
    assertError(
        api.post("/teams/v1/workorders/WO-A2/resolve", A, "{\"note\":"), 400, "bad_request");
    assertError(api.post("/teams/v1/workorders/WO-A2/resolve", A, "{}"), 400, "bad_request");
    assertError(
        api.post(
            "/teams/v1/workorders/WO-A2/resolve", A, "{\"note\":\"" + "x".repeat(5000) + "\"}"),
        413,
        "payload_too_large");
    assertError(
        api.post("/teams/v1/workorders/WO-A1/reject", A, "{\"reason\":\"BORED\",\"note\":\"x\"}"),
        400,
        "bad_request");
    HttpResponse<String> text =
        api.send(
            api.request("/teams/v1/workorders/WO-A1/accept")
                .header("Authorization", "Bearer " + A)
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("hi")));
    assertError(text, 415, "unsupported_media_type");
    assertTrue(sink.sent().isEmpty());
  }

  @Test
  void illegalInTheCurrentStatus_409() throws Exception {
    assertError(
        api.post("/teams/v1/workorders/WO-A1/resolve", A, "{\"note\":\"done\"}"),
        409,
        "illegal_transition");
    assertError(api.post("/teams/v1/workorders/WO-A2/accept", A, "{}"), 409, "illegal_transition");
    assertTrue(sink.sent().isEmpty());
  }

  @Test
  void idempotencyKey_givesTheSameActionId() throws Exception {
    String first =
        json(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}", "Idempotency-Key", "k-1"))
            .get("action_id")
            .asText();
    String again =
        json(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}", "Idempotency-Key", "k-1"))
            .get("action_id")
            .asText();
    String other =
        json(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}")).get("action_id").asText();
    assertEquals(first, again);
    assertFalse(first.equals(other));
  }

  @Test
  void kafkaDown_503_andNothingClaimed() throws Exception {
    sink.failing = true;
    HttpResponse<String> r = api.post("/teams/v1/workorders/WO-A1/accept", A, "{}");
    assertError(r, 503, "unavailable");
    assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow());
  }

  @Test
  void notCaughtUp_503() throws Exception {
    ready = false;
    assertError(api.get("/teams/v1/workorders", A), 503, "not_ready");
    assertEquals(503, api.get("/health/ready", null).statusCode());
    assertEquals(200, api.get("/health/live", null).statusCode());
    ready = true;
    assertEquals(200, api.get("/health/ready", null).statusCode());
  }

  @Test
  void tokensAreForTheirOwnSide_403() throws Exception {
    assertError(api.get("/teams/v1/workorders", OPS), 403, "forbidden");
    assertError(api.get("/ops/v1/workorders", A), 403, "forbidden");
    assertError(
        api.get("/open311/v2/services.json", A).statusCode() == 403
            ? api.get("/ops/v1/workorders", A)
            : null,
        403,
        "forbidden");
  }

  @Test
  void operationsCentre_seesAll_andReroutesARejectedOrder() throws Exception {
    HttpResponse<String> rejected = api.get("/ops/v1/workorders?status=REJECTED", OPS);
    assertEquals(Set.of("WO-R1"), ids(json(rejected).get("items")));
    assertEquals(4, json(api.get("/ops/v1/workorders", OPS)).get("total").asInt());
    HttpResponse<String> r =
        api.post(
            "/ops/v1/workorders/WO-R1/reroute", OPS, "{\"team\":\"team-a\",\"note\":\"yours\"}");
    assertEquals(202, r.statusCode(), r.body());
    TeamAction action = sink.sent().get(0).action();
    assertEquals(TeamActionType.REROUTE, action.getAction());
    assertEquals("ops:duty", action.getActor());
    assertEquals("team-a", action.getTeamId());
    assertError(api.post("/ops/v1/workorders/WO-R1/cancel", OPS, "{}"), 400, "bad_request");
    assertEquals(
        202,
        api.post("/ops/v1/workorders/WO-R1/cancel", OPS, "{\"note\":\"duplicate\"}").statusCode());
  }

  @Test
  void open311_overHttp() throws Exception {
    HttpResponse<String> services = api.get("/open311/v2/services.json", OPS);
    assertEquals(200, services.statusCode());
    assertEquals(3, json(services).size());

    HttpResponse<String> all = api.get("/open311/v2/requests.json?page_size=3", OPS);
    assertEquals(200, all.statusCode(), all.body());
    assertEquals("4", all.headers().firstValue("X-Total-Count").orElseThrow());
    assertEquals(3, json(all).size());
    assertTrue(all.headers().firstValue("Link").orElseThrow().contains("page=2"));

    HttpResponse<String> one = api.get("/open311/v2/requests/WO-A1.json", OPS);
    assertEquals(200, one.statusCode());
    assertEquals(1, json(one).size());
    assertEquals("WO-A1", json(one).get(0).get("service_request_id").asText());

    HttpResponse<String> missing = api.get("/open311/v2/requests/WO-NOPE.json", OPS);
    assertEquals(404, missing.statusCode());
    assertEquals(404, json(missing).get(0).get("code").asInt(), "GeoReport error format");

    HttpResponse<String> bad = api.get("/open311/v2/requests.json?start_date=soon", OPS);
    assertEquals(400, bad.statusCode());
    assertTrue(json(bad).get(0).get("description").asText().contains("start_date"));

    assertEquals(401, api.get("/open311/v2/requests.json", null).statusCode());
  }

  @Test
  void notesFromATeamAndTheCentre_andAnEscalationFromTheCentre() throws Exception {
    HttpResponse<String> r =
        api.post("/teams/v1/workorders/WO-A1/note", A, "{\"note\":\"on our way\"}");
    assertEquals(202, r.statusCode(), r.body());
    TeamAction teamNote = sink.sent().get(0).action();
    assertEquals(TeamActionType.NOTE, teamNote.getAction());
    assertEquals("team:team-a", teamNote.getActor());
    assertEquals("team-a", teamNote.getTeamId());
    assertEquals("on our way", teamNote.getNote());
    assertEquals("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL", teamNote.getOrderKey());
    // Another team's order: as unknown, and nothing sent.
    assertError(
        api.post("/teams/v1/workorders/WO-B1/note", A, "{\"note\":\"x\"}"), 404, "not_found");
    assertError(api.post("/teams/v1/workorders/WO-A1/note", A, "{}"), 400, "bad_request");
    assertError(
        api.post(
            "/teams/v1/workorders/WO-A1/note",
            A,
            "{\"note\":\"" + "x".repeat(ActionRequest.MAX_NOTE + 1) + "\"}"),
        400,
        "bad_request");
    // Escalating is the centre's: no such team endpoint, and a team token is refused on /ops.
    assertError(
        api.post("/teams/v1/workorders/WO-A1/escalate", A, "{\"note\":\"x\"}"), 404, "not_found");
    assertError(
        api.post("/ops/v1/workorders/WO-A1/escalate", A, "{\"note\":\"x\"}"), 403, "forbidden");
    assertEquals(1, sink.sent().size());

    assertEquals(
        202,
        api.post("/ops/v1/workorders/WO-B1/note", OPS, "{\"note\":\"owner called\"}").statusCode());
    TeamAction opsNote = sink.sent().get(1).action();
    assertEquals(TeamActionType.NOTE, opsNote.getAction());
    assertEquals("ops:duty", opsNote.getActor());
    assertEquals(null, opsNote.getTeamId());
    assertError(api.post("/ops/v1/workorders/WO-B1/escalate", OPS, "{}"), 400, "bad_request");
    assertEquals(
        202,
        api.post("/ops/v1/workorders/WO-B1/escalate", OPS, "{\"note\":\"third complaint\"}")
            .statusCode());
    TeamAction escalate = sink.sent().get(2).action();
    assertEquals(TeamActionType.ESCALATE, escalate.getAction());
    assertEquals("ops:duty", escalate.getActor());
    assertEquals("third complaint", escalate.getNote());
    assertEquals(null, escalate.getTeamId());
  }

  @Test
  void unknownEndpoint_404Json() throws Exception {
    assertError(api.get("/teams/v2/whatever", A), 404, "not_found");
  }
}

package io.streetsense.views;

import static io.streetsense.views.LiveApi.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The team API's defences over a real socket: write calls limited per bearer token (429 with
 * Retry-After), every length limit answered with a JSON 400/413 naming the field and the limit, and
 * bearer tokens never reaching the logs or the answers.
 */
class HttpSecurityIT {
  static final String A = TokenRegistryTest.A;
  static final String B = TokenRegistryTest.B;
  static final String OPS = TokenRegistryTest.OPS;
  static final int MAX_BODY = 16 * 1024;

  final MutableClock clock = new MutableClock(Instant.parse("2026-11-23T03:00:00Z"));
  WorkOrderIndex index;
  RecordingActionSink sink;
  LiveApi api;

  @BeforeEach
  void orders() {
    index = TestOrders.twoTeams();
    sink = new RecordingActionSink();
  }

  void start(WriteRateLimiter.Limit limit) {
    start(limit, new HttpApiIT.ReadinessSwitch(index, () -> true));
  }

  void start(WriteRateLimiter.Limit limit, WorkOrderReader reader) {
    api =
        LiveApi.start(
            reader,
            sink,
            new HttpApi.Settings(MAX_BODY, false, Duration.ofSeconds(2), clock, limit));
  }

  @AfterEach
  void stop() {
    if (api != null) {
      api.close();
    }
  }

  // ---- rate limiting ---------------------------------------------------------------------------

  @Test
  void writeCalls_beyondATokensLimit_get429WithRetryAfter_whileOthersAndReadsGoOn()
      throws Exception {
    start(new WriteRateLimiter.Limit(60, 3));
    for (int i = 0; i < 3; i++) {
      assertEquals(
          202, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode(), "#" + i);
    }
    HttpResponse<String> limited = api.post("/teams/v1/workorders/WO-A1/accept", A, "{}");
    assertEquals(429, limited.statusCode(), limited.body());
    assertEquals("1", limited.headers().firstValue("Retry-After").orElseThrow());
    JsonNode error = json(limited);
    assertEquals("rate_limited", error.get("error").asText());
    assertEquals(60, error.get("limit_per_minute").asInt());
    assertEquals(3, error.get("burst").asInt());
    assertEquals(1, error.get("retry_after_s").asInt());
    assertTrue(error.get("reason").asText().contains("team:team-a"), error.toString());
    assertEquals("application/json", limited.headers().firstValue("Content-Type").orElseThrow());

    // Every write counts, also one with a bad body; resolve and reject share the bucket.
    assertEquals(429, api.post("/teams/v1/workorders/WO-A2/resolve", A, "{\"note\":").statusCode());
    assertEquals(
        429,
        api.post(
                "/teams/v1/workorders/WO-A1/reject",
                A,
                "{\"reason\":\"WRONG_TEAM\",\"note\":\"x\"}")
            .statusCode());
    // Reads are not limited; another team and the operations centre have their own buckets.
    assertEquals(200, api.get("/teams/v1/workorders", A).statusCode());
    assertEquals(202, api.post("/teams/v1/workorders/WO-B1/accept", B, "{}").statusCode());
    assertEquals(
        202,
        api.post("/ops/v1/workorders/WO-B1/cancel", OPS, "{\"note\":\"duplicate\"}").statusCode());

    // One call a second comes back; a minute refills the burst, not more.
    clock.advance(Duration.ofSeconds(1));
    assertEquals(202, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode());
    assertEquals(429, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode());
    clock.advance(Duration.ofMinutes(1));
    for (int i = 0; i < 3; i++) {
      assertEquals(
          202, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode(), "#" + i);
    }
    assertEquals(429, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode());

    long fromA =
        sink.sent().stream().filter(s -> s.action().getActor().equals("team:team-a")).count();
    assertEquals(3 + 1 + 3, fromA, "a refused call produces no command");
  }

  @Test
  void retryAfter_isTheWaitForTheNextCall_inWholeSeconds() throws Exception {
    start(new WriteRateLimiter.Limit(4, 1)); // one call every 15 s
    assertEquals(202, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode());
    HttpResponse<String> limited = api.post("/teams/v1/workorders/WO-A1/accept", A, "{}");
    assertEquals("15", limited.headers().firstValue("Retry-After").orElseThrow());
    clock.advance(Duration.ofMillis(5500));
    limited = api.post("/teams/v1/workorders/WO-A1/accept", A, "{}");
    assertEquals("10", limited.headers().firstValue("Retry-After").orElseThrow());
    clock.advance(Duration.ofMillis(9500));
    assertEquals(202, api.post("/teams/v1/workorders/WO-A1/accept", A, "{}").statusCode());
  }

  // ---- input limits ----------------------------------------------------------------------------

  /** A JSON 400 or 413 that names {@code field} and {@code limit}, and does not echo the input. */
  static void assertLimit(HttpResponse<String> r, int status, String field, int limit)
      throws Exception {
    assertEquals(status, r.statusCode(), r.body());
    JsonNode error = json(r);
    assertEquals(status == 413 ? "payload_too_large" : "bad_request", error.get("error").asText());
    assertEquals(field, error.get("field").asText(), r.body());
    assertEquals(limit, error.get("limit").asInt(), r.body());
    assertTrue(error.get("reason").asText().contains(Integer.toString(limit)), r.body());
    assertTrue(r.body().length() < 400, "the answer does not echo the input: " + r.body());
  }

  @Test
  void overlongFields_400NamingFieldAndLimit() throws Exception {
    start(WriteRateLimiter.Limit.off());
    String note = "n".repeat(ActionRequest.MAX_NOTE + 1);
    assertLimit(
        api.post("/teams/v1/workorders/WO-A2/resolve", A, "{\"note\":\"" + note + "\"}"),
        400,
        "note",
        2000);
    assertLimit(
        api.post("/teams/v1/workorders/WO-A1/accept", A, "{\"note\":\"" + note + "\"}"),
        400,
        "note",
        2000);
    String url = "https://photos.example.gov/" + "p".repeat(ActionRequest.MAX_URL);
    assertLimit(
        api.post(
            "/teams/v1/workorders/WO-A2/resolve",
            A,
            "{\"note\":\"done\",\"photo_url\":\"" + url + "\"}"),
        400,
        "photo_url",
        2048);
    assertLimit(
        api.post(
            "/teams/v1/workorders/WO-A1/reject",
            A,
            "{\"reason\":\"" + "R".repeat(33) + "\",\"note\":\"x\"}"),
        400,
        "reason",
        32);
    assertLimit(
        api.post(
            "/teams/v1/workorders/WO-A1/reject",
            A,
            "{\"reason\":\"FALSE_ALARM\",\"note\":\"" + note + "\"}"),
        400,
        "note",
        2000);
    assertLimit(
        api.post("/ops/v1/workorders/WO-B1/reroute", OPS, "{\"team\":\"" + "t".repeat(65) + "\"}"),
        400,
        "team",
        64);
    assertLimit(
        api.post("/ops/v1/workorders/WO-B1/cancel", OPS, "{\"note\":\"" + note + "\"}"),
        400,
        "note",
        2000);
    assertLimit(
        api.post("/teams/v1/workorders/WO-A1/accept", A, "{}", "Idempotency-Key", "k".repeat(201)),
        400,
        "Idempotency-Key",
        200);
    assertTrue(sink.sent().isEmpty());
  }

  @Test
  void overlongPathIds_400NamingTheParameter() throws Exception {
    start(WriteRateLimiter.Limit.off());
    String id = "WO-" + "9".repeat(HttpApi.MAX_ORDER_ID);
    assertLimit(api.get("/teams/v1/workorders/" + id, A), 400, "id", 256);
    assertLimit(api.post("/teams/v1/workorders/" + id + "/accept", A, "{}"), 400, "id", 256);
    assertLimit(api.get("/ops/v1/workorders/" + id, OPS), 400, "id", 256);
    assertLimit(
        api.post("/ops/v1/workorders/" + id + "/cancel", OPS, "{\"note\":\"x\"}"), 400, "id", 256);
    assertLimit(api.get("/teams/v1/actions/" + "a".repeat(65), A), 400, "actionId", 64);
    assertLimit(api.get("/ops/v1/actions/" + "a".repeat(65), OPS), 400, "actionId", 64);
    // Open311 answers in GeoReport's format, naming the limit.
    HttpResponse<String> open311 = api.get("/open311/v2/requests/" + id + ".json", OPS);
    assertEquals(400, open311.statusCode());
    assertTrue(json(open311).get(0).get("description").asText().contains("261"), open311.body());
    // At the limit the id is looked up as usual.
    assertEquals(404, api.get("/teams/v1/workorders/" + id.substring(0, 256), A).statusCode());
    assertTrue(sink.sent().isEmpty());
  }

  @Test
  void bodiesOverTheLimit_413_withOrWithoutAContentLength() throws Exception {
    start(WriteRateLimiter.Limit.off());
    String big = "{\"note\":\"" + "x".repeat(MAX_BODY) + "\"}";
    assertLimit(api.post("/teams/v1/workorders/WO-A2/resolve", A, big), 413, "body", MAX_BODY);

    // Chunked: no Content-Length to refuse up front; reading stops one byte past the limit.
    HttpResponse<String> chunked =
        api.send(
            api.request("/teams/v1/workorders/WO-A2/resolve")
                .header("Authorization", "Bearer " + A)
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofInputStream(
                        () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)))));
    assertLimit(chunked, 413, "body", MAX_BODY);

    // At the limit, the body is read and validated as usual.
    String atLimit = "{\"note\":\"" + "x".repeat(MAX_BODY - 11) + "\"}";
    assertEquals(MAX_BODY, atLimit.length());
    assertLimit(api.post("/teams/v1/workorders/WO-A2/resolve", A, atLimit), 400, "note", 2000);

    // An unknown field with a long name is named, cut short.
    HttpResponse<String> unknown =
        api.post("/teams/v1/workorders/WO-A1/accept", A, "{\"" + "f".repeat(10_000) + "\":1}");
    assertEquals(400, unknown.statusCode());
    assertTrue(unknown.body().length() < 400, unknown.body());
    assertTrue(sink.sent().isEmpty());
  }

  // ---- tokens stay out of logs and answers -----------------------------------------------------

  @Test
  void tokensNeverReachTheLogsNorTheAnswers() throws Exception {
    WorkOrderReader ready = new HttpApiIT.ReadinessSwitch(index, () -> true);
    start(new WriteRateLimiter.Limit(60, 2), new BrokenOn("WO-BOOM", ready));
    List<HttpResponse<String>> answers = new ArrayList<>();
    try (CapturedLogs logs = CapturedLogs.everything()) {
      answers.add(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}"));
      answers.add(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}"));
      answers.add(api.post("/teams/v1/workorders/WO-A1/accept", A, "{}")); // 429, logged
      answers.add(api.get("/teams/v1/workorders", "not-" + A)); // unknown token
      answers.add(api.get("/teams/v1/workorders", OPS)); // the wrong kind
      answers.add(api.get("/ops/v1/workorders", A));
      answers.add(
          api.send(api.request("/teams/v1/workorders").header("Authorization", "Basic " + B)));
      answers.add(api.get("/teams/v1/nowhere?access_token=" + B, null)); // a token in the URL
      answers.add(api.get("/teams/v1/workorders/WO-BOOM", B)); // 500, logged with its stack
      sink.failing = true;
      answers.add(api.post("/teams/v1/workorders/WO-B1/accept", B, "{}")); // 503, logged
      sink.failing = false;
      answers.add(api.post("/ops/v1/workorders/WO-A1/cancel", OPS, "{\"note\":\"dup\"}"));

      List<Integer> statuses = answers.stream().map(HttpResponse::statusCode).toList();
      assertEquals(List.of(202, 202, 429, 401, 403, 403, 401, 404, 500, 503, 202), statuses);
      List<String> lines = logs.lines();
      // The logs say who did what...
      assertTrue(
          lines.stream().anyMatch(has("team:team-a POST /teams/v1/workorders/WO-A1/accept 202 ")),
          String.join("\n", lines));
      assertTrue(lines.stream().anyMatch(has("team:team-a is over its write limit")));
      assertTrue(lines.stream().anyMatch(has("- GET /teams/v1/workorders 401 ")));
      assertTrue(lines.stream().anyMatch(has("view broken while reading WO-BOOM")));
      assertTrue(lines.stream().anyMatch(has("could not record ACCEPT on WO-B1 by team:team-b")));
      assertTrue(lines.stream().anyMatch(has("ops:duty POST /ops/v1/workorders/WO-A1/cancel 202")));
      // ...but never with a token.
      for (String token : List.of(A, B, OPS)) {
        for (String line : lines) {
          assertFalse(line.contains(token), "a token in the log: " + line);
        }
        for (HttpResponse<String> answer : answers) {
          assertFalse(answer.body().contains(token), "a token in an answer: " + answer.body());
          answer.headers().map().values().stream()
              .flatMap(List::stream)
              .forEach(v -> assertFalse(v.contains(token), "a token in a header: " + v));
        }
      }
    }
  }

  static Predicate<String> has(String text) {
    return line -> line.contains(text);
  }

  /** A view that fails on one id, as a bug would: the API answers 500 and logs the stack. */
  record BrokenOn(String brokenId, WorkOrderReader view) implements WorkOrderReader {
    @Override
    public Optional<WorkOrder> get(String id) {
      if (id.equals(brokenId)) {
        throw new IllegalStateException("view broken while reading " + id);
      }
      return view.get(id);
    }

    @Override
    public List<WorkOrder> ofTeam(String teamId, java.util.Set<WorkOrderStatus> statuses) {
      return view.ofTeam(teamId, statuses);
    }

    @Override
    public List<WorkOrder> withStatus(java.util.Set<WorkOrderStatus> statuses) {
      return view.withStatus(statuses);
    }

    @Override
    public List<WorkOrder> matching(Predicate<WorkOrder> filter) {
      return view.matching(filter);
    }

    @Override
    public int size() {
      return view.size();
    }

    @Override
    public boolean isCaughtUp() {
      return view.isCaughtUp();
    }
  }

  @Test
  void jettyHeaderLoggingAtDebug_isWarnedAbout() throws Exception {
    try (CapturedLogs logs = CapturedLogs.everything()) {
      org.apache.logging.log4j.core.config.Configurator.setLevel(
          HttpApi.JETTY_HEADER_LOGGER, org.apache.logging.log4j.Level.DEBUG);
      try {
        start(WriteRateLimiter.Limit.off());
      } finally {
        org.apache.logging.log4j.core.config.Configurator.setLevel(
            HttpApi.JETTY_HEADER_LOGGER, org.apache.logging.log4j.Level.INFO);
      }
      assertTrue(
          logs.lines().stream().anyMatch(has("bearer tokens included")),
          String.join("\n", logs.lines()));
    }
  }
}

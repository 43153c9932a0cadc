package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import io.streetsense.schemas.WorkOrder;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The console's endpoints over a real socket, on an in-memory feed: the page and its files with
 * their security headers, who may read the stream, the stream's events and a resume with
 * Last-Event-ID, and that no token reaches the log.
 */
class ConsoleApiIT {
  static final ObjectMapper JSON = new ObjectMapper();
  final HttpClient http = HttpClient.newHttpClient();
  WorkOrderIndex index;
  ConsoleFeed feed;
  Javalin app;
  String base;

  @BeforeEach
  void start() {
    index = new WorkOrderIndex();
    feed = new ConsoleFeed(1000);
    app =
        new HttpApi(
                index,
                new ActionOutcomes(),
                new RecordingActionSink(),
                TokenRegistryTest.registry(),
                HttpApi.Settings.defaults(),
                feed,
                null)
            .create()
            .start("127.0.0.1", 0);
    base = "http://127.0.0.1:" + app.port();
  }

  @AfterEach
  void stop() {
    feed.close();
    app.stop();
  }

  void commit(WorkOrder o) {
    WorkOrder previous = index.put(o.getId(), o);
    feed.onRecord(0, 0, previous, o);
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An open event stream: its events arrive in a queue as [id, event, data]. */
  BlockingQueue<String[]> stream(String token, String lastEventId) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + "/console/v1/events"))
            .header("Authorization", "Bearer " + token);
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<java.io.InputStream> r =
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, r.statusCode());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
    BlockingQueue<String[]> events = new LinkedBlockingQueue<>();
    Thread reader =
        new Thread(
            () -> {
              try (BufferedReader in =
                  new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String id = null;
                String event = null;
                StringBuilder data = new StringBuilder();
                for (String line; (line = in.readLine()) != null; ) {
                  if (line.isEmpty()) {
                    if (data.length() > 0) {
                      events.add(new String[] {id, event, data.toString()});
                    }
                    id = null;
                    event = null;
                    data.setLength(0);
                  } else if (line.startsWith("id: ")) {
                    id = line.substring(4);
                  } else if (line.startsWith("event: ")) {
                    event = line.substring(7);
                  } else if (line.startsWith("data: ")) {
                    data.append(line.substring(6));
                  }
                }
              } catch (Exception e) {
                // stream closed
              }
            });
    reader.setDaemon(true);
    reader.start();
    return events;
  }

  static String[] take(BlockingQueue<String[]> events) throws InterruptedException {
    String[] e = events.poll(5, TimeUnit.SECONDS);
    assertNotNull(e, "an event within 5 s");
    return e;
  }

  @Test
  void thePageAndItsFilesComeFromTheJar_withSecurityHeaders() throws Exception {
    HttpResponse<String> page = get("/console", null);
    assertEquals(200, page.statusCode());
    assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
    assertEquals(ConsoleApi.CSP, page.headers().firstValue("Content-Security-Policy").orElse(""));
    assertEquals("nosniff", page.headers().firstValue("X-Content-Type-Options").orElse(""));
    assertEquals("DENY", page.headers().firstValue("X-Frame-Options").orElse(""));
    assertFalse(page.body().contains("http://") || page.body().contains("https://"), "no CDN");
    assertEquals(200, get("/console/assets/console.js", null).statusCode());
    assertEquals(200, get("/console/assets/console.css", null).statusCode());
    HttpResponse<String> leaflet = get("/console/leaflet/leaflet.js", null);
    assertEquals(200, leaflet.statusCode());
    assertTrue(leaflet.body().contains("1.9.4"), "the pinned Leaflet");
    assertEquals(200, get("/console/leaflet/images/marker-icon.png", null).statusCode());
    assertEquals(404, get("/console/assets/..%2Fconsole.js", null).statusCode());
    assertEquals(404, get("/console/leaflet/leaflet.js.map", null).statusCode());
  }

  @Test
  void dataNeedsABearerToken() throws Exception {
    assertEquals(401, get("/console/v1/events", null).statusCode());
    assertEquals(401, get("/console/v1/me", "not-a-token-at-all").statusCode());
    JsonNode me = JSON.readTree(get("/console/v1/me", TokenRegistryTest.A).body());
    assertEquals("team", me.get("kind").asText());
    assertEquals("team-a", me.get("id").asText());
    assertEquals(
        "ops",
        JSON.readTree(get("/console/v1/me", TokenRegistryTest.OPS).body()).get("kind").asText());
    // A cross-site form cannot send the header, so it cannot act: a command without it is 401.
    HttpResponse<String> forged =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/ops/v1/workorders/WO-1/cancel"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .header("Cookie", "token=" + TokenRegistryTest.OPS)
                .POST(HttpRequest.BodyPublishers.ofString("note=x"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, forged.statusCode());
  }

  @Test
  void streamSendsASnapshotThenChanges_andResumesFromLastEventId() throws Exception {
    commit(TestOrders.dispatched("WO-1", "team-a"));
    commit(TestOrders.dispatched("WO-2", "team-b"));
    BlockingQueue<String[]> ops = stream(TokenRegistryTest.OPS, null);
    String[] snapshot = take(ops);
    assertEquals("snapshot", snapshot[1]);
    assertEquals(2, JSON.readTree(snapshot[2]).get("orders").size());
    String position = snapshot[0];

    BlockingQueue<String[]> teamA = stream(TokenRegistryTest.A, null);
    String[] mine = take(teamA);
    assertEquals(1, JSON.readTree(mine[2]).get("orders").size(), "a team's own orders only");

    commit(TestOrders.dispatched("WO-3", "team-a"));
    String[] third = take(ops);
    assertEquals("order", third[1]);
    assertEquals("WO-3", JSON.readTree(third[2]).get("id").asText());
    assertEquals("WO-3", JSON.readTree(take(teamA)[2]).get("id").asText());

    // Another team's order never reaches team A; one rerouted away arrives as a removal.
    commit(TestOrders.dispatched("WO-4", "team-b"));
    WorkOrder away = TestOrders.dispatched("WO-1", "team-b");
    commit(away);
    String[] removal = take(teamA);
    assertEquals("WO-1", JSON.readTree(removal[2]).get("id").asText());
    assertTrue(JSON.readTree(removal[2]).get("order").isNull());

    // Resume from the snapshot's id: exactly the three changes after it, in order.
    BlockingQueue<String[]> resumed = stream(TokenRegistryTest.OPS, position);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      String[] e = take(resumed);
      assertEquals("order", e[1], "no snapshot on a resume");
      ids.add(JSON.readTree(e[2]).get("id").asText());
    }
    assertEquals(List.of("WO-3", "WO-4", "WO-1"), ids);
    assertEquals(null, resumed.poll(300, TimeUnit.MILLISECONDS), "nothing twice");

    // An id of another start gets a fresh snapshot.
    String[] fresh = take(stream(TokenRegistryTest.OPS, "0badcafe-2"));
    assertEquals("snapshot", fresh[1]);
    assertEquals(4, JSON.readTree(fresh[2]).get("orders").size());
  }

  @Test
  void noTokenInAnyLogLine() throws Exception {
    try (CapturedLogs logs = CapturedLogs.everything()) {
      get("/console", null);
      get("/console/v1/me", TokenRegistryTest.OPS);
      get("/console/v1/me", "wrong-token-0123456789");
      commit(TestOrders.dispatched("WO-1", "team-a"));
      take(stream(TokenRegistryTest.OPS, null));
      Thread.sleep(200);
      for (String line : logs.lines()) {
        assertFalse(line.contains(TokenRegistryTest.OPS), line);
        assertFalse(line.contains("wrong-token-0123456789"), line);
      }
      assertTrue(logs.lines().stream().anyMatch(l -> l.contains("GET /console/v1/me")));
    }
  }
}

package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Topics;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.Background;
import io.streetsense.simulator.CameraNoise;
import io.streetsense.simulator.IllegalStall;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.testing.RepositoryBlockMaps;
import io.streetsense.views.TokenRegistry;
import io.streetsense.views.ViewsConfig;
import io.streetsense.views.ViewsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The closed loop of issue 5 through the real brokers: a stall on jiashan-lane becomes an order
 * dispatched to the urban management squad (pushed over MQTT), the team accepts and resolves it
 * over HTTP while the stall is still there, the sensors send it back for rework, the stall leaves,
 * the team resolves again, the cameras verify the lane clear and the order closes. The Open311 view
 * agrees at each step, and another team can neither see nor touch the order.
 *
 * <p>The street plays at {@value #SPEED}x; the team service's clock is the street's clock, so the
 * team's actions and the cameras' frames share one timeline, as they do on a real street.
 */
class ClosedLoopIT {
  private static final double SPEED = 12;
  private static final Duration STREET = Duration.ofMinutes(30);
  private static final Duration STALL_FROM = Duration.ofMinutes(2);
  private static final Duration STALL_TO = Duration.ofMinutes(15);
  private static final String TEAM = "xh-tianping-chengguan";
  private static final String TEAM_TOKEN = "chengguan-token-0123456789";
  private static final String OTHER_TOKEN = "market-supervision-token-987654";
  private static final String OPS_TOKEN = "ops-centre-token-abcdef012345";

  @TempDir Path workDir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();
  private int port;

  @Test
  void stall_isDispatched_accepted_resolved_reworked_resolved_verified_andClosed()
      throws Exception {
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    List<JsonNode> pushes = new CopyOnWriteArrayList<>();
    try (LocalServices services = LocalServices.start(workDir)) {
      Topics topics = Topics.withPrefix("loop-" + UUID.randomUUID() + ".");
      PipelineSettings settings = TestPipelines.settings(services, topics);
      SimulatedClock street = SimulatedClock.endingNow(STREET, SPEED);
      // The street as published so far: on a loaded machine the publisher falls behind the
      // simulated clock, and a team acting "now" must not be ahead of the street the pipeline saw
      // (the loop applies an action once the street's event time reaches it).
      AtomicReference<Instant> published = new AtomicReference<>(street.simStart());
      StreetScenario scenario =
          StreetScenario.builder(jiashan)
              .seed(11)
              .duration(STREET)
              .noise(CameraNoise.MILD)
              .background(Background.QUIET_LANE)
              .event(IllegalStall.seenByAll("JS-Z-NV1", STALL_FROM, STALL_TO, "stall"))
              .build()
              .startingAt(street.simStart());
      Instant stallLeaves = scenario.start().plus(STALL_TO);

      try (Pipeline pipeline = Pipeline.start(settings, BlockMaps.of(jiashan));
          ViewsServer views =
              ViewsServer.start(
                  ViewsConfig.builder()
                      .kafkaBootstrap(settings.kafkaBootstrapServers())
                      .topics(topics)
                      .httpPort(0)
                      .tokens(
                          TokenRegistry.parse(
                              TEAM
                                  + "="
                                  + TEAM_TOKEN
                                  + "\nxh-market-supervision="
                                  + OTHER_TOKEN
                                  + "\nops:duty-officer="
                                  + OPS_TOKEN,
                              "test tokens"))
                      .mqttUri(settings.mqttServerUri())
                      .stateDir(workDir.resolve("views"))
                      .clock(streetClock(street, published))
                      .build());
          TeamApp teamApp = TeamApp.subscribe(settings.mqttServerUri(), pushes)) {
        views.awaitReady(Duration.ofSeconds(60));
        port = views.port();
        StreetSimulator simulator = StreetSimulator.overMqtt(settings.mqttServerUri(), street);
        Thread streetThread =
            new Thread(
                () -> {
                  try {
                    simulator.run(scenario.iterator(), (sent, at) -> published.set(at));
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "street");
        streetThread.start();
        try {
          // 1. Filed and dispatched to the squad: pushed to the team's topic, open in Open311.
          JsonNode push = await("a DISPATCHED push", () -> lastPush(pushes, "DISPATCHED"));
          String id = push.at("/work_order/id").asText();
          assertEquals(TEAM, push.at("/team_id").asText());
          assertOpen311(id, "open", "DISPATCHED");

          // Another team sees nothing and can do nothing.
          assertEquals(404, get("/teams/v1/workorders/" + id, OTHER_TOKEN).statusCode());
          assertEquals(404, post(id, "accept", "{}", OTHER_TOKEN).statusCode());

          // 2. Accepted, then resolved while the stall still stands.
          assertEquals(202, post(id, "accept", "{}", TEAM_TOKEN).statusCode());
          awaitStatus(id, "ACCEPTED");
          assertOpen311(id, "open", "ACCEPTED");
          assertEquals(
              202,
              post(id, "resolve", "{\"note\":\"vendor told to leave\"}", TEAM_TOKEN).statusCode());
          awaitStatus(id, "RESOLVED");

          // 3. The cameras still see it: back to the team for rework, pushed again.
          awaitStatus(id, "REWORK");
          await("a REWORK push", () -> lastPush(pushes, "REWORK"));
          assertOpen311(id, "open", "REWORK");

          // 4. Accepted again; resolved once the stall has really gone.
          assertEquals(202, post(id, "accept", "{}", TEAM_TOKEN).statusCode());
          awaitStatus(id, "ACCEPTED");
          await(
              "the street past the stall's departure",
              () ->
                  Instant.now(streetClock(street, published)).isAfter(stallLeaves.plusSeconds(30))
                      ? 1
                      : null);
          assertEquals(
              202,
              post(id, "resolve", "{\"note\":\"stall removed, lane clear\"}", TEAM_TOKEN)
                  .statusCode());

          // 5. Verified clear by the cameras for the block's clear_for, and closed.
          JsonNode closed = awaitStatus(id, "CLOSED");
          assertOpen311(id, "closed", "CLOSED");
          // The loop's transitions (escalations, if a slow machine let a deadline pass, aside).
          List<String> statuses = new ArrayList<>();
          closed
              .at("/history")
              .forEach(
                  t -> {
                    if (!t.at("/kind").asText().equals("ESCALATE")) {
                      statuses.add(t.at("/to_status").asText());
                    }
                  });
          assertEquals(
              List.of(
                  "FILED",
                  "DISPATCHED",
                  "ACCEPTED",
                  "RESOLVED",
                  "REWORK",
                  "ACCEPTED",
                  "RESOLVED",
                  "CLOSED"),
              statuses);
          assertEquals(1, closed.at("/rework_count").asInt());
          assertTrue(
              closed.at("/history").findValuesAsText("actor").contains("team:" + TEAM),
              "the team's actions are in the audit trail");
        } finally {
          simulator.close();
          streetThread.join(10_000);
        }
      }
    }
  }

  /** The street's time as a clock: what the team's phone would show. */
  private static Clock streetClock(SimulatedClock street, AtomicReference<Instant> published) {
    return new Clock() {
      @Override
      public ZoneId getZone() {
        return ZoneOffset.UTC;
      }

      @Override
      public Clock withZone(ZoneId zone) {
        return this;
      }

      @Override
      public Instant instant() {
        Instant simulated = street.simTimeAt(Instant.now());
        Instant seen = published.get();
        return seen.isBefore(simulated) ? seen : simulated;
      }
    };
  }

  /** The team's phone: receives the pushed work orders of its team. */
  private record TeamApp(MqttClient client) implements AutoCloseable {
    static TeamApp subscribe(String serverUri, List<JsonNode> pushes) throws Exception {
      MqttClient client =
          new MqttClient(serverUri, "team-app-" + UUID.randomUUID(), new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      client.connect(options);
      ObjectMapper json = new ObjectMapper();
      client.subscribe(
          "teams/" + TEAM + "/workorders",
          1,
          (topic, message) -> pushes.add(json.readTree(message.getPayload())));
      return new TeamApp(client);
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }

  private static JsonNode lastPush(List<JsonNode> pushes, String event) {
    for (int i = pushes.size() - 1; i >= 0; i--) {
      if (pushes.get(i).at("/event").asText().equals(event)) {
        return pushes.get(i);
      }
    }
    return null;
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private HttpResponse<String> post(String id, String action, String body, String token)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:" + port + "/teams/v1/workorders/" + id + "/" + action))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  private JsonNode awaitStatus(String id, String status) throws Exception {
    return await(
        "order " + id + " " + status,
        () -> {
          HttpResponse<String> response = get("/teams/v1/workorders/" + id, TEAM_TOKEN);
          if (response.statusCode() != 200) {
            return null;
          }
          JsonNode order = json.readTree(response.body());
          return order.at("/status").asText().equals(status) ? order : null;
        });
  }

  private void assertOpen311(String id, String status, String workOrderStatus) throws Exception {
    JsonNode request =
        json.readTree(get("/open311/v2/requests/" + id + ".json", OPS_TOKEN).body()).get(0);
    assertEquals(id, request.at("/service_request_id").asText());
    assertEquals(status, request.at("/status").asText());
    assertTrue(
        request.at("/status_notes").asText().startsWith(workOrderStatus),
        "status_notes " + request.at("/status_notes").asText() + " starts with " + workOrderStatus);
    assertEquals("ILLEGAL_STALL", request.at("/service_code").asText());
    assertEquals("JS-Z-NV1", request.at("/address_id").asText());
  }

  @FunctionalInterface
  private interface Probe<T> {
    T poll() throws Exception;
  }

  /** Polls until the probe answers non-null; the street plays on meanwhile (up to 3 minutes). */
  private static <T> T await(String what, Probe<T> probe) throws Exception {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    while (System.nanoTime() < deadline) {
      T value = probe.poll();
      if (value != null) {
        return value;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what);
  }
}

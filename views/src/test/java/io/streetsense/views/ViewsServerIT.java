package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import io.streetsense.testing.RepositoryBlockMaps;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.paho.mqttv5.client.IMqttMessageListener;
import org.eclipse.paho.mqttv5.client.MqttClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views service against real Kafka and Mosquitto: the view serves what is on the work-order
 * topic (and Open311 agrees), teams are kept apart, actions land on the actions topic, dispatched
 * orders are pushed over MQTT, and a restart rebuilds the view without re-pushing the past.
 */
class ViewsServerIT {
  static final ObjectMapper JSON = new ObjectMapper();
  static final AvroCodec<WorkOrder> ORDERS = AvroCodec.of(WorkOrder.class);
  static final AvroCodec<TeamAction> ACTIONS = AvroCodec.of(TeamAction.class);
  static final String A = TokenRegistryTest.A;
  static final String B = TokenRegistryTest.B;
  static final String OPS = TokenRegistryTest.OPS;

  @TempDir static Path work;
  static KafkaBroker kafka;
  static MosquittoBroker mqtt;
  static BlockMap lane;

  @TempDir Path state;
  Topics topics;
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeAll
  static void startBrokers() {
    mqtt = MosquittoBroker.start(work.resolve("mqtt"));
    kafka = KafkaBroker.builder().maxHeap("512m").start(work.resolve("kafka"));
    lane = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  }

  @AfterAll
  static void stopBrokers() {
    if (kafka != null) {
      kafka.close();
    }
    if (mqtt != null) {
      mqtt.close();
    }
  }

  @BeforeEach
  void freshTopics() {
    topics = Topics.withPrefix("it-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.workOrders(), 2, (short) 1)
                .configs(java.util.Map.of("cleanup.policy", "compact")),
            new NewTopic(topics.actions(), 2, (short) 1),
            new NewTopic(topics.deadLetters(), 1, (short) 1)));
  }

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeAfter.size() - 1; i >= 0; i--) {
      closeAfter.get(i).close();
    }
  }

  // ---- fixtures --------------------------------------------------------------------------------

  ViewsServer startServer(boolean withMqtt) {
    ViewsServer server =
        ViewsServer.start(
            ViewsConfig.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .topics(topics)
                .httpPort(0)
                .tokens(TokenRegistryTest.registry())
                .mqttUri(withMqtt ? mqtt.serverUri() : null)
                .stateDir(state)
                .build());
    closeAfter.add(server);
    return server;
  }

  /** Writes orders as the work-order operator does: in a Kafka transaction, keyed by id. */
  void write(WorkOrder... orders) {
    List<ProducerRecord<String, byte[]>> records = new ArrayList<>();
    for (WorkOrder order : orders) {
      records.add(new ProducerRecord<>(topics.workOrders(), order.getId(), ORDERS.encode(order)));
    }
    writeRecords(records);
  }

  void writeRecords(List<ProducerRecord<String, byte[]>> records) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-writer-" + UUID.randomUUID());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      records.forEach(producer::send);
      producer.commitTransaction();
    }
  }

  /** A dispatched illegal stall in one of the lane's real zones. */
  WorkOrder stall(String id, String team, String zone) {
    assertTrue(lane.zones().stream().anyMatch(z -> z.id().equals(zone)), zone);
    WorkOrder o = TestOrders.dispatched(id, team);
    o.setZoneId(zone);
    o.setOrderKey(lane.id() + "/" + zone + "/" + ViolationType.ILLEGAL_STALL);
    o.setBlockId(lane.id());
    return o;
  }

  HttpResponse<String> get(ViewsServer server, String path, String token) throws Exception {
    return ServerHttp.get(server, path, token);
  }

  HttpResponse<String> post(ViewsServer server, String path, String token, String body)
      throws Exception {
    return ServerHttp.post(server, path, token, body);
  }

  static void await(String what, java.util.concurrent.Callable<Boolean> condition)
      throws Exception {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.call()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(50);
    }
  }

  /** A Paho v5 subscriber on every team's push topic. */
  BlockingQueue<JsonNode> subscribe(String filter) throws Exception {
    BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    MqttClient sub =
        new MqttClient(mqtt.serverUri(), "it-sub-" + UUID.randomUUID(), new MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setCleanStart(true);
    sub.connect(options);
    // Not subscribe(String, int, listener): StackOverflowError in Paho 1.2.5 (upstream #816/#863).
    IMqttMessageListener listener =
        (topic, message) -> {
          JsonNode node = JSON.readTree(message.getPayload());
          ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("_topic", topic);
          ((com.fasterxml.jackson.databind.node.ObjectNode) node).put("_qos", message.getQos());
          received.add(node);
        };
    sub.subscribe(
        new MqttSubscription[] {new MqttSubscription(filter, 1)},
        new IMqttMessageListener[] {listener});
    closeAfter.add(
        () -> {
          sub.disconnect();
          sub.close();
        });
    return received;
  }

  List<ConsumerRecord<String, byte[]>> readActions(int atLeast) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<org.apache.kafka.common.TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(topics.actions())
          .forEach(
              i -> parts.add(new org.apache.kafka.common.TopicPartition(i.topic(), i.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 10_000;
      // Read for a while past the expected count, so a duplicate would show.
      long quietUntil = Long.MAX_VALUE;
      while (System.currentTimeMillis() < Math.min(deadline, quietUntil)) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
        if (out.size() >= atLeast && quietUntil == Long.MAX_VALUE) {
          quietUntil = System.currentTimeMillis() + 1500;
        }
      }
    }
    return out;
  }

  // ---- (a) the view serves the topic, and Open311 agrees ---------------------------------------

  @Test
  void viewServesTheTopic_andOpen311Agrees() throws Exception {
    WorkOrder a1 = stall("WO-A1", "team-a", "JS-Z-NV1");
    WorkOrder a2 = stall("WO-A2", "team-a", "JS-Z-F01");
    WorkOrder b1 = stall("WO-B1", "team-b", "JS-Z-F02");
    write(a1, a2, b1);
    ViewsServer server = startServer(false);
    assertTrue(server.awaitReady(Duration.ofSeconds(30)));
    assertEquals(3, server.view().size());

    JsonNode mine = JSON.readTree(get(server, "/teams/v1/workorders", A).body());
    assertEquals(2, mine.get("total").asInt());
    JsonNode open311 = JSON.readTree(get(server, "/open311/v2/requests.json", OPS).body());
    assertEquals(3, open311.size());
    for (JsonNode r : open311) {
      WorkOrder o = server.view().get(r.get("service_request_id").asText()).orElseThrow();
      assertEquals(o.getZoneId(), r.get("address_id").asText());
      assertEquals(o.getTeamId(), r.get("agency_responsible").asText());
      assertEquals("open", r.get("status").asText());
      assertEquals(o.getLocation().getLat(), r.get("lat").asDouble());
    }

    // A later change on the topic shows up in both, live.
    write(TestOrders.moved(a1, WorkOrderStatus.CLOSED, "detector", "verified clear", null));
    await(
        "closed in the view",
        () -> server.view().get("WO-A1").orElseThrow().getStatus() == WorkOrderStatus.CLOSED);
    JsonNode one = JSON.readTree(get(server, "/open311/v2/requests/WO-A1.json", OPS).body());
    assertEquals("closed", one.get(0).get("status").asText());
    assertEquals("CLOSED: verified clear", one.get(0).get("status_notes").asText());
    assertEquals(
        "2",
        get(server, "/open311/v2/requests.json?status=open", OPS)
            .headers()
            .firstValue("X-Total-Count")
            .orElseThrow());
  }

  // ---- (b) teams are kept apart; an action is one command on the actions topic ------------------

  @Test
  void aTeamCannotTouchAnotherTeamsOrder_andItsOwnActionIsOneCommand() throws Exception {
    WorkOrder a1 = stall("WO-A1", "team-a", "JS-Z-NV1");
    WorkOrder b1 = stall("WO-B1", "team-b", "JS-Z-F02");
    write(a1, b1);
    ViewsServer server = startServer(false);
    assertTrue(server.awaitReady(Duration.ofSeconds(30)));

    assertEquals(404, get(server, "/teams/v1/workorders/WO-B1", A).statusCode());
    assertEquals(404, post(server, "/teams/v1/workorders/WO-B1/accept", A, "{}").statusCode());
    assertEquals(
        404,
        post(
                server,
                "/teams/v1/workorders/WO-B1/reject",
                A,
                "{\"reason\":\"WRONG_TEAM\",\"note\":\"x\"}")
            .statusCode());

    HttpResponse<String> accepted = post(server, "/teams/v1/workorders/WO-A1/accept", A, "{}");
    assertEquals(202, accepted.statusCode(), accepted.body());
    String actionId = JSON.readTree(accepted.body()).get("action_id").asText();

    List<ConsumerRecord<String, byte[]>> records = readActions(1);
    assertEquals(1, records.size(), "exactly one command, none for team B's order");
    ConsumerRecord<String, byte[]> record = records.get(0);
    TeamAction action = ACTIONS.decode(record.value());
    assertEquals("WO-A1", record.key());
    assertEquals(actionId, action.getActionId());
    assertEquals("WO-A1", action.getWorkOrderId());
    assertEquals(a1.getOrderKey(), action.getOrderKey());
    assertEquals(TeamActionType.ACCEPT, action.getAction());
    assertEquals("team:team-a", action.getActor());
    assertEquals("team-a", action.getTeamId());
    assertNull(action.getReason());
    assertTrue(
        Math.abs(action.getRequestedAt().toEpochMilli() - System.currentTimeMillis()) < 60_000);
    // The view is unchanged until the operator applies the action.
    assertEquals(WorkOrderStatus.DISPATCHED, server.view().get("WO-A1").orElseThrow().getStatus());
  }

  // ---- (c) a dispatched order is pushed over MQTT -----------------------------------------------

  @Test
  void aDispatchedOrderIsPushedToItsTeam() throws Exception {
    BlockingQueue<JsonNode> pushes = subscribe("teams/+/workorders");
    ViewsServer server = startServer(true);
    assertTrue(server.awaitReady(Duration.ofSeconds(30)));

    WorkOrder a1 = stall("WO-A1", "team-a", "JS-Z-NV1");
    write(a1);
    JsonNode push = pushes.poll(20, TimeUnit.SECONDS);
    assertTrue(push != null, "no push received");
    assertEquals("teams/team-a/workorders", push.get("_topic").asText());
    assertEquals(1, push.get("_qos").asInt());
    assertEquals("WO-A1:DISPATCHED:2", push.get("idempotency_key").asText());
    assertEquals("DISPATCHED", push.get("event").asText());
    assertEquals("WO-A1", push.get("work_order").get("id").asText());
    assertEquals("JS-Z-NV1", push.get("work_order").get("zone_id").asText());

    // Accepting is not pushed; a rework is.
    WorkOrder accepted = TestOrders.moved(a1, WorkOrderStatus.ACCEPTED, "team:team-a", null, null);
    WorkOrder resolved =
        TestOrders.moved(accepted, WorkOrderStatus.RESOLVED, "team:team-a", "ok", null);
    WorkOrder rework =
        TestOrders.moved(resolved, WorkOrderStatus.REWORK, "detector", "still there", null);
    write(accepted, resolved, rework);
    JsonNode again = pushes.poll(20, TimeUnit.SECONDS);
    assertTrue(again != null, "no push for the rework");
    assertEquals("REWORK", again.get("event").asText());
    assertNull(pushes.poll(500, TimeUnit.MILLISECONDS), "nothing else pushed");
  }

  // ---- (d) a restart rebuilds the view and does not re-push the past ---------------------------

  @Test
  void aRestartRebuildsTheView_andPushesOnlyWhatHappenedMeanwhile() throws Exception {
    BlockingQueue<JsonNode> pushes = subscribe("teams/+/workorders");
    ViewsServer first = startServer(true);
    assertTrue(first.awaitReady(Duration.ofSeconds(30)));
    write(stall("WO-A1", "team-a", "JS-Z-NV1"), stall("WO-B1", "team-b", "JS-Z-F02"));
    assertTrue(pushes.poll(20, TimeUnit.SECONDS) != null);
    assertTrue(pushes.poll(20, TimeUnit.SECONDS) != null);
    await("both pushes acknowledged", () -> first.pusher().orElseThrow().pushed() == 2);
    first.close();

    // Dispatched while the service is down.
    write(stall("WO-A2", "team-a", "JS-Z-F01"));

    ViewsServer second = startServer(true);
    assertTrue(second.awaitReady(Duration.ofSeconds(30)));
    assertEquals(3, second.view().size(), "view rebuilt from the topic");
    JsonNode mine = JSON.readTree(get(second, "/teams/v1/workorders", A).body());
    assertEquals(2, mine.get("total").asInt());

    JsonNode push = pushes.poll(20, TimeUnit.SECONDS);
    assertTrue(push != null, "the order dispatched meanwhile is pushed");
    assertEquals("WO-A2", push.get("work_order").get("id").asText());
    assertNull(pushes.poll(1500, TimeUnit.MILLISECONDS), "the past is not pushed again");
  }

  // ---- (e) a team can ask what became of its action --------------------------------------------

  @Test
  void actionOutcomes_appliedFromTheOrder_refusedFromTheDeadLetters() throws Exception {
    WorkOrder a1 = stall("WO-A1", "team-a", "JS-Z-NV1");
    write(a1);
    ViewsServer server = startServer(false);
    assertTrue(server.awaitReady(Duration.ofSeconds(30)));
    String accept =
        JSON.readTree(post(server, "/teams/v1/workorders/WO-A1/accept", A, "{}").body())
            .get("action_id")
            .asText();
    assertEquals(
        "pending",
        JSON.readTree(get(server, "/teams/v1/actions/" + accept, A).body()).get("state").asText());

    // The operator applies it: the transition names the action.
    WorkOrder accepted = TestOrders.moved(a1, WorkOrderStatus.ACCEPTED, "team:team-a", null, null);
    accepted.getHistory().get(accepted.getHistory().size() - 1).setActionId(accept);
    write(accepted);
    await(
        "applied",
        () ->
            JSON.readTree(get(server, "/teams/v1/actions/" + accept, A).body())
                .get("state")
                .asText()
                .equals("applied"));
    assertEquals(
        "pending",
        JSON.readTree(get(server, "/teams/v1/actions/" + accept, B).body()).get("state").asText(),
        "another team's action does not leak");

    // The operator refuses the next one: a dead letter names the code and the action.
    String resolve =
        JSON.readTree(
                post(server, "/teams/v1/workorders/WO-A1/resolve", A, "{\"note\":\"gone\"}").body())
            .get("action_id")
            .asText();
    TeamAction sent =
        readActions(2).stream()
            .map(r -> decode(r.value()))
            .filter(a -> a.getActionId().equals(resolve))
            .findFirst()
            .orElseThrow();
    io.streetsense.schemas.DeadLetter letter =
        io.streetsense.schemas.DeadLetter.newBuilder()
            .setStage("workorders")
            .setReason("ACTION_REFUSED")
            .setDetail("ILLEGAL_TRANSITION " + resolve + ": the order was cancelled meanwhile")
            .setSource(topics.actions())
            .setPayload(java.nio.ByteBuffer.wrap(ACTIONS.encode(sent)))
            .setReceivedAt(java.time.Instant.now())
            .setBlockId(lane.id())
            .build();
    writeRecords(
        List.of(
            new ProducerRecord<>(
                topics.deadLetters(),
                topics.actions(),
                AvroCodec.of(io.streetsense.schemas.DeadLetter.class).encode(letter))));
    await(
        "refused",
        () ->
            JSON.readTree(get(server, "/teams/v1/actions/" + resolve, A).body())
                .get("state")
                .asText()
                .equals("refused"));
    JsonNode refusal = JSON.readTree(get(server, "/teams/v1/actions/" + resolve, A).body());
    assertEquals("ILLEGAL_TRANSITION", refusal.get("code").asText());
    assertEquals("the order was cancelled meanwhile", refusal.get("reason").asText());
    assertEquals("WO-A1", refusal.get("work_order_id").asText());
    assertEquals(
        "refused",
        JSON.readTree(get(server, "/ops/v1/actions/" + resolve, OPS).body()).get("state").asText());
  }

  static TeamAction decode(byte[] bytes) {
    try {
      return ACTIONS.decode(bytes);
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
  }
}

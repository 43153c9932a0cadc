package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.services.KafkaBroker;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views and the pipeline's topics on a broker that auto-creates topics (as many do by default):
 * the views started first create nothing and wait; the topics the pipeline then creates have its
 * configuration; a work-order topic that is not compacted is refused.
 */
class ViewsTopicsIT {
  static final String OPS = TokenRegistryTest.OPS;
  static final int PARTITIONS = 3;

  @TempDir static Path work;
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka =
        KafkaBroker.builder()
            .property("auto.create.topics.enable", "true")
            .start(work.resolve("kafka"));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  @Test
  void viewsStartedBeforeThePipeline_createNothing_thenServeOnThePipelinesTopics(
      @TempDir Path state) throws Exception {
    Topics topics =
        Topics.withPrefix("early-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    try (CapturedLogs logs = CapturedLogs.everything();
        ViewsServer views = start(topics, state)) {
      assertFalse(views.awaitReady(Duration.ofSeconds(3)), "ready without any topic");
      assertTrue(
          logs.lines().stream()
              .anyMatch(
                  line ->
                      line.contains("waiting for Kafka topics")
                          && line.contains(topics.workOrders())
                          && line.contains(
                              "the pipeline (streetsense run or streetsense job)"
                                  + " creates them")),
          "a log line says which topics the views wait for and who creates them");
      assertEquals(503, get(views, "/health/ready", OPS).statusCode());
      assertEquals(Set.of(), existing(topics), "the views must not create topics");

      PipelineTopics.ensure(admin(), topics, PARTITIONS); // what `run` and `job` do at start

      assertTrue(views.awaitReady(Duration.ofSeconds(30)), "ready once the topics exist");
      assertEquals(200, get(views, "/health/ready", OPS).statusCode());
      try (Admin admin = Admin.create(admin())) {
        Map<String, TopicDescription> described =
            admin.describeTopics(topics.all()).allTopicNames().get(30, TimeUnit.SECONDS);
        for (String topic : topics.all()) {
          assertEquals(PARTITIONS, described.get(topic).partitions().size(), topic);
        }
        ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, topics.workOrders());
        assertEquals(
            "compact",
            admin
                .describeConfigs(List.of(orders))
                .all()
                .get(30, TimeUnit.SECONDS)
                .get(orders)
                .get("cleanup.policy")
                .value());
      }

      // Serves what the job writes, and takes commands onto the actions topic.
      WorkOrder order = TestOrders.dispatched("WO-EARLY-1", "team-a");
      write(topics, order);
      ViewsServerIT.await(
          "the order in the view",
          () -> get(views, "/ops/v1/workorders/WO-EARLY-1", OPS).statusCode() == 200);
      HttpResponse<String> cancel =
          post(views, "/ops/v1/workorders/WO-EARLY-1/cancel", OPS, "{\"note\": \"duplicate\"}");
      assertEquals(202, cancel.statusCode(), cancel.body());
    }
  }

  @Test
  void aWorkOrderTopicThatIsNotCompacted_isRefusedAtStart(@TempDir Path state) throws Exception {
    Topics topics =
        Topics.withPrefix("deleting-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.workOrders(), 1, (short) 1), // the broker's default: delete
            new NewTopic(topics.actions(), 1, (short) 1),
            new NewTopic(topics.deadLetters(), 1, (short) 1)));

    try (ViewsServer views = start(topics, state)) {
      IllegalStateException refused =
          assertThrows(IllegalStateException.class, () -> views.awaitReady(Duration.ofSeconds(30)));
      String message = refused.getMessage();
      assertTrue(
          message.contains("'" + topics.workOrders() + "'")
              && message.contains("cleanup.policy=delete")
              && message.contains("cleanup.policy=compact"),
          message);
      assertEquals(503, get(views, "/health/ready", OPS).statusCode());
    }
    // The job refuses it the same way rather than running beside a topic that forgets orders.
    assertThrows(
        PipelineTopics.TopicMismatchException.class,
        () -> PipelineTopics.ensure(admin(), topics, 1));
  }

  // ---- fixtures --------------------------------------------------------------------------------

  static Properties admin() {
    Properties p = new Properties();
    p.put("bootstrap.servers", kafka.bootstrapServers());
    return p;
  }

  static Set<String> existing(Topics topics) throws Exception {
    try (Admin admin = Admin.create(admin())) {
      return admin.listTopics().names().get(30, TimeUnit.SECONDS).stream()
          .filter(topics.all()::contains)
          .collect(Collectors.toSet());
    }
  }

  static ViewsServer start(Topics topics, Path state) {
    return ViewsServer.start(
        ViewsConfig.builder()
            .kafkaBootstrap(kafka.bootstrapServers())
            .topics(topics)
            .httpPort(0)
            .tokens(TokenRegistryTest.registry())
            .stateDir(state)
            .build());
  }

  static void write(Topics topics, WorkOrder order) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-writer-" + UUID.randomUUID());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(
          new ProducerRecord<>(
              topics.workOrders(), order.getId(), AvroCodec.of(WorkOrder.class).encode(order)));
      producer.commitTransaction();
    }
  }

  HttpResponse<String> get(ViewsServer server, String path, String token) throws Exception {
    return ServerHttp.get(server, path, token);
  }

  HttpResponse<String> post(ViewsServer server, String path, String token, String body)
      throws Exception {
    return ServerHttp.post(server, path, token, body);
  }
}

package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.services.ScramKafkaBroker;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The views service against a Kafka that speaks only SASL_SSL (SCRAM-SHA-512) and authorizes every
 * request: with its own principal, whose ACLs allow reading the work orders and dead letters and
 * writing actions only, and its password kept out of the settings by Kafka's file config provider.
 */
class KafkaScramIT {
  static final String VIEWS = "streetsense-views";
  static final String VIEWS_PASSWORD = "views-secret-c81f0e";
  static final AvroCodec<WorkOrder> ORDERS = AvroCodec.of(WorkOrder.class);
  static final AvroCodec<TeamAction> ACTIONS = AvroCodec.of(TeamAction.class);

  @TempDir static Path work;
  static ScramKafkaBroker kafka;
  static Topics topics;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = ScramKafkaBroker.start(work.resolve("kafka"), Map.of(VIEWS, VIEWS_PASSWORD));
    topics = Topics.withPrefix("scram.");
    try (Admin admin = Admin.create(kafka.adminProperties())) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(topics.workOrders(), 2, (short) 1)
                      .configs(Map.of("cleanup.policy", "compact")),
                  new NewTopic(topics.actions(), 2, (short) 1),
                  new NewTopic(topics.deadLetters(), 1, (short) 1)))
          .all()
          .get(60, TimeUnit.SECONDS);
      // The team service's principal: reads work orders and dead letters, writes actions; checks
      // at start that all three are there and configured for their role (DescribeConfigs).
      List<AclBinding> acls = new ArrayList<>();
      for (String topic : List.of(topics.workOrders(), topics.deadLetters(), topics.actions())) {
        acls.add(allow(topic, AclOperation.DESCRIBE_CONFIGS));
      }
      for (String topic : List.of(topics.workOrders(), topics.deadLetters())) {
        acls.add(allow(topic, AclOperation.READ));
        acls.add(allow(topic, AclOperation.DESCRIBE));
      }
      acls.add(allow(topics.actions(), AclOperation.WRITE));
      acls.add(allow(topics.actions(), AclOperation.DESCRIBE));
      admin.createAcls(acls).all().get(60, TimeUnit.SECONDS);
    }
  }

  static AclBinding allow(String topic, AclOperation operation) {
    return new AclBinding(
        new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
        new AccessControlEntry("User:" + VIEWS, "*", operation, AclPermissionType.ALLOW));
  }

  @AfterAll
  static void stopKafka() {
    if (kafka != null) {
      kafka.close();
    }
  }

  /**
   * The views' Kafka settings as an operator writes them: SASL_SSL, SCRAM, the trust store, and the
   * JAAS line (with the password) in a separate secret file read by Kafka's FileConfigProvider.
   */
  static Properties viewsKafkaSettings(String password) throws Exception {
    Path secret = work.resolve("views-kafka-secret-" + UUID.randomUUID() + ".properties");
    Properties jaas = new Properties();
    jaas.setProperty("sasl.jaas.config", ScramKafkaBroker.jaas(VIEWS, password));
    try (var out = Files.newBufferedWriter(secret)) {
      jaas.store(out, "secret: readable by the service user only");
    }
    Properties p = new Properties();
    p.setProperty("security.protocol", "SASL_SSL");
    p.setProperty("sasl.mechanism", "SCRAM-SHA-512");
    p.setProperty("config.providers", "file");
    p.setProperty(
        "config.providers.file.class",
        "org.apache.kafka.common.config.provider.FileConfigProvider");
    p.setProperty("sasl.jaas.config", "${file:" + secret + ":sasl.jaas.config}");
    p.setProperty("ssl.truststore.location", kafka.trustStore().toString());
    p.setProperty("ssl.truststore.type", "PKCS12");
    p.setProperty("ssl.truststore.password", ScramKafkaBroker.STORE_PASSWORD);
    return p;
  }

  ViewsServer start(Properties kafkaSettings, Path state) {
    return ViewsServer.start(
        ViewsConfig.builder()
            .kafkaBootstrap(kafka.bootstrapServers())
            .kafkaProperties(kafkaSettings)
            .topics(topics)
            .httpPort(0)
            .tokens(TokenRegistryTest.registry())
            .stateDir(state)
            .build());
  }

  static void writeAsAdmin(WorkOrder order) {
    Properties p = kafka.adminProperties();
    p.put("transactional.id", "it-writer-" + UUID.randomUUID());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.send(new ProducerRecord<>(topics.workOrders(), order.getId(), ORDERS.encode(order)));
      producer.commitTransaction();
    }
  }

  static List<TeamAction> readActionsAsAdmin(int atLeast) throws Exception {
    List<TeamAction> actions = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(
            kafka.adminProperties(), new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions =
          List.of(new TopicPartition(topics.actions(), 0), new TopicPartition(topics.actions(), 1));
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (actions.size() < atLeast && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
          actions.add(ACTIONS.decode(r.value()));
        }
      }
    }
    return actions;
  }

  @Test
  void withItsOwnPrincipalOverSaslSsl_theViewServesOrders_andAnAcceptLandsOnTheActionsTopic()
      throws Exception {
    writeAsAdmin(TestOrders.dispatched("WO-SCRAM-1", "team-a"));
    try (CapturedLogs logs = CapturedLogs.everything();
        ViewsServer server =
            start(viewsKafkaSettings(VIEWS_PASSWORD), Files.createTempDirectory(work, "s"))) {
      assertTrue(server.awaitReady(Duration.ofSeconds(60)), "view loaded over SASL_SSL");
      assertTrue(server.config().toString().contains("(SASL_SSL/SCRAM-SHA-512)"));
      HttpResponse<String> order = get(server, "/teams/v1/workorders/WO-SCRAM-1");
      assertEquals(200, order.statusCode(), order.body());
      HttpResponse<String> accept =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + server.port()
                              + "/teams/v1/workorders/WO-SCRAM-1/accept"))
                  .header("Authorization", "Bearer " + TokenRegistryTest.A)
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(202, accept.statusCode(), accept.body());

      List<TeamAction> actions = readActionsAsAdmin(1);
      assertEquals(1, actions.size());
      assertEquals(TeamActionType.ACCEPT, actions.get(0).getAction());
      assertEquals("team:team-a", actions.get(0).getActor());

      // Kafka logs its client settings at start: the password and the key store secret are not
      // among them (the JAAS line is a Password, logged as [hidden]).
      List<String> lines = logs.lines();
      assertTrue(lines.stream().anyMatch(l -> l.contains("sasl.jaas.config = [hidden]")), "");
      for (String line : lines) {
        assertFalse(line.contains(VIEWS_PASSWORD), "the Kafka password in a log line: " + line);
        assertFalse(
            line.contains(ScramKafkaBroker.STORE_PASSWORD), "a store password logged: " + line);
      }
    }
  }

  @Test
  void theViewsPrincipal_mayNotWriteWorkOrders() throws Exception {
    Properties p = viewsKafkaSettings(VIEWS_PASSWORD);
    p.put("bootstrap.servers", kafka.bootstrapServers());
    p.put("max.block.ms", "20000");
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(
                          new ProducerRecord<>(
                              topics.workOrders(),
                              "WO-FORGED",
                              ORDERS.encode(TestOrders.dispatched("WO-FORGED", "team-a"))))
                      .get(30, TimeUnit.SECONDS));
      assertInstanceOf(TopicAuthorizationException.class, refused.getCause());
    }
  }

  @Test
  void aWrongPassword_stopsTheViewWithTheSaslError() throws Exception {
    String wrong = "not-the-views-password";
    try (ViewsServer server =
        start(viewsKafkaSettings(wrong), Files.createTempDirectory(work, "s"))) {
      IllegalStateException failed =
          assertThrows(
              IllegalStateException.class, () -> server.awaitReady(Duration.ofSeconds(60)));
      Throwable cause = failed.getCause();
      assertInstanceOf(SaslAuthenticationException.class, cause, String.valueOf(cause));
      assertFalse(failed.toString().contains(wrong));
      HttpResponse<String> ready = get(server, "/health/ready");
      assertEquals(503, ready.statusCode());
    }
  }

  HttpResponse<String> get(ViewsServer server, String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Authorization", "Bearer " + TokenRegistryTest.A)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}

package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.services.InfluxDb;
import io.streetsense.services.MosquittoBroker;
import io.streetsense.services.ScramKafkaBroker;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.testing.RepositoryBlockMaps;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The bridge and the Flink job against a Kafka that speaks only SASL_SSL (SCRAM-SHA-512) and denies
 * whatever no ACL allows, each program with its own principal and exactly the ACLs that {@code
 * deploy/k8s/kafka-users.yaml} gives it (read from that file): a stall published over MQTT still
 * becomes a dispatched work order, and each principal is refused what its ACLs leave out.
 */
class SecureKafkaPipelineIT {
  private static final Path KAFKA_USERS = Path.of("..", "deploy", "k8s", "kafka-users.yaml");
  private static final String BRIDGE = "streetsense-bridge";
  private static final String JOB = "streetsense-job";
  private static final String VIEWS = "streetsense-views";
  private static final Duration STREET = Duration.ofMinutes(30);

  @TempDir Path workDir;

  @Test
  void bridgeAndJobWithTheirOwnPrincipals_turnAStallIntoAWorkOrder_andAreRefusedTheRest()
      throws Exception {
    Map<String, String> passwords = new LinkedHashMap<>();
    for (String user : List.of(BRIDGE, JOB, VIEWS)) {
      passwords.put(user, "pw-" + UUID.randomUUID());
    }
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    BlockMaps maps = BlockMaps.of(jiashan);
    Topics topics = Topics.defaults(); // the names kafka-users.yaml grants
    List<WorkOrder> orders = new CopyOnWriteArrayList<>();

    try (ScramKafkaBroker kafka = ScramKafkaBroker.start(workDir.resolve("kafka"), passwords);
        MosquittoBroker mqtt = MosquittoBroker.start(workDir.resolve("mqtt"));
        InfluxDb influx = InfluxDb.start(workDir.resolve("influx"))) {
      Properties admin = kafka.adminProperties();
      PipelineTopics.ensure(admin, topics, 2);
      List<AclBinding> acls = aclsOf(KAFKA_USERS);
      try (Admin client = Admin.create(admin)) {
        client.createAcls(acls).all().get(60, TimeUnit.SECONDS);
      }
      System.out.printf(
          "[SecureKafkaPipelineIT] %d ACLs from %s applied on a SASL_SSL broker%n",
          acls.size(), KAFKA_USERS);
      Properties bridge = kafka.clientProperties(BRIDGE, passwords.get(BRIDGE));
      Properties job = kafka.clientProperties(JOB, passwords.get(JOB));
      Properties views = kafka.clientProperties(VIEWS, passwords.get(VIEWS));

      // What `streetsense job` does at start, with the job's principal: the topics are there.
      PipelineTopics.ensure(
          PipelineTopics.adminProperties(kafka.bootstrapServers(), job), topics, 2);
      JobClient flink = startJob(kafka.bootstrapServers(), job, topics, influx, maps);
      Properties bridgeOnly = new Properties(); // the bridge sets its bootstrap servers itself
      bridgeOnly.putAll(bridge);
      bridgeOnly.remove("bootstrap.servers");
      PipelineSettings bridgeSettings =
          new PipelineSettings(
              mqtt.serverUri(),
              null,
              null,
              kafka.bootstrapServers(),
              bridgeOnly,
              topics,
              2,
              InfluxDbSettings.of(influx.url(), "streetsense"),
              DetectorConfig.defaults(),
              Duration.ofSeconds(1),
              1000,
              1,
              false);
      SimulatedClock clock = SimulatedClock.endingNow(STREET, 0);
      StreetScenario scenario = Scenarios.demo(jiashan, 7, STREET).startingAt(clock.simStart());
      try (MqttKafkaBridge running =
              MqttKafkaBridge.start(
                  Pipeline.bridgeConfig(bridgeSettings, maps), DeviceDirectory.of(maps));
          WorkOrderFeed feed =
              WorkOrderFeed.start(
                  kafka.bootstrapServers(), admin, topics, orders::add, violation -> {});
          StreetSimulator simulator = StreetSimulator.overMqtt(mqtt.serverUri(), clock)) {
        StreetSimulator.Result published = simulator.run(scenario.iterator(), (sent, at) -> {});
        assertEquals(published.sent(), published.delivered(), "every message reached the broker");
        awaitDispatched(flink, orders, Duration.ofMinutes(3));
        assertEquals(0, running.metrics().snapshot().deadLetters(), "simulated traffic is valid");
        System.out.printf(
            "[SecureKafkaPipelineIT] %d messages published over MQTT, bridge had forwarded %d over"
                + " SASL_SSL as %s; job (as %s) dispatched %s%n",
            published.sent(),
            running.metrics().snapshot().events(),
            BRIDGE,
            JOB,
            orders.stream()
                .filter(o -> o.getStatus() == WorkOrderStatus.DISPATCHED)
                .findFirst()
                .map(o -> o.getId() + " to " + o.getTeamId())
                .orElseThrow());
      } finally {
        flink.cancel().get(30, TimeUnit.SECONDS);
      }

      // Each principal is refused what its ACLs leave out.
      assertWriteRefused(bridge, topics.workOrders(), "the bridge may not forge work orders");
      assertWriteRefused(bridge, topics.actions(), "the bridge may not act for a team");
      assertWriteRefused(job, topics.parking(), "the job may not forge device messages");
      assertWriteRefused(views, topics.workOrders(), "the team service may not write orders");
      assertWriteRefused(views, topics.parking(), "the team service may not forge devices");
      // The views read the device topics (the console's device health: which cameras and sensors
      // are heard from) but never the command log they write to.
      assertReadRefused(views, topics.actions(), "the team service may not read others' commands");
      assertReadRefused(bridge, topics.workOrders(), "the bridge may not read work orders");
    }
  }

  private static JobClient startJob(
      String bootstrap, Properties job, Topics topics, InfluxDb influx, BlockMaps maps)
      throws Exception {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none"); // an ACL refusal fails the test
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(2);
    StreetSenseJob.defineKafkaWorkflow(
        env,
        new StreetSenseJob.Settings(
            bootstrap,
            job,
            topics,
            null, // the default group and transactional-id prefix, as the ACLs name them
            null,
            InfluxDbSettings.of(influx.url(), "streetsense"),
            DetectorConfig.defaults(),
            Duration.ofSeconds(1)),
        maps,
        Clock.systemUTC());
    return env.executeAsync("secure-kafka");
  }

  private static void awaitDispatched(JobClient job, List<WorkOrder> orders, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (orders.stream()
          .anyMatch(
              o ->
                  o.getStatus() == WorkOrderStatus.DISPATCHED
                      && o.getType() == ViolationType.ILLEGAL_STALL
                      && o.getZoneId().equals("JS-Z-NV1"))) {
        return;
      }
      if (job.getJobStatus().get().isGloballyTerminalState()) {
        job.getJobExecutionResult().get(); // throws the job's failure (an ACL refusal, say)
        throw new AssertionError("the job ended before dispatching the stall");
      }
      Thread.sleep(200);
    }
    throw new AssertionError("no dispatched ILLEGAL_STALL order within " + timeout + ": " + orders);
  }

  private static void assertWriteRefused(Properties principal, String topic, String why) {
    Properties p = new Properties();
    p.putAll(principal);
    p.setProperty("max.block.ms", "15000");
    p.setProperty("enable.idempotence", "false");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      ExecutionException refused =
          assertThrows(
              ExecutionException.class,
              () -> producer.send(new ProducerRecord<>(topic, new byte[] {1})).get(),
              why);
      assertInstanceOf(TopicAuthorizationException.class, refused.getCause(), why);
    }
  }

  private static void assertReadRefused(Properties principal, String topic, String why) {
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(principal, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(topic, 0)));
      consumer.seekToBeginning(List.of(new TopicPartition(topic, 0)));
      assertThrows(
          TopicAuthorizationException.class, () -> consumer.poll(Duration.ofSeconds(15)), why);
    }
  }

  /**
   * The ACLs of every Strimzi {@code KafkaUser} in the file, for principal {@code User:<name>}:
   * resource type and pattern type as Strimzi spells them, operations in CamelCase.
   */
  @SuppressWarnings("unchecked")
  static List<AclBinding> aclsOf(Path kafkaUsers) throws Exception {
    List<AclBinding> bindings = new ArrayList<>();
    try (InputStream in = Files.newInputStream(kafkaUsers)) {
      for (Object document : new Yaml(new LoaderOptions()).loadAll(in)) {
        Map<String, Object> user = (Map<String, Object>) document;
        if (user == null || !"KafkaUser".equals(user.get("kind"))) {
          continue;
        }
        String principal = "User:" + ((Map<String, Object>) user.get("metadata")).get("name");
        Map<String, Object> authorization =
            (Map<String, Object>) ((Map<String, Object>) user.get("spec")).get("authorization");
        for (Map<String, Object> acl : (List<Map<String, Object>>) authorization.get("acls")) {
          Map<String, Object> resource = (Map<String, Object>) acl.get("resource");
          ResourcePattern pattern =
              new ResourcePattern(
                  resourceType((String) resource.get("type")),
                  (String) resource.getOrDefault("name", "kafka-cluster"),
                  "prefix".equals(resource.get("patternType"))
                      ? PatternType.PREFIXED
                      : PatternType.LITERAL);
          for (String operation : (List<String>) acl.get("operations")) {
            bindings.add(
                new AclBinding(
                    pattern,
                    new AccessControlEntry(
                        principal,
                        "*",
                        AclOperation.fromString(
                            operation
                                .replaceAll("([a-z])([A-Z])", "$1_$2")
                                .toUpperCase(Locale.ROOT)),
                        AclPermissionType.ALLOW)));
          }
        }
      }
    }
    return bindings;
  }

  private static ResourceType resourceType(String strimzi) {
    return switch (strimzi) {
      case "topic" -> ResourceType.TOPIC;
      case "group" -> ResourceType.GROUP;
      case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
      case "cluster" -> ResourceType.CLUSTER;
      default ->
          throw new IllegalArgumentException("resource type '" + strimzi + "' in " + KAFKA_USERS);
    };
  }
}

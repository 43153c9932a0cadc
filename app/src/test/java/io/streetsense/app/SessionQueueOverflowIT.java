package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.Topics;
import io.streetsense.services.LocalServices;
import io.streetsense.services.MosquittoBroker;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fault: the bridge is away longer than the MQTT broker keeps its session's queue. Messages beyond
 * the broker's {@code max_queued_messages} are dropped by the broker, before the bridge could take
 * them: that loss cannot be prevented by the pipeline, but it must be bounded, measured and
 * reported, never silent. A parking sensor numbers its messages one by one, so the job's detect
 * stage sees the gap and writes it as {@code pipeline.missing} (and one WARN line); Mosquitto logs
 * that it dropped messages for the bridge's client.
 */
class SessionQueueOverflowIT {
  private static final int QUEUE = 200;
  private static final int BEFORE = 100;
  private static final int WHILE_AWAY = 1000;
  private static final int AFTER = 10;

  @TempDir Path workDir;

  @Test
  void bridgeAwayLongerThanTheBrokerQueues_lossIsCountedAsMissing() throws Exception {
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    BlockMaps maps = BlockMaps.of(jiashan);
    String sensor = jiashan.sensors().get(0).id();
    String topic = "blocks/jiashan-lane/parking/" + sensor;

    try (LocalServices services =
        LocalServices.start(workDir, MosquittoBroker.builder().maxQueuedMessages(QUEUE))) {
      PipelineSettings settings =
          TestPipelines.settings(
              services, Topics.withPrefix("overflow-" + UUID.randomUUID() + "."));
      Instant t0 = Instant.now().minusSeconds(60);
      try (Pipeline pipeline = Pipeline.start(settings, maps);
          Sensor device = new Sensor(services.mqtt().serverUri(), topic, sensor, t0)) {
        device.send(BEFORE);
        awaitEvents(pipeline.bridge(), BEFORE);

        // The bridge goes away; its persistent session stays on the broker with a bounded queue.
        pipeline.bridge().close();
        device.send(WHILE_AWAY);

        // It comes back under the same client id and takes what the broker kept.
        try (MqttKafkaBridge back =
            MqttKafkaBridge.start(
                Pipeline.bridgeConfig(settings, maps), DeviceDirectory.of(maps))) {
          device.send(AFTER);
          // A last message two minutes on moves event time past the minutes above.
          device.sendAt(device.next(), Instant.now().plusSeconds(120));
          int sent = BEFORE + WHILE_AWAY + AFTER + 1;

          Set<Long> inKafka = awaitStable(settings, "jiashan-lane/" + sensor);
          int lost = sent - inKafka.size();
          System.out.printf(
              "[SessionQueueOverflowIT] sent %d, in Kafka %d distinct, lost %d (queue %d)%n",
              sent, inKafka.size(), lost, QUEUE);
          assertTrue(lost > 0, "the broker dropped what did not fit its queue");
          assertTrue(
              lost <= WHILE_AWAY - QUEUE + 1, "bounded: only messages beyond the queue: " + lost);
          for (long seq = 1; seq <= BEFORE; seq++) {
            assertTrue(inKafka.contains(seq), "sent while the bridge was there: " + seq);
          }

          // Reported: the job counts the gap in the sensor's numbers, exactly.
          long missing = awaitMissing(services, lost, Duration.ofMinutes(2));
          assertEquals(
              lost,
              missing,
              "pipeline.missing of the detect stage; its points: "
                  + services
                      .influx()
                      .query("streetsense", "SELECT * FROM pipeline WHERE stage = 'detect'"));
          // And the broker said so in its log.
          Path log = ((MosquittoBroker) services.mqtt()).logFile();
          assertTrue(
              Files.readString(log).contains("Outgoing messages are being dropped"),
              "Mosquitto logs the drop: " + log);
        }
      }
    }
  }

  private static void awaitEvents(MqttKafkaBridge bridge, long events) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (bridge.metrics().snapshot().events() < events) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the bridge took " + bridge.metrics().snapshot().events());
      }
      Thread.sleep(100);
    }
  }

  /** The sensor's distinct sequence numbers in the parking topic, once no more arrive for 5 s. */
  private static Set<Long> awaitStable(PipelineSettings settings, String key) throws Exception {
    AvroCodec<ParkingSensorEvent> codec = AvroCodec.of(ParkingSensorEvent.class);
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafkaBootstrapServers());
    Set<Long> seqs = new HashSet<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      String topic = settings.topics().parking();
      List<TopicPartition> partitions =
          consumer.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long quietSince = System.nanoTime();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (System.nanoTime() - quietSince < Duration.ofSeconds(5).toNanos()) {
        if (System.nanoTime() > deadline) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
          if (key.equals(new String(record.key(), StandardCharsets.UTF_8))) {
            if (seqs.add(codec.decode(record.value()).getSeq())) {
              quietSince = System.nanoTime();
            }
          }
        }
      }
    }
    return seqs;
  }

  private static long awaitMissing(LocalServices services, long expected, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    long missing = 0;
    while (System.nanoTime() < deadline) {
      missing =
          services
              .influx()
              .firstValue(
                  "streetsense", "SELECT sum(missing) FROM pipeline WHERE stage = 'detect'");
      if (missing >= expected) {
        return missing;
      }
      Thread.sleep(1000);
    }
    return missing;
  }

  /** One parking sensor publishing numbered heartbeats at QoS 1 over MQTT 3.1.1. */
  private static final class Sensor implements AutoCloseable {
    private final MqttClient client;
    private final String topic;
    private final String id;
    private final Instant start;
    private long seq;

    Sensor(String serverUri, String topic, String id, Instant start) throws Exception {
      this.client = new MqttClient(serverUri, "sensor-" + id, new MemoryPersistence());
      MqttConnectOptions options = new MqttConnectOptions();
      options.setCleanSession(true);
      options.setMaxInflight(1000);
      client.connect(options);
      this.topic = topic;
      this.id = id;
      this.start = start;
    }

    long next() {
      return seq + 1;
    }

    void send(int count) throws Exception {
      for (int i = 0; i < count; i++) {
        long n = next();
        sendAt(n, start.plusMillis(n * 10));
      }
    }

    void sendAt(long n, Instant ts) throws Exception {
      seq = n;
      String payload =
          "{\"sensor\":\""
              + id
              + "\",\"ts\":"
              + ts.toEpochMilli()
              + ",\"seq\":"
              + n
              + ",\"occupied\":false,\"kind\":\"heartbeat\"}";
      client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
    }

    @Override
    public void close() throws Exception {
      client.disconnect();
      client.close();
    }
  }
}

package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaBrokerIT {
  @TempDir static Path workDir;
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() {
    kafka = KafkaBroker.start(workDir);
  }

  @AfterAll
  static void stopKafka() {
    kafka.close();
    kafka.close(); // idempotent
    assertFalse(kafka.isRunning());
  }

  @Test
  void shouldRoundTripARecordWithAcksAll() throws Exception {
    String topic = "round-trip-" + UUID.randomUUID();
    kafka.createTopic(topic, 2, false);
    kafka.createTopic(topic, 2, false); // existing topics are left alone

    produce(topic, "zone-1", "occupied");

    assertEquals(List.of("zone-1=occupied"), consumeAll(topic, 1));
  }

  @Test
  void shouldKeepRecordsAcrossKillAndRestart() throws Exception {
    String topic = "durable-" + UUID.randomUUID();
    kafka.createTopic(topic, 1, true);
    produce(topic, "zone-2", "free");
    String before = kafka.bootstrapServers();

    kafka.kill();
    assertFalse(kafka.isRunning());
    kafka.start();
    assertTrue(kafka.isRunning());
    assertEquals(before, kafka.bootstrapServers());
    assertEquals(List.of("zone-2=free"), consumeAll(topic, 1));

    kafka.restart(); // graceful stop, then start
    produce(topic, "zone-3", "occupied");
    assertEquals(List.of("zone-2=free", "zone-3=occupied"), consumeAll(topic, 2));
  }

  private static void produce(String topic, String key, String value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  private static List<String> consumeAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    List<String> seen = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (seen.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          seen.add(r.key() + "=" + r.value());
        }
      }
    }
    return seen;
  }
}

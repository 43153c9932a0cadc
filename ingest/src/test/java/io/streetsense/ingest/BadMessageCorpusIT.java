package io.streetsense.ingest;

import static io.streetsense.ingest.Devices.BLOCK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.Topics;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A corpus of bad device messages through real Mosquitto, the real bridge and real Kafka: each one
 * lands in the dead-letter topic byte for byte with the expected reason and its MQTT topic, is
 * counted, and the good messages published between them all arrive keyed and with headers.
 */
class BadMessageCorpusIT {
  @RegisterExtension static final Brokers brokers = new Brokers();

  record Bad(String name, String topic, byte[] payload, DeadLetterReason expected) {}

  static final String P = Devices.parkingTopic("JS-P-01");
  static final String C = Devices.cameraTopic("JS-C-01");

  static List<Bad> corpus(Instant now) {
    String ts = "\"" + now.atOffset(java.time.ZoneOffset.ofHours(8)) + "\"";
    String park =
        "{\"sensor\":\"JS-P-01\",\"ts\":"
            + ts
            + ",\"seq\":7,\"occupied\":true,\"kind\":\"change\",\"battery_v\":3.6}";
    String obj = "{\"track\":\"5\",\"cls\":\"cart\",\"conf\":0.8,\"box\":[0.1,0.7,0.1,0.2]}";
    String cam =
        "{\"camera\":\"JS-C-01\",\"ts\":" + now.toEpochMilli() + ",\"frame\":42,\"objects\":[OBJ]}";
    List<Bad> c = new ArrayList<>();
    c.add(bad("truncated JSON", P, park.substring(0, 30), DeadLetterReason.INVALID_JSON));
    c.add(bad("trailing garbage", P, park + "xyz", DeadLetterReason.INVALID_JSON));
    c.add(bad("two objects", P, park + park, DeadLetterReason.INVALID_JSON));
    c.add(bad("single quotes", P, park.replace('"', '\''), DeadLetterReason.INVALID_JSON));
    c.add(
        bad(
            "NaN box coordinate",
            C,
            cam.replace("OBJ", obj.replace("0.7", "NaN")),
            DeadLetterReason.INVALID_JSON));
    c.add(
        bad(
            "Infinity conf",
            C,
            cam.replace("OBJ", obj.replace("0.8", "Infinity")),
            DeadLetterReason.INVALID_JSON));
    c.add(
        bad("duplicate key", P, park.replace("}", ",\"seq\":8}"), DeadLetterReason.DUPLICATE_KEY));
    c.add(bad("JSON array", P, "[" + park + "]", DeadLetterReason.NOT_AN_OBJECT));
    c.add(bad("JSON string", P, "\"occupied\"", DeadLetterReason.NOT_AN_OBJECT));
    c.add(new Bad("empty payload", P, new byte[0], DeadLetterReason.EMPTY_PAYLOAD));
    byte[] mega = new byte[1 << 20];
    Arrays.fill(mega, (byte) ' ');
    byte[] parkBytes = park.getBytes(StandardCharsets.UTF_8);
    System.arraycopy(parkBytes, 0, mega, 0, parkBytes.length);
    c.add(new Bad("1 MB payload", P, mega, DeadLetterReason.OVERSIZED));
    c.add(new Bad("64 KiB + 1", C, new byte[64 * 1024 + 1], DeadLetterReason.OVERSIZED));
    c.add(
        new Bad(
            "0xFF byte", P, withBytes(park, new byte[] {(byte) 0xff}), DeadLetterReason.NOT_UTF8));
    c.add(
        new Bad(
            "Latin-1 text",
            P,
            park.replace("change", "chang\u00e9").getBytes(StandardCharsets.ISO_8859_1),
            DeadLetterReason.NOT_UTF8));
    c.add(
        bad(
            "occupied as string",
            P,
            park.replace("true", "\"true\""),
            DeadLetterReason.WRONG_TYPE));
    c.add(
        bad(
            "seq as string",
            P,
            park.replace("\"seq\":7", "\"seq\":\"7\""),
            DeadLetterReason.WRONG_TYPE));
    c.add(
        bad(
            "fractional seq",
            P,
            park.replace("\"seq\":7", "\"seq\":7.5"),
            DeadLetterReason.WRONG_TYPE));
    c.add(
        bad("object as a string", C, cam.replace("OBJ", "\"cart\""), DeadLetterReason.WRONG_TYPE));
    c.add(bad("missing seq", P, park.replace("\"seq\":7,", ""), DeadLetterReason.MISSING_FIELD));
    c.add(
        bad(
            "missing ts",
            P,
            park.replace("\"ts\":" + ts + ",", ""),
            DeadLetterReason.MISSING_FIELD));
    c.add(
        bad(
            "missing objects",
            C,
            cam.replace(",\"objects\":[OBJ]", ""),
            DeadLetterReason.MISSING_FIELD));
    c.add(
        bad(
            "negative seq",
            P,
            park.replace("\"seq\":7", "\"seq\":-7"),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "seq beyond 2^31",
            P,
            park.replace("\"seq\":7", "\"seq\":2147483648"),
            DeadLetterReason.INVALID_VALUE));
    c.add(bad("unknown kind", P, park.replace("change", "toggle"), DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "conf above 1",
            C,
            cam.replace("OBJ", obj.replace("0.8", "1.5")),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "box outside the image",
            C,
            cam.replace("OBJ", obj.replace("[0.1,0.7,0.1,0.2]", "[1.3,0.7,0.1,0.2]")),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "box of three numbers",
            C,
            cam.replace("OBJ", obj.replace("[0.1,0.7,0.1,0.2]", "[0.1,0.7,0.1]")),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "negative frame",
            C,
            cam.replace("\"frame\":42", "\"frame\":-42").replace("OBJ", ""),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "infinite battery",
            P,
            park.replace("\"battery_v\":3.6", "\"battery_v\":1e400"),
            DeadLetterReason.INVALID_VALUE));
    c.add(
        bad(
            "fractional epoch ts",
            C,
            cam.replace("" + now.toEpochMilli(), now.toEpochMilli() + ".5").replace("OBJ", ""),
            DeadLetterReason.BAD_TIMESTAMP));
    c.add(
        bad(
            "ts without offset",
            P,
            park.replace(
                ts, "\"" + now.atOffset(java.time.ZoneOffset.UTC).toLocalDateTime() + "\""),
            DeadLetterReason.BAD_TIMESTAMP));
    c.add(bad("negative ts", P, park.replace(ts, "-1"), DeadLetterReason.BAD_TIMESTAMP));
    c.add(
        bad(
            "ts 10 min in the future",
            P,
            park.replace(ts, "" + now.plus(Duration.ofMinutes(10)).toEpochMilli()),
            DeadLetterReason.TIMESTAMP_IN_FUTURE));
    c.add(
        bad(
            "ts 25 h old",
            P,
            park.replace(ts, "" + now.minus(Duration.ofHours(25)).toEpochMilli()),
            DeadLetterReason.TIMESTAMP_TOO_OLD));
    c.add(
        bad(
            "spoofed sensor id",
            P,
            park.replace("JS-P-01", "JS-P-02"),
            DeadLetterReason.DEVICE_MISMATCH));
    c.add(
        bad(
            "unknown sensor",
            Devices.parkingTopic("JS-P-99"),
            park.replace("JS-P-01", "JS-P-99"),
            DeadLetterReason.UNKNOWN_DEVICE));
    c.add(
        bad(
            "unknown block",
            "blocks/atlantis/parking/JS-P-01",
            park,
            DeadLetterReason.UNKNOWN_BLOCK));
    c.add(
        bad(
            "camera frame on a parking topic",
            "blocks/" + BLOCK + "/parking/JS-C-01",
            cam.replace("OBJ", obj),
            DeadLetterReason.WRONG_DEVICE_KIND));
    c.add(
        bad(
            "sensor id on a camera topic",
            "blocks/" + BLOCK + "/camera/JS-P-01",
            cam.replace("JS-C-01", "JS-P-01").replace("OBJ", ""),
            DeadLetterReason.WRONG_DEVICE_KIND));
    c.add(
        bad(
            "300 objects",
            C,
            cam.replace("OBJ", String.join(",", Collections.nCopies(300, obj))),
            DeadLetterReason.TOO_MANY_OBJECTS));
    c.add(bad("topic with an extra level", P + "/extra", park, DeadLetterReason.BAD_TOPIC));
    c.add(
        bad(
            "unknown device kind in topic",
            "blocks/" + BLOCK + "/radar/JS-P-01",
            park,
            DeadLetterReason.BAD_TOPIC));
    return c;
  }

  static Bad bad(String name, String topic, String json, DeadLetterReason expected) {
    return new Bad(name, topic, json.getBytes(StandardCharsets.UTF_8), expected);
  }

  static byte[] withBytes(String json, byte[] inserted) {
    byte[] head = json.substring(0, 12).getBytes(StandardCharsets.UTF_8);
    byte[] tail = json.substring(12).getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[head.length + inserted.length + tail.length];
    System.arraycopy(head, 0, out, 0, head.length);
    System.arraycopy(inserted, 0, out, head.length, inserted.length);
    System.arraycopy(tail, 0, out, head.length + inserted.length, tail.length);
    return out;
  }

  @Test
  void everyBadMessage_landsInTheDeadLetterTopic_andTheGoodOnesAroundThemArrive() throws Exception {
    Topics topics = brokers.freshTopics();
    BridgeConfig config =
        BridgeConfig.builder()
            .mqttServerUri(brokers.mqtt().serverUri())
            .mqttClientId("corpus-bridge-" + topics.parking())
            // blocks/# rather than the two device filters: junk topics under blocks/ become
            // dead letters too instead of being invisible.
            .topicFilters(List.of("blocks/#"))
            .kafkaBootstrapServers(brokers.kafka().bootstrapServers())
            .topics(topics)
            .window(100)
            .deadLetterMaxPayloadBytes(2 << 20)
            .build();
    Instant now = Instant.now();
    List<Bad> corpus = corpus(now);
    assertTrue(corpus.size() >= 30, "corpus has " + corpus.size() + " kinds");
    Set<DeadLetterReason> covered = reasonsOf(corpus);
    int goodParking = 0;
    int goodCamera = 0;
    try (MqttKafkaBridge bridge =
            MqttKafkaBridge.start(config, DeviceDirectory.of(TestMaps.jiashanLane()));
        TestPublisher publisher =
            new TestPublisher(brokers.mqtt().serverUri(), "corpus-device", 100)) {
      int seq = 0;
      for (Bad bad : corpus) {
        String sensor = Devices.sensorId(seq);
        publisher.publish(Devices.parkingTopic(sensor), Devices.parking(sensor, seq, now));
        goodParking++;
        seq++;
        publisher.publish(bad.topic(), bad.payload());
        String camera = Devices.cameraId(seq);
        publisher.publish(Devices.cameraTopic(camera), Devices.camera(camera, seq, now));
        goodCamera++;
      }
      publisher.flush();

      List<ConsumerRecord<byte[], byte[]>> dead =
          KafkaReader.readAtLeast(
              brokers.kafka().bootstrapServers(),
              topics.deadLetters(),
              corpus.size(),
              Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> parking =
          KafkaReader.readAtLeast(
              brokers.kafka().bootstrapServers(),
              topics.parking(),
              goodParking,
              Duration.ofSeconds(60));
      List<ConsumerRecord<byte[], byte[]>> camera =
          KafkaReader.readAtLeast(
              brokers.kafka().bootstrapServers(),
              topics.camera(),
              goodCamera,
              Duration.ofSeconds(60));

      assertEquals(corpus.size(), dead.size(), "one dead letter per bad message, no more");
      AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
      List<DeadLetter> letters = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : dead) {
        letters.add(codec.decode(r.value()));
      }
      Map<String, String> table = new TreeMap<>();
      for (Bad bad : corpus) {
        DeadLetter match = null;
        for (DeadLetter letter : letters) {
          if (letter.getSource().equals(bad.topic())
              && Arrays.equals(bytes(letter.getPayload()), bad.payload())) {
            match = letter;
            break;
          }
        }
        assertNotNull(match, () -> "no byte-for-byte dead letter for '" + bad.name() + "'");
        letters.remove(match);
        assertEquals(
            bad.expected().name(), match.getReason(), bad.name() + ": " + match.getDetail());
        assertEquals("ingest", match.getStage());
        table.put(bad.name(), match.getReason() + " — " + match.getDetail());
      }
      System.out.println("[BadMessageCorpusIT] " + corpus.size() + " kinds of bad message:");
      table.forEach(
          (k, v) ->
              System.out.println("  " + k + ": " + v.substring(0, Math.min(140, v.length()))));

      Set<String> parkingSeen = new HashSet<>();
      AvroCodec<ParkingSensorEvent> parkingCodec = AvroCodec.of(ParkingSensorEvent.class);
      for (ConsumerRecord<byte[], byte[]> r : parking) {
        ParkingSensorEvent e = parkingCodec.decode(r.value());
        assertEquals(BLOCK + "/" + e.getSensorId(), new String(r.key(), StandardCharsets.UTF_8));
        assertEquals(
            Devices.parkingTopic(e.getSensorId()),
            ForwarderTest.header(r.headers(), Forwarder.HEADER_TOPIC));
        long receivedAt =
            Long.parseLong(ForwarderTest.header(r.headers(), Forwarder.HEADER_RECEIVED_AT));
        assertEquals(e.getReceivedAt().toEpochMilli(), receivedAt);
        parkingSeen.add(e.getSensorId() + "#" + e.getSeq());
      }
      assertEquals(goodParking, parkingSeen.size(), "every good parking message arrived");
      AvroCodec<CameraFrame> cameraCodec = AvroCodec.of(CameraFrame.class);
      Set<Long> frames = new HashSet<>();
      for (ConsumerRecord<byte[], byte[]> r : camera) {
        CameraFrame f = cameraCodec.decode(r.value());
        assertEquals(BLOCK + "/" + f.getCameraId(), new String(r.key(), StandardCharsets.UTF_8));
        frames.add(f.getFrame());
      }
      assertEquals(goodCamera, frames.size(), "every good camera frame arrived");

      BridgeMetrics.Snapshot s = awaitAcked(bridge, corpus.size() + goodParking + goodCamera);
      assertEquals(corpus.size(), s.deadLetters());
      Map<DeadLetterReason, Long> expectedCounts = new EnumMap<>(DeadLetterReason.class);
      corpus.forEach(b -> expectedCounts.merge(b.expected(), 1L, Long::sum));
      assertEquals(expectedCounts, s.deadLettersByReason());
      assertEquals(goodParking, s.parkingEvents());
      assertEquals(goodCamera, s.cameraEvents());
      System.out.println(
          "[BadMessageCorpusIT] "
              + corpus.size()
              + " bad ("
              + covered.size()
              + " reason codes), "
              + goodParking
              + " good parking, "
              + goodCamera
              + " good camera; metrics "
              + s);
    }
  }

  static BridgeMetrics.Snapshot awaitAcked(MqttKafkaBridge bridge, long count)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    BridgeMetrics.Snapshot s = bridge.metrics().snapshot();
    while (s.mqttAcks() < count && System.nanoTime() < deadline) {
      Thread.sleep(100);
      s = bridge.metrics().snapshot();
    }
    assertEquals(count, s.mqttAcks(), "every message acknowledged to MQTT");
    return s;
  }

  static Set<DeadLetterReason> reasonsOf(List<Bad> corpus) {
    Set<DeadLetterReason> set = java.util.EnumSet.noneOf(DeadLetterReason.class);
    corpus.forEach(b -> set.add(b.expected()));
    return set;
  }

  static byte[] bytes(ByteBuffer buffer) {
    byte[] out = new byte[buffer.remaining()];
    buffer.duplicate().get(out);
    return out;
  }
}

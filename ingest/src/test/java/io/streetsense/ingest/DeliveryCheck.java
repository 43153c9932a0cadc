package io.streetsense.ingest;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.ParkingSensorEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Counts (device, seq) pairs in the parking topic: what is missing, what is duplicated. */
final class DeliveryCheck {
  private static final AvroCodec<ParkingSensorEvent> CODEC = AvroCodec.of(ParkingSensorEvent.class);

  final Map<String, Integer> copies = new HashMap<>();
  int records;
  int keyMismatches;

  /**
   * Reads {@code topic} until it holds {@code distinct} distinct (device, seq) pairs (and at least
   * as many records), or fails after {@code timeout}; the check of everything read.
   */
  static DeliveryCheck awaitDistinct(
      String bootstrap, String topic, int distinct, Duration timeout) {
    return of(
        KafkaReader.readUntil(
            bootstrap, topic, r -> r.size() >= distinct && of(r).distinct() >= distinct, timeout));
  }

  static DeliveryCheck of(List<ConsumerRecord<byte[], byte[]>> records) {
    DeliveryCheck check = new DeliveryCheck();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      ParkingSensorEvent e;
      try {
        e = CODEC.decode(r.value());
      } catch (IOException ex) {
        throw new UncheckedIOException(ex);
      }
      check.records++;
      check.copies.merge(e.getSensorId() + "#" + e.getSeq(), 1, Integer::sum);
      if (!new String(r.key(), StandardCharsets.UTF_8)
          .equals(e.getBlockId() + "/" + e.getSensorId())) {
        check.keyMismatches++;
      }
    }
    return check;
  }

  /** Distinct (device, seq) pairs. */
  int distinct() {
    return copies.size();
  }

  int duplicates() {
    return records - copies.size();
  }

  boolean has(String sensor, long seq) {
    return copies.containsKey(sensor + "#" + seq);
  }

  /** Pairs in {@code sensors x 0..perSensor-1} that are not there. */
  List<String> missing(List<String> sensors, int perSensor) {
    List<String> missing = new java.util.ArrayList<>();
    for (String sensor : sensors) {
      for (int seq = 0; seq < perSensor; seq++) {
        if (!has(sensor, seq)) {
          missing.add(sensor + "#" + seq);
        }
      }
    }
    return missing;
  }
}

package io.streetsense.benchmarks.bridge;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads a case's Kafka topic back after the run and measures, per record, publish → Kafka append:
 * the record's {@code LogAppendTime} (the topic is created with {@code
 * message.timestamp.type=LogAppendTime}) minus the event time in the record, which the publisher
 * stamped with the wall-clock time right before {@code publish} (same machine, same clock;
 * millisecond resolution).
 */
final class KafkaAppendLatency {
  private static final AvroCodec<ParkingSensorEvent> PARKING =
      AvroCodec.of(ParkingSensorEvent.class);
  private static final AvroCodec<CameraFrame> CAMERA = AvroCodec.of(CameraFrame.class);

  private KafkaAppendLatency() {}

  /**
   * @param records records read
   * @param notAppendTime records whose timestamp was not LogAppendTime (should be 0)
   */
  record Result(long records, long notAppendTime, Histogram histogram) {}

  static Result read(String bootstrap, String topic, PayloadKind kind, long expected)
      throws IOException {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    Histogram histogram = new Histogram(3_600_000L, 3);
    long records = 0;
    long notAppendTime = 0;
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
        partitions.add(new TopicPartition(topic, info.partition()));
      }
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      long idleSince = System.nanoTime();
      while (records < expected && System.nanoTime() - idleSince < 20_000_000_000L) {
        ConsumerRecords<byte[], byte[]> batch = consumer.poll(Duration.ofMillis(500));
        if (!batch.isEmpty()) {
          idleSince = System.nanoTime();
        }
        for (ConsumerRecord<byte[], byte[]> r : batch) {
          records++;
          if (r.timestampType() != TimestampType.LOG_APPEND_TIME) {
            notAppendTime++;
          }
          long published =
              kind == PayloadKind.PARKING
                  ? PARKING.decode(r.value()).getEventTime().toEpochMilli()
                  : CAMERA.decode(r.value()).getEventTime().toEpochMilli();
          histogram.recordValue(Math.min(3_600_000L, Math.max(0, r.timestamp() - published)));
        }
      }
    }
    return new Result(records, notAppendTime, histogram);
  }
}

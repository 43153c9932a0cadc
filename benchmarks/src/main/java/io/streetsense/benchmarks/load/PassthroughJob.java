package io.streetsense.benchmarks.load;

import io.streetsense.app.StreetSenseJob;
import io.streetsense.detectors.Detectors;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.sinks.kafka.AvroKafkaSinks;
import io.streetsense.sinks.kafka.AvroKafkaSources;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The load test's baseline: a Flink job that only forwards the device records, with everything the
 * StreetSense job has around its detectors: the same committed Kafka sources, watermark strategies
 * and consumer group, the same exactly-once Avro Kafka sinks and checkpointing, on the same bridge.
 * Parking events go to {@code <forward>-parking}, camera frames to {@code <forward>-camera}. What
 * the real job costs beyond this is the detectors, the work-order loop and the metrics.
 */
final class PassthroughJob {
  static final String PARKING_SUFFIX = "-parking";
  static final String CAMERA_SUFFIX = "-camera";

  private PassthroughJob() {}

  static void define(
      StreamExecutionEnvironment env, StreetSenseJob.Settings settings, String forwardTopic) {
    env.enableCheckpointing(
        settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    String kafka = settings.kafkaBootstrapServers();
    OffsetsInitializer start = OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    env.fromSource(
            AvroKafkaSources.committed(
                kafka,
                settings.topics().parking(),
                settings.consumerGroup(),
                ParkingSensorEvent.class,
                start,
                settings.kafkaClientProperties()),
            Detectors.parkingWatermarks(settings.detectors()),
            "parking sensors")
        .uid("source-parking")
        .sinkTo(
            AvroKafkaSinks.exactlyOnce(
                kafka,
                forwardTopic + PARKING_SUFFIX,
                ParkingSensorEvent.class,
                e -> e.getBlockId() + "/" + e.getSensorId(),
                settings.transactionalIdPrefix() + "-forward-parking",
                settings.kafkaClientProperties()))
        .uid("sink-forward-parking")
        .name("forward parking");
    env.fromSource(
            AvroKafkaSources.committed(
                kafka,
                settings.topics().camera(),
                settings.consumerGroup(),
                CameraFrame.class,
                start,
                settings.kafkaClientProperties()),
            Detectors.cameraWatermarks(settings.detectors()),
            "camera frames")
        .uid("source-camera")
        .sinkTo(
            AvroKafkaSinks.exactlyOnce(
                kafka,
                forwardTopic + CAMERA_SUFFIX,
                CameraFrame.class,
                f -> f.getBlockId() + "/" + f.getCameraId(),
                settings.transactionalIdPrefix() + "-forward-camera",
                settings.kafkaClientProperties()))
        .uid("sink-forward-camera")
        .name("forward camera");
  }
}

package io.streetsense.sinks.pipeline;

import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.sinks.metrics.MetricPoint;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;

/**
 * The {@code pipeline} points of the Flink job's detect stage ({@code stage=detect}): per
 * event-time interval, the device messages that entered the detectors ({@code events}), those seen
 * before ({@code duplicates}), those behind the watermark ({@code late}), every dead letter of the
 * detectors ({@code dead_letters}) and the largest {@code lag_ms} between the bridge receiving a
 * message and the job reading it (how far the job runs behind the street).
 *
 * <pre>{@code
 * DataStream<MetricPoint> points =
 *     PipelineStages.detect(parking, frames, detected.deadLetters(), Duration.ofMinutes(1), clock);
 * }</pre>
 *
 * Counts and times are event time, so a replay writes the same points with the same counts; {@code
 * lag_ms} is the one processing-time figure (a replay reports its own, larger lag).
 */
public final class PipelineStages {
  public static final String DETECT = "detect";

  private PipelineStages() {}

  public static DataStream<MetricPoint> detect(
      DataStream<ParkingSensorEvent> parking,
      DataStream<CameraFrame> frames,
      DataStream<DeadLetter> detectorDeadLetters,
      Duration interval,
      Clock clock) {
    TypeInformation<StageSample> samples = TypeInformation.of(StageSample.class);
    DataStream<StageSample> fromParking =
        parking
            .map(
                e ->
                    new StageSample(
                        e.getBlockId() + "/" + e.getSensorId(),
                        e.getSeq(),
                        true,
                        StageSample.Kind.EVENT,
                        lag(clock, e.getReceivedAt())))
            .returns(samples)
            .uid("pipeline-samples-parking")
            .name("parking messages to pipeline samples");
    DataStream<StageSample> fromFrames =
        frames
            .map(
                f ->
                    new StageSample(
                        f.getBlockId() + "/" + f.getCameraId(),
                        f.getFrame(),
                        StageSample.Kind.EVENT,
                        lag(clock, f.getReceivedAt())))
            .returns(samples)
            .uid("pipeline-samples-camera")
            .name("camera frames to pipeline samples");
    DataStream<StageSample> fromDeadLetters =
        detectorDeadLetters
            .map(
                d ->
                    new StageSample(
                        d.getBlockId() + "/" + d.getDeviceId(),
                        -1,
                        DeadLetterReason.LATE_EVENT.name().equals(d.getReason())
                            ? StageSample.Kind.LATE
                            : StageSample.Kind.DEAD_LETTER,
                        -1))
            .returns(samples)
            .uid("pipeline-samples-deadletters")
            .name("dead letters to pipeline samples");
    return fromParking
        .union(fromFrames, fromDeadLetters)
        .keyBy(s -> s.device)
        .process(new DeviceStageTally(interval))
        .returns(TypeInformation.of(StageCounts.class))
        .uid("pipeline-device-tally")
        .name("pipeline tally per device")
        .keyBy(c -> DETECT)
        .process(new StageTotals())
        .returns(TypeInformation.of(MetricPoint.class))
        .uid("pipeline-stage-totals")
        .name("pipeline points (detect)");
  }

  private static long lag(Clock clock, Instant receivedAt) {
    return receivedAt == null ? -1 : Math.max(0, clock.millis() - receivedAt.toEpochMilli());
  }
}

package io.streetsense.sinks.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.sinks.metrics.MetricPoint;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link PipelineStages#detect} as wired in the job, on a mini cluster. */
class PipelineStagesJobTest {
  /** 2 slots, or parallelism 2 waits for resources forever. */
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  private static final Instant T0 = Instant.parse("2026-11-24T02:00:00Z");

  private static ParkingSensorEvent sensor(String id, long seq, Instant at) {
    return ParkingSensorEvent.newBuilder()
        .setBlockId("b")
        .setSensorId(id)
        .setZoneId("z")
        .setEventTime(at)
        .setSeq(seq)
        .setOccupied(false)
        .setKind(SensorMessageKind.HEARTBEAT)
        .setReceivedAt(at)
        .build();
  }

  @Test
  void countsEventsMissingAndLate_perMinute() throws Exception {
    List<ParkingSensorEvent> parking = new ArrayList<>();
    long n = 0;
    for (long seq : new long[] {1, 2, 3, 4, 5, 106, 107}) { // 6..105 never reached Kafka
      parking.add(sensor("s1", seq, T0.plusMillis(++n * 10)));
    }
    for (long seq = 1; seq <= 20; seq++) {
      parking.add(sensor("s2", seq, T0.plusMillis(++n * 10)));
    }
    parking.add(sensor("s2", 21, T0.plus(Duration.ofMinutes(3)))); // moves event time on
    List<CameraFrame> frames =
        List.of(
            CameraFrame.newBuilder()
                .setBlockId("b")
                .setCameraId("c1")
                .setEventTime(T0.plusSeconds(1))
                .setFrame(7)
                .setObjects(List.of())
                .setReceivedAt(T0.plusSeconds(1))
                .build());
    List<DeadLetter> deadLetters =
        List.of(
            DeadLetter.newBuilder()
                .setStage("detect")
                .setReason("LATE_EVENT")
                .setDetail("late")
                .setSource("t")
                .setPayload(ByteBuffer.wrap(new byte[0]))
                .setReceivedAt(T0.plusSeconds(2))
                .setBlockId("b")
                .setDeviceId("c1")
                .build());

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    // Parallelism 1 up to the tally, as in the job, where the samples are made in the source's own
    // subtask (chained) and a device's messages arrive in their partition's order; a rebalance
    // here would shuffle a device's numbers, which the gap count must not be asked to untangle.
    env.setParallelism(1);
    DataStream<ParkingSensorEvent> parkingStream =
        env.fromData(parking, TypeInformation.of(ParkingSensorEvent.class))
            .setParallelism(1)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<ParkingSensorEvent>forMonotonousTimestamps()
                    .withTimestampAssigner((e, t) -> e.getEventTime().toEpochMilli()));
    DataStream<CameraFrame> frameStream =
        env.fromData(frames, TypeInformation.of(CameraFrame.class))
            .setParallelism(1)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<CameraFrame>forMonotonousTimestamps()
                    .withTimestampAssigner((e, t) -> e.getEventTime().toEpochMilli()));
    DataStream<DeadLetter> deadLetterStream =
        env.fromData(deadLetters, TypeInformation.of(DeadLetter.class))
            .setParallelism(1)
            .assignTimestampsAndWatermarks(
                WatermarkStrategy.<DeadLetter>forMonotonousTimestamps()
                    .withTimestampAssigner((e, t) -> e.getReceivedAt().toEpochMilli()));

    CloseableIterator<MetricPoint> points =
        PipelineStages.detect(
                parkingStream,
                frameStream,
                deadLetterStream,
                Duration.ofMinutes(1),
                Clock.fixed(T0.plusSeconds(5), java.time.ZoneOffset.UTC))
            .collectAsync();
    env.execute("pipeline stages");
    List<MetricPoint> all = new ArrayList<>();
    points.forEachRemaining(all::add);

    assertEquals(2, all.size(), all.toString());
    MetricPoint first = all.get(0);
    assertEquals(T0.plusSeconds(60).toEpochMilli(), first.epochMillis());
    assertEquals(28L, first.fields().get("events"), "27 sensor messages and a frame");
    assertEquals(100L, first.fields().get("missing"));
    assertEquals(1L, first.fields().get("late"));
    assertEquals(0L, first.fields().get("duplicates"));
    assertEquals(1L, all.get(1).fields().get("events"));
  }
}

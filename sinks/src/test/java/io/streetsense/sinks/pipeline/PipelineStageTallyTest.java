package io.streetsense.sinks.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.sinks.metrics.MetricPoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/** The detect stage's {@code pipeline} points, from samples to points, in test harnesses. */
class PipelineStageTallyTest {
  private static final long MINUTE = 60_000;
  private static final long T0 = 1_795_399_200_000L; // a minute boundary

  private static StageSample event(String device, long seq, long lagMs) {
    return new StageSample(device, seq, StageSample.Kind.EVENT, lagMs);
  }

  /** Runs the samples through both halves; returns the points. */
  private static List<MetricPoint> tally(List<StreamRecord<StageSample>> samples, long watermark)
      throws Exception {
    List<StageCounts> perDevice = new ArrayList<>();
    try (var devices =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeviceStageTally(Duration.ofMinutes(1))),
            (StageSample s) -> s.device,
            Types.STRING)) {
      devices.open();
      for (StreamRecord<StageSample> sample : samples) {
        if (sample.getValue() == null) {
          devices.processWatermark(new Watermark(sample.getTimestamp()));
        } else {
          devices.processElement(sample);
        }
      }
      devices.processWatermark(new Watermark(watermark));
      perDevice.addAll(devices.extractOutputValues());
      assertEquals(0, devices.numEventTimeTimers(), "no interval left open");
    }
    try (var totals =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new StageTotals()),
            (StageCounts c) -> PipelineStages.DETECT,
            Types.STRING)) {
      totals.open();
      for (StageCounts counts : perDevice) {
        totals.processElement(new StreamRecord<>(counts, counts.intervalEnd - 1));
      }
      totals.processWatermark(new Watermark(watermark));
      return totals.extractOutputValues();
    }
  }

  @Test
  void countsEventsDuplicatesLateAndDeadLetters_perMinute_overDevices() throws Exception {
    List<StreamRecord<StageSample>> in = new ArrayList<>();
    in.add(new StreamRecord<>(event("b/s1", 1, 40), T0 + 1_000));
    in.add(new StreamRecord<>(event("b/s1", 2, 55), T0 + 2_000));
    in.add(new StreamRecord<>(event("b/s1", 2, 70), T0 + 3_000)); // a QoS 1 redelivery
    in.add(new StreamRecord<>(event("b/c1", 7, 10), T0 + 2_500));
    in.add(new StreamRecord<>(event("b/c1", 8, 10), T0 + MINUTE + 1)); // the next minute
    in.add(new StreamRecord<>(null, T0 + MINUTE + 30_000)); // watermark: minute 1 is done
    // Behind the watermark: the detectors dead-letter it; both count in the current minute.
    in.add(new StreamRecord<>(event("b/c1", 3, 90_000), T0 + 5_000));
    in.add(new StreamRecord<>(new StageSample("b/c1", -1, StageSample.Kind.LATE, -1), T0 + 5_000));
    in.add(
        new StreamRecord<>(
            new StageSample("b/x9", -1, StageSample.Kind.DEAD_LETTER, -1), T0 + MINUTE + 40_000));

    List<MetricPoint> points = tally(in, T0 + 3 * MINUTE);

    assertEquals(2, points.size(), points.toString());
    MetricPoint first = points.get(0);
    assertEquals(T0 + MINUTE, first.epochMillis());
    assertEquals("detect", first.tags().get("stage"));
    assertEquals(4L, first.fields().get("events"));
    assertEquals(1L, first.fields().get("duplicates"));
    assertEquals(0L, first.fields().get("late"));
    assertEquals(70L, first.fields().get("lag_ms"));
    MetricPoint second = points.get(1);
    assertEquals(T0 + 2 * MINUTE, second.epochMillis());
    assertEquals(2L, second.fields().get("events"), "frame 8 and the late frame 3");
    assertEquals(1L, second.fields().get("late"));
    assertEquals(2L, second.fields().get("dead_letters"));
    assertEquals(90_000L, second.fields().get("lag_ms"));
  }

  private static StageSample sensor(long seq) {
    return new StageSample("b/s1", seq, true, StageSample.Kind.EVENT, 0);
  }

  @Test
  void gapsInASensorsSequence_areCountedAsMissing_restartsAndWrapsAreNot() throws Exception {
    List<StreamRecord<StageSample>> in = new ArrayList<>();
    long t = T0;
    for (long seq : new long[] {1, 2, 3, 10, 9, 9, 11}) {
      in.add(new StreamRecord<>(sensor(seq), t += 100)); // 4..8 never came; 9 came late, twice
    }
    in.add(new StreamRecord<>(event("b/c1", 5, 0), t += 100)); // camera frames may skip
    in.add(new StreamRecord<>(event("b/c1", 50, 0), t += 100));
    in.add(new StreamRecord<>(sensor(Integer.MAX_VALUE), T0 + MINUTE + 1)); // a big jump: missing
    in.add(new StreamRecord<>(sensor(0), T0 + MINUTE + 2)); // the counter wrapped
    in.add(new StreamRecord<>(sensor(1), T0 + MINUTE + 3));

    List<MetricPoint> points = tally(in, T0 + 3 * MINUTE);

    assertEquals(5L, points.get(0).fields().get("missing"), "seq 4 to 8");
    assertEquals(1L, points.get(0).fields().get("duplicates"), "the second 9");
    assertEquals(Integer.MAX_VALUE - 12L, points.get(1).fields().get("missing"));
  }

  @Test
  void aSequenceNumberIsADuplicateOnlyWhileRemembered() throws Exception {
    List<StreamRecord<StageSample>> in = new ArrayList<>();
    for (int seq = 0; seq <= DeviceStageTally.REMEMBERED_SEQS; seq++) {
      in.add(new StreamRecord<>(event("b/s1", seq, 0), T0 + seq));
    }
    in.add(new StreamRecord<>(event("b/s1", 1, 0), T0 + 500)); // still remembered
    in.add(new StreamRecord<>(event("b/s1", 0, 0), T0 + 501)); // forgotten: 65 newer ones
    List<MetricPoint> points = tally(in, T0 + MINUTE);
    assertEquals(1L, points.get(0).fields().get("duplicates"));
  }

  /** The tally's per-device state as it was kept before the window: the last 64 numbers. */
  private static final class LegacyTally extends KeyedProcessFunction<String, StageSample, Void> {
    @Override
    public void processElement(StageSample sample, Context ctx, Collector<Void> out)
        throws Exception {
      ValueState<List<Long>> recent =
          getRuntimeContext()
              .getState(new ValueStateDescriptor<>("recent-seqs", Types.LIST(Types.LONG)));
      ValueState<Long> highest =
          getRuntimeContext().getState(new ValueStateDescriptor<>("highest-seq", Types.LONG));
      List<Long> seqs = recent.value() == null ? new ArrayList<>() : recent.value();
      seqs.add(sample.seq);
      recent.update(seqs);
      highest.update(sample.seq);
    }
  }

  @Test
  void stateOfTheListShape_carriesOverIntoTheWindow_andIsDropped() throws Exception {
    OperatorSubtaskState legacy;
    try (var old =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new LegacyTally()),
            (StageSample s) -> s.device,
            Types.STRING)) {
      old.open();
      for (long seq = 100; seq <= 110; seq++) {
        old.processElement(new StreamRecord<>(sensor(seq), T0 + seq));
      }
      legacy = old.snapshot(1, T0 + 200);
    }
    try (var devices =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DeviceStageTally(Duration.ofMinutes(1))),
            (StageSample s) -> s.device,
            Types.STRING)) {
      devices.initializeState(legacy);
      devices.open();
      assertEquals(2, devices.numKeyedStateEntries(), "the two states of the list shape");
      devices.processElement(new StreamRecord<>(sensor(105), T0 + 300)); // remembered
      devices.processElement(new StreamRecord<>(sensor(112), T0 + 301)); // 111 never came
      assertEquals(
          2, devices.numKeyedStateEntries(), "the window and the open interval, nothing else");
      devices.processWatermark(new Watermark(T0 + MINUTE));
      StageCounts counts = devices.extractOutputValues().get(0);
      assertEquals(2, counts.events);
      assertEquals(1, counts.duplicates, "105 was among the restored numbers");
      assertEquals(1, counts.missing, "111, after the restored highest 110");
    }
  }
}

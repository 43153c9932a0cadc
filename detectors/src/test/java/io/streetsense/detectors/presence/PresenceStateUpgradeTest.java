package io.streetsense.detectors.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * A job upgraded from a savepoint of the presence detector as it was released before its state was
 * made compact (2026-12-06: a window of every frame of the last dwell per camera). The snapshot in
 * {@code src/test/resources/legacy-state} was written by that operator after 250 s of jiashan-lane:
 * a stall in JS-Z-NV1 seen by JS-C-01 from 0 s (OPENED at 180 s, UPDATED at 240 s) and by JS-C-02
 * from 100 s, and goods in front of JS-S-01 (JS-Z-F01) from 100 s, not yet open (5 min dwell).
 *
 * <p>After the restore the open violation goes on under its id, never opens again, and clears when
 * the stall leaves; the goods, whose partial dwell the old state held, open once.
 */
class PresenceStateUpgradeTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final String SNAPSHOT =
      "src/test/resources/legacy-state/presence-detector-2026-12-06.snapshot";

  @Test
  void aSavepointOfTheFrameWindowState_restores_andTheOpenViolationGoesOnUnderItsId()
      throws Exception {
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    OperatorSubtaskState legacy = OperatorSnapshotUtil.readStateHandle(SNAPSHOT);
    try (var harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new PresenceDetector(BlockMaps.of(jiashan), DetectorConfig.defaults())),
            ZoneObservation::zoneKey,
            Types.STRING)) {
      harness.initializeState(legacy);
      harness.open();
      for (int s = 250; s < 1300; s++) {
        long t = T0 + s * 1000L;
        List<Sighting> stall =
            s < 600 ? List.of(new Sighting("7", "stall", 0.9, 0.46, 0.80, 0.08, 0.10)) : List.of();
        send(harness, new ZoneObservation("jiashan-lane", "JS-Z-NV1", "JS-C-01", t, s, stall));
        send(
            harness,
            new ZoneObservation(
                "jiashan-lane",
                "JS-Z-NV1",
                "JS-C-02",
                t + 300,
                s,
                s < 600
                    ? List.of(new Sighting("44", "stall", 0.9, 0.66, 0.85, 0.08, 0.10))
                    : List.of()));
        send(
            harness,
            new ZoneObservation(
                "jiashan-lane",
                "JS-Z-F01",
                "JS-C-01",
                t,
                s,
                s < 900
                    ? List.of(new Sighting("40", "goods", 0.9, 0.09, 0.65, 0.06, 0.05))
                    : List.of()));
        harness.processWatermark(new Watermark(t - 5_001));
      }
      harness.processWatermark(new Watermark(Long.MAX_VALUE - 1));

      List<ViolationEvent> events = harness.extractOutputValues();
      List<ViolationEvent> stall =
          events.stream().filter(e -> e.getZoneId().equals("JS-Z-NV1")).toList();
      assertEquals(
          List.of("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL/" + T0),
          stall.stream().map(ViolationEvent::getViolationId).distinct().toList(),
          "the violation open at the savepoint goes on under its id");
      assertEquals(0, count(stall, ViolationEventKind.OPENED), kinds(stall));
      assertEquals(1, count(stall, ViolationEventKind.CLEARED), kinds(stall));
      assertEquals(
          2,
          stall.get(0).getEvidence().getCameras().size(),
          "both cameras that located it: " + stall.get(0).getEvidence());

      List<ViolationEvent> goods =
          events.stream().filter(e -> e.getZoneId().equals("JS-Z-F01")).toList();
      assertEquals(1, count(goods, ViolationEventKind.OPENED), kinds(goods));
      assertEquals(1, count(goods, ViolationEventKind.CLEARED), kinds(goods));
      assertEquals(0, harness.numKeyedStateEntries(), "quiet zones hold nothing");
    }
  }

  private static long count(List<ViolationEvent> events, ViolationEventKind kind) {
    return events.stream().filter(e -> e.getKind() == kind).count();
  }

  private static String kinds(List<ViolationEvent> events) {
    return events.stream()
        .map(e -> e.getKind() + "@" + (e.getEventTime().toEpochMilli() - T0) / 1000)
        .collect(Collectors.joining(", "));
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, ZoneObservation, ViolationEvent> harness,
      ZoneObservation observation)
      throws Exception {
    harness.processElement(new StreamRecord<>(observation, observation.eventTime));
  }
}

package io.streetsense.detectors.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A job upgraded from a savepoint of the presence detector as it was keyed by zone (uid {@code
 * presence-detector}, released until 2026-12-06). The snapshot in {@code
 * src/test/resources/legacy-state} were written by that operator in both its shapes — a window of
 * every frame of the last dwell per camera, then bucket counts (both 2026-12-06) — after 250 s of
 * jiashan-lane: a stall in JS-Z-NV1 seen by JS-C-01 from 0 s (OPENED at 180 s, UPDATED at 240 s)
 * and by JS-C-02 from 100 s, and goods in front of JS-S-01 (JS-Z-F01) from 100 s, not yet open (5
 * min dwell).
 *
 * <p>The handover operator restores it under the old uid and passes every zone's state and every
 * waiting observation to the block-keyed detector ahead of its first watermark. After that the open
 * violation goes on under its id, never opens again, and clears when the stall leaves; the goods,
 * whose partial dwell the old state held, open once (with the frame-window shape each camera's
 * dwell starts again from its first frame after the restore: the frames are not carried over).
 *
 * <p>The bucket snapshot was written by the zone-keyed detector of commit 730013e's parent, fed the
 * same street through a one-input harness, and {@code OperatorSnapshotUtil.writeStateHandle}.
 */
class PresenceStateUpgradeTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final String SNAPSHOTS = "src/test/resources/legacy-state/";
  private static final String BLOCK = "jiashan-lane";

  @ParameterizedTest
  @ValueSource(
      strings = {
        "presence-detector-2026-12-06.snapshot",
        "presence-by-zone-buckets-2026-12-06.snapshot"
      })
  void aSavepointOfTheZoneKeyedDetector_isHandedOver_andTheOpenViolationGoesOnUnderItsId(
      String snapshot) throws Exception {
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file(BLOCK));
    OperatorSubtaskState legacy = OperatorSnapshotUtil.readStateHandle(SNAPSHOTS + snapshot);

    List<PresenceHandover> handedOver;
    try (var old =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new ZoneKeyedPresenceHandover(), PresenceDetector::blockKey, Types.STRING)) {
      old.initializeState(legacy);
      old.open();
      old.processWatermark(new Watermark(T0 + 244_999));
      handedOver = old.extractOutputValues();
      assertEquals(0, old.numKeyedStateEntries(), "the old state is cleared once handed over");
      // The handover comes ahead of the watermark that triggered it.
      List<Object> output = new ArrayList<>(old.getOutput());
      assertTrue(output.get(output.size() - 1) instanceof Watermark, "" + output);
    }
    assertEquals(
        List.of("JS-Z-F01", "JS-Z-NV1"),
        handedOver.stream()
            .filter(h -> h.state != null)
            .map(h -> h.zoneId)
            .sorted()
            .collect(Collectors.toList()),
        "one state per zone that was not quiet");

    try (var harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new PresenceDetector(BlockMaps.of(jiashan), DetectorConfig.defaults())),
            PresenceDetector::blockKey,
            PresenceHandover::blockKey,
            Types.STRING)) {
      harness.open();
      for (PresenceHandover handover : handedOver) {
        harness.processElement2(new StreamRecord<>(handover));
      }
      for (int s = 250; s < 1300; s++) {
        long t = T0 + s * 1000L;
        List<Sighting> northCamera = new ArrayList<>();
        if (s < 600) {
          northCamera.add(new Sighting("7", "stall", 0.9, 0.46, 0.80, 0.08, 0.10));
        }
        if (s < 900) {
          northCamera.add(new Sighting("40", "goods", 0.9, 0.09, 0.65, 0.06, 0.05));
        }
        send(harness, CameraFrames.frame(BLOCK, "JS-C-01", t, s, northCamera));
        send(
            harness,
            CameraFrames.frame(
                BLOCK,
                "JS-C-02",
                t + 300,
                s,
                s < 600
                    ? List.of(new Sighting("44", "stall", 0.9, 0.66, 0.85, 0.08, 0.10))
                    : List.of()));
        harness.processBothWatermarks(new Watermark(t - 5_001));
      }
      harness.processBothWatermarks(new Watermark(Long.MAX_VALUE - 1));

      List<ViolationEvent> events = harness.extractOutputValues();
      List<ViolationEvent> stall =
          events.stream().filter(e -> e.getZoneId().equals("JS-Z-NV1")).toList();
      assertEquals(
          List.of("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL/" + T0),
          stall.stream().map(ViolationEvent::getViolationId).distinct().toList(),
          "the violation open at the savepoint goes on under its id");
      assertEquals(0, count(stall, ViolationEventKind.OPENED), kinds(stall));
      assertEquals(1, count(stall, ViolationEventKind.CLEARED), kinds(stall));
      // Each camera starts its dwell again after the upgrade: JS-C-02, which had seen the stall for
      // 150 s, locates it again a dwell after the restore, before the stall leaves.
      ViolationEvent lastUpdate = stall.get(stall.size() - 2);
      assertEquals(
          2,
          lastUpdate.getEvidence().getCameras().size(),
          "both cameras locate it: " + lastUpdate.getEvidence());

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
      KeyedTwoInputStreamOperatorTestHarness<String, CameraFrame, PresenceHandover, ViolationEvent>
          harness,
      CameraFrame frame)
      throws Exception {
    harness.processElement1(new StreamRecord<>(frame, frame.getEventTime().toEpochMilli()));
  }
}

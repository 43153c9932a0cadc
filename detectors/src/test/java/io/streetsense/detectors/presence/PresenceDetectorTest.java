package io.streetsense.detectors.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.IntFunction;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.co.KeyedCoProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The presence detector on jiashan-lane's no-vending lane JS-Z-NV1 (illegal_stall: dwell 3 min,
 * presence 0.6, max_drift 0.03; verify clear_for 5 min), seen by cameras JS-C-01 and JS-C-02.
 */
class PresenceDetectorTest {
  private static final BlockMap JIASHAN =
      BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  private static final long T0 =
      Instant.parse("2026-11-23T02:00:00Z").toEpochMilli(); // 10:00 local
  private static final long SECOND = 1000;
  private static final String NV1 = "JS-Z-NV1";

  private KeyedTwoInputStreamOperatorTestHarness<
          String, CameraFrame, PresenceHandover, ViolationEvent>
      harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new PresenceDetector(BlockMaps.of(JIASHAN), DetectorConfig.defaults())),
            PresenceDetector::blockKey,
            PresenceHandover::blockKey,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  /** A frame of the camera at T0 + second; its objects stand on the lane (zone NV1). */
  private static CameraFrame frame(String camera, int second, Sighting... sightings) {
    return CameraFrames.frame(
        "jiashan-lane", camera, T0 + second * SECOND, second, List.of(sightings));
  }

  /** A stall whose ground point is (x, y): a box of 0.08 x 0.10 standing on that point. */
  private static Sighting stall(String track, double x, double y) {
    return new Sighting(track, "stall", 0.9, x - 0.04, y - 0.10, 0.08, 0.10);
  }

  /** One frame a second for [from, to) seconds on one camera, objects chosen per second. */
  private static List<CameraFrame> seconds(
      String camera, int from, int to, IntFunction<List<Sighting>> objects) {
    List<CameraFrame> frames = new ArrayList<>();
    for (int s = from; s < to; s++) {
      frames.add(frame(camera, s, objects.apply(s).toArray(new Sighting[0])));
    }
    return frames;
  }

  private List<ViolationEvent> run(List<CameraFrame> input, long watermarkAtEnd) throws Exception {
    long maxSeen = Long.MIN_VALUE;
    for (CameraFrame frame : input) {
      long eventTime = frame.getEventTime().toEpochMilli();
      harness.processElement1(new StreamRecord<>(frame, eventTime));
      maxSeen = Math.max(maxSeen, eventTime);
      harness.processBothWatermarks(new Watermark(maxSeen - 5 * SECOND - 1));
    }
    harness.processBothWatermarks(new Watermark(watermarkAtEnd));
    return harness.extractOutputValues();
  }

  private static List<ViolationEventKind> kinds(List<ViolationEvent> events) {
    return events.stream().map(ViolationEvent::getKind).collect(Collectors.toList());
  }

  @Test
  void stallStandingForTheDwell_opensOneViolation_atTheDwell() throws Exception {
    List<ViolationEvent> events =
        run(seconds("JS-C-01", 0, 200, s -> List.of(stall("7", 0.50, 0.90))), Long.MAX_VALUE - 1);

    ViolationEvent opened = events.get(0);
    assertEquals(ViolationEventKind.OPENED, opened.getKind());
    assertEquals(ViolationType.ILLEGAL_STALL, opened.getType());
    assertEquals(NV1, opened.getZoneId());
    assertEquals(Instant.ofEpochMilli(T0), opened.getDetectedAt());
    assertEquals(Instant.ofEpochMilli(T0 + 180 * SECOND), opened.getEventTime());
    assertEquals("JS-C-01", opened.getEvidence().getCameras().get(0).getCameraId());
    assertEquals(List.of("7"), opened.getEvidence().getCameras().get(0).getTracks());
    assertEquals(1, kinds(events).stream().filter(k -> k == ViolationEventKind.OPENED).count());
  }

  @Test
  void stallLeavingJustBeforeTheDwell_opensNothing() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    input.addAll(seconds("JS-C-01", 0, 179, s -> List.of(stall("7", 0.50, 0.90))));
    input.addAll(seconds("JS-C-01", 179, 400, s -> List.of()));
    assertEquals(List.of(), run(input, Long.MAX_VALUE - 1));
  }

  @Test
  void flickerBelowPresence_opensNothing_andAbove_opens() throws Exception {
    // Seen in 1 frame of 2 (0.5 < 0.6).
    List<ViolationEvent> below =
        run(
            seconds("JS-C-01", 0, 400, s -> s % 2 == 0 ? List.of(stall("7", 0.5, 0.9)) : List.of()),
            Long.MAX_VALUE - 1);
    assertEquals(List.of(), below);

    // Seen in 4 frames of 5 (0.8 >= 0.6): the 20 % of missed frames do not stop it.
    tearDown();
    setUp();
    List<ViolationEvent> above =
        run(
            seconds("JS-C-01", 0, 400, s -> s % 5 == 0 ? List.of() : List.of(stall("7", 0.5, 0.9))),
            Long.MAX_VALUE - 1);
    assertEquals(ViolationEventKind.OPENED, above.get(0).getKind());
  }

  @Test
  void vendorMovingThroughTheLane_isNotAStall() throws Exception {
    // Drifts 0.002 a second: stays within 0.03 of any point for only 30 s.
    List<ViolationEvent> events =
        run(
            seconds("JS-C-01", 0, 400, s -> List.of(stall("7", 0.05 + 0.002 * s, 0.90))),
            Long.MAX_VALUE - 1);
    assertEquals(List.of(), events);
  }

  @Test
  void vendorStoppingForAMinute_isNotAStall() throws Exception {
    List<ViolationEvent> events =
        run(
            seconds(
                "JS-C-01",
                0,
                400,
                s ->
                    List.of(
                        stall(
                            "7",
                            s < 100 ? 0.1 + 0.004 * s : s < 160 ? 0.5 : 0.5 + 0.004 * (s - 160),
                            0.90))),
            Long.MAX_VALUE - 1);
    assertEquals(List.of(), events);
  }

  @Test
  void cartStoppingTwoMinutes_inALaneTheCameraAlreadyWatches_isNotAStall() throws Exception {
    // A vendor walks through the lane (the zone is active, the camera's dwell has begun), then a
    // cart stops for 2 minutes of the 3-minute dwell. Seen in every frame of those 2 minutes, it
    // fills 2/3 of the last dwell's frames, over presence 0.6: but it was not there a dwell ago.
    List<ViolationEvent> events =
        run(
            seconds(
                "JS-C-01",
                0,
                500,
                s ->
                    s < 60
                        ? List.of(stall("9", 0.10 + 0.005 * s, 0.90))
                        : s >= 100 && s < 220 ? List.of(stall("7", 0.5, 0.9)) : List.of()),
            Long.MAX_VALUE - 1);
    assertEquals(List.of(), events);
  }

  @Test
  void trackerIdSwitch_keepsOneViolation() throws Exception {
    List<ViolationEvent> events =
        run(
            seconds("JS-C-01", 0, 300, s -> List.of(stall(s < 100 ? "7" : "912", 0.5, 0.9))),
            Long.MAX_VALUE - 1);
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
    assertEquals(List.of("7", "912"), events.get(0).getEvidence().getCameras().get(0).getTracks());
    assertEquals(1, kinds(events).stream().filter(k -> k == ViolationEventKind.OPENED).count());
  }

  @Test
  void twoCamerasOnOneStall_makeOneViolation() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    for (int s = 0; s < 400; s++) {
      input.add(frame("JS-C-01", s, stall("7", 0.30, 0.90)));
      input.add(frame("JS-C-02", s, stall("44", 0.70, 0.95)));
    }
    List<ViolationEvent> events = run(input, Long.MAX_VALUE - 1);
    assertEquals(1, kinds(events).stream().filter(k -> k == ViolationEventKind.OPENED).count());
    ViolationEvent latest = events.get(events.size() - 1);
    assertEquals(2, latest.getEvidence().getCameras().size(), "both cameras in the evidence");
  }

  @Test
  void stallLeaving_clearsAfterTheVerifyTime_andStateGoesBackToNothing() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    input.addAll(seconds("JS-C-01", 0, 600, s -> List.of(stall("7", 0.5, 0.9))));
    input.addAll(seconds("JS-C-01", 600, 1300, s -> List.of()));
    List<ViolationEvent> events = run(input, T0 + 1300 * SECOND);

    ViolationEvent cleared = events.get(events.size() - 1);
    assertEquals(ViolationEventKind.CLEARED, cleared.getKind());
    // Last seen at 599 s; clear after 5 min of watched absence.
    assertEquals(Instant.ofEpochMilli(T0 + (599 + 300) * SECOND), cleared.getEventTime());
    assertEquals(1, kinds(events).stream().filter(k -> k == ViolationEventKind.CLEARED).count());
    assertTrue(
        kinds(events).contains(ViolationEventKind.UPDATED), "evidence grows while it stands");

    assertEquals(0, harness.numKeyedStateEntries(), "a quiet zone keeps no state");
    assertEquals(0, harness.numEventTimeTimers(), "and no timers");
  }

  @Test
  void cameraOfflineMidViolation_neverClears_untilWatchedAgain() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    input.addAll(seconds("JS-C-01", 0, 300, s -> List.of(stall("7", 0.5, 0.9))));
    // Camera silent from 300 s to 1500 s (20 min): no evidence either way.
    input.addAll(seconds("JS-C-01", 1500, 1700, s -> List.of()));
    List<ViolationEvent> events = run(input, T0 + 1700 * SECOND);
    assertEquals(
        List.of(ViolationEventKind.OPENED, ViolationEventKind.UPDATED),
        kinds(events).subList(0, 2));
    assertTrue(
        !kinds(events).contains(ViolationEventKind.CLEARED),
        "200 s of watched absence after the outage is less than the 5 min verify time");

    List<ViolationEvent> later =
        run(seconds("JS-C-01", 1700, 1900, s -> List.of()), T0 + 1900 * SECOND);
    ViolationEvent cleared = later.get(later.size() - 1);
    assertEquals(ViolationEventKind.CLEARED, cleared.getKind());
    assertEquals(Instant.ofEpochMilli(T0 + 1800 * SECOND), cleared.getEventTime());
  }

  @Test
  void cameraThatSawTheStallGoingOffline_isNotClearedByACameraThatNeverSawIt() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    for (int s = 0; s < 1500; s++) {
      if (s < 300) {
        input.add(frame("JS-C-01", s, stall("7", 0.5, 0.9)));
      }
      // JS-C-02 watches the lane all along but the stall is hidden from it (behind a van).
      input.add(frame("JS-C-02", s));
    }
    List<ViolationEvent> events = run(input, T0 + 1499 * SECOND);
    assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
    assertTrue(
        !kinds(events).contains(ViolationEventKind.CLEARED),
        "JS-C-01 has been offline since 300 s: no camera that located the stall saw it leave");
    assertTrue(harness.numKeyedStateEntries() > 0, "the open violation is kept");

    // JS-C-01 comes back and sees the lane clear for the verify time.
    List<CameraFrame> back = new ArrayList<>();
    for (int s = 1500; s < 1900; s++) {
      back.add(frame("JS-C-01", s));
      back.add(frame("JS-C-02", s));
    }
    List<ViolationEvent> later = run(back, T0 + 1900 * SECOND);
    ViolationEvent cleared = later.get(later.size() - 1);
    assertEquals(ViolationEventKind.CLEARED, cleared.getKind());
    assertEquals(Instant.ofEpochMilli(T0 + 1800 * SECOND), cleared.getEventTime());
  }

  @Test
  void lateFrame_goesToTheSideOutput_notTheDecision() throws Exception {
    run(seconds("JS-C-01", 0, 100, s -> List.of(stall("7", 0.5, 0.9))), T0 + 100 * SECOND);
    harness.processElement1(new StreamRecord<>(frame("JS-C-01", 10), T0 + 10 * SECOND));
    assertEquals(1, harness.getSideOutput(LateEvents.TAG).size());
    assertEquals(
        DeadLetterReason.LATE_EVENT.name(),
        harness.getSideOutput(LateEvents.TAG).peek().getValue().getReason());
  }

  @Test
  void sameInputShuffledWithinTheOutOfOrderness_givesIdenticalEvents() throws Exception {
    List<CameraFrame> input = new ArrayList<>();
    Random noise = new Random(42);
    for (int s = 0; s < 1200; s++) {
      boolean present = s >= 100 && s < 700 && noise.nextDouble() > 0.2;
      input.add(
          frame(
              "JS-C-01",
              s,
              present ? new Sighting[] {stall(s < 400 ? "7" : "8", 0.5, 0.9)} : new Sighting[0]));
      input.add(
          frame("JS-C-02", s, present ? new Sighting[] {stall("2", 0.6, 0.95)} : new Sighting[0]));
    }
    List<ViolationEvent> inOrder = run(input, Long.MAX_VALUE - 1);

    tearDown();
    setUp();
    List<CameraFrame> shuffled = shuffleWithinSeconds(input, 4, new Random(7));
    List<ViolationEvent> outOfOrder = run(shuffled, Long.MAX_VALUE - 1);

    assertEquals(
        List.of(ViolationEventKind.OPENED, ViolationEventKind.UPDATED),
        kinds(inOrder).subList(0, 2));
    assertEquals(inOrder, outOfOrder);
  }

  /**
   * Shuffles inside consecutive chunks of `seconds` seconds: out of order, but within the bound.
   */
  private static List<CameraFrame> shuffleWithinSeconds(
      List<CameraFrame> input, int seconds, Random random) {
    List<CameraFrame> out = new ArrayList<>();
    List<CameraFrame> chunk = new ArrayList<>();
    long chunkStart = input.get(0).getEventTime().toEpochMilli();
    for (CameraFrame frame : input) {
      long eventTime = frame.getEventTime().toEpochMilli();
      if (eventTime - chunkStart >= seconds * SECOND) {
        Collections.shuffle(chunk, random);
        out.addAll(chunk);
        chunk.clear();
        chunkStart = eventTime;
      }
      chunk.add(frame);
    }
    Collections.shuffle(chunk, random);
    out.addAll(chunk);
    return out;
  }
}

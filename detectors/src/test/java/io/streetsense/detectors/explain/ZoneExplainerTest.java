package io.streetsense.detectors.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.explain.Explanation.Kind;
import io.streetsense.detectors.explain.Explanation.Line;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link ZoneExplainer} on constructed jiashan-lane streets (Monday 2026-11-23 10:00 Shanghai): the
 * no-vending lane JS-Z-NV1 (JS-C-01, JS-C-02; illegal stall: dwell 3 min, presence 0.6, clear 5
 * min) and the parking zone JS-Z-P1 (8 berths JS-P-01..08, kerb JS-Z-NP1 seen by JS-C-03; overflow:
 * 8 occupied and 2 vehicles for 10 min).
 */
class ZoneExplainerTest {
  private static final String BLOCK = "jiashan-lane";
  private static final Instant T0 = Instant.parse("2026-11-23T02:00:00Z");
  private static final BlockMap JIASHAN = BlockMapLoader.load(RepositoryBlockMaps.file(BLOCK));

  private final List<CameraFrame> frames = new ArrayList<>();
  private final List<ParkingSensorEvent> sensors = new ArrayList<>();

  @Test
  void aStallThatStands_opensAtTheDwell_andTheVerdictSaysWhen() {
    for (int s = 0; s < 900; s++) {
      List<DetectedObject> c1 = new ArrayList<>();
      if (s >= 60 && s < 600) {
        c1.add(object("17", "stall", 0.50, 0.90, 0.08, 0.10));
      }
      frame("JS-C-01", s, c1);
      frame("JS-C-02", s, List.of());
    }
    frame("JS-C-01", 100, List.of(object("17", "stall", 0.50, 0.90, 0.08, 0.10))); // a copy

    Explanation explanation = explain("JS-Z-NV1", 0, 900);
    String text = explanation.toText();
    System.out.println(text);

    // The stall stands from 10:01:00; one camera has watched it for the 3 min dwell at 10:04:00.
    Line opened = only(explanation, Kind.EVENT, "OPENED");
    assertEquals(T0.plusSeconds(240), opened.at().truncatedTo(ChronoUnit.SECONDS), text);
    assertTrue(opened.text().contains("detected 10:01:00"), text);
    assertTrue(
        explanation.verdict().startsWith("order: the ILLEGAL_STALL violation OPENED at 10:04:00"),
        explanation.verdict());
    // Last seen at 10:09:59, then seen clear for 5 min by the camera that located it.
    Line cleared = only(explanation, Kind.EVENT, "CLEARED");
    assertEquals(T0.plusSeconds(599 + 300), cleared.at().truncatedTo(ChronoUnit.SECONDS), text);
    assertTrue(explanation.verdict().contains("CLEARED at 10:14:59"), explanation.verdict());
    // The change lines say what changed: the candidate reaching the presence, the violation.
    assertTrue(text.contains("presence 1.00"), text);
    assertTrue(text.contains("1 duplicate frames"), text);
    assertTrue(explanation.toJson().lines().allMatch(l -> l.startsWith("{") && l.endsWith("}")));
  }

  @Test
  void vehiclesThatDoNotStandLongEnough_noOrder_andTheVerdictSaysHowLongTheyStood() {
    fullBerths();
    // Cars stop on the kerb for 10 s each, one after another, each at its own spot.
    for (int s = 0; s < 1200; s++) {
      List<DetectedObject> c3 = new ArrayList<>();
      int car = s / 40;
      if (s % 40 < 10) {
        c3.add(object("c" + car, "vehicle", 0.65 + 0.01 * (car % 30), 0.80, 0.12, 0.10));
      }
      frame("JS-C-03", s, c3);
    }
    Explanation explanation = explain("JS-Z-P1", 0, 1200);
    String text = explanation.toText();
    System.out.println(text);

    assertTrue(explanation.events().isEmpty(), text);
    assertTrue(
        explanation.verdict().startsWith("no order: the condition never held."),
        explanation.verdict());
    assertTrue(
        explanation.verdict().contains("full enough (8 of 8 occupied)"), explanation.verdict());
    assertTrue(
        explanation
            .verdict()
            .contains(
                "none stood long enough: the longest stood 24 s of 30 (seen over 9 s at most"),
        explanation.verdict());
    assertTrue(text.contains("does not count: not standing long enough: stood"), text);
  }

  @Test
  void twoCarsForSevenMinutes_noOrder_theConditionHeldSevenMinutesOfTen() {
    fullBerths();
    for (int s = 0; s < 1200; s++) {
      List<DetectedObject> c3 = new ArrayList<>();
      if (s >= 60 && s < 510) {
        c3.add(object("31", "vehicle", 0.70, 0.80, 0.12, 0.10));
        c3.add(object("32", "vehicle", 0.88, 0.82, 0.12, 0.10));
      }
      frame("JS-C-03", s, c3);
    }
    Explanation explanation = explain("JS-Z-P1", 0, 1200);
    String text = explanation.toText();
    System.out.println(text);

    assertTrue(explanation.events().isEmpty(), text);
    // Both count from 10:01:30 (standing 30 s) until 45 s after the last sighting at 10:08:29.
    assertTrue(
        explanation
            .verdict()
            .startsWith(
                "no order: both parts held together for 7 min 44 s at most (from 10:01:30 to"
                    + " 10:09:14); the rule needs 10 min"),
        explanation.verdict());
    assertTrue(
        explanation.verdict().contains("the kerb count fell to 0 of 2"), explanation.verdict());
    assertTrue(text.contains("counts: stood"), text);
  }

  @Test
  void aCameraThatKeepsDroppingOut_neverWatchesForTheDwell_noOrder() {
    for (int s = 0; s < 900; s++) {
      // JS-C-01 sends 100 s of frames, then is silent for 90 s (over the 60 s offline limit).
      if (s % 190 < 100) {
        frame("JS-C-01", s, List.of(object("17", "stall", 0.50, 0.90, 0.08, 0.10)));
      }
      frame("JS-C-02", s, List.of());
    }
    Explanation explanation = explain("JS-Z-NV1", 0, 900);
    String text = explanation.toText();
    System.out.println(text);

    assertTrue(explanation.events().isEmpty(), text);
    assertTrue(text.contains("JS-C-01 OFFLINE (silent"), text);
    assertTrue(
        explanation
            .verdict()
            .contains("but no camera watched the zone for the whole 3 min dwell without an outage"),
        explanation.verdict());
  }

  @Test
  @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
  void anOverflowStillOpenWhenTheRecordsEnd_endsTheReplay() {
    // The cars stand to the end of the window: the violation opens and nothing ever witnesses it
    // clear, so the state stays; its housekeeping must not tick on past the window for ever.
    fullBerths();
    for (int s = 0; s < 1200; s++) {
      frame(
          "JS-C-03",
          s,
          List.of(
              object("31", "vehicle", 0.70, 0.80, 0.12, 0.10),
              object("32", "vehicle", 0.88, 0.82, 0.12, 0.10)));
    }
    Explanation explanation = explain("JS-Z-P1", 0, 1200);
    assertTrue(
        explanation.verdict().startsWith("order: PARKING_OVERFLOW OPENED"), explanation.verdict());
  }

  @Test
  void aCartOnTheMarketPitchDuringMarketHours_isLegal_noOrder_andTheVerdictSaysSo() {
    // JS-Z-M1 is a market on SAT and SUN 16:00-21:00; 2026-11-28 is a Saturday. A cart stands
    // on the pitch (JS-C-03) from 16:30 to 16:50 Shanghai time, all within the market's hours.
    Instant saturday = Instant.parse("2026-11-28T08:30:00Z");
    List<CameraFrame> pitch = new ArrayList<>();
    for (int s = 0; s < 1200; s++) {
      Instant time = saturday.plusSeconds(s);
      pitch.add(
          CameraFrame.newBuilder()
              .setBlockId(BLOCK)
              .setCameraId("JS-C-03")
              .setEventTime(time)
              .setFrame(s)
              .setObjects(new ArrayList<>(List.of(object("9", "cart", 0.30, 0.70, 0.08, 0.10))))
              .setReceivedAt(time.plusMillis(40))
              .build());
    }
    ZoneExplainer explainer =
        new ZoneExplainer(
            JIASHAN,
            "JS-Z-M1",
            DetectorConfig.defaults(),
            saturday,
            saturday.plusSeconds(1200),
            Duration.ofMinutes(5));
    pitch.forEach(explainer::offer);
    Explanation explanation = explainer.explain();
    String text = explanation.toText();
    System.out.println(text);

    assertTrue(explanation.events().isEmpty(), text);
    assertTrue(text.contains("legal now (market hours): objects count as clear"), text);
    assertTrue(
        explanation.verdict().startsWith("no order: objects were there only while legal"),
        explanation.verdict());
  }

  @Test
  void arrivalOrderDoesNotMatter() {
    for (int s = 0; s < 600; s++) {
      frame(
          "JS-C-01", s, s >= 30 ? List.of(object("17", "stall", 0.5, 0.9, 0.08, 0.1)) : List.of());
      frame("JS-C-02", s, List.of());
    }
    String inOrder = explain("JS-Z-NV1", 0, 600).toText();
    Collections.shuffle(frames, new Random(7));
    assertEquals(inOrder, explain("JS-Z-NV1", 0, 600).toText());
  }

  @Test
  void aKerbIsNotAZoneToExplain_itsParkingZoneIsNamed() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> explain("JS-Z-NP1", 0, 60));
    assertTrue(e.getMessage().contains("parking zone JS-Z-P1"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> explain("JS-Z-NOPE", 0, 60));
  }

  @Test
  void recordsOutsideTheReplayOrOfOtherDevices_areNotUsed() {
    ZoneExplainer explainer =
        new ZoneExplainer(
            JIASHAN,
            "JS-Z-NV1",
            DetectorConfig.defaults(),
            T0,
            T0.plusSeconds(600),
            Duration.ofMinutes(1));
    // 3 min dwell, 5 min clear time: 5 + 2 min before the window.
    assertEquals(T0.minus(Duration.ofMinutes(7)), explainer.replayFrom());
    frame("JS-C-03", 10, List.of());
    assertFalse(explainer.offer(frames.get(0)), "JS-C-03 does not see the lane");
    frames.clear();
    frame("JS-C-01", -8 * 60, List.of());
    assertFalse(explainer.offer(frames.get(0)), "before the replay");
    assertEquals(
        T0.minus(Duration.ofMinutes(32)),
        new ZoneExplainer(
                JIASHAN,
                "JS-Z-P1",
                DetectorConfig.defaults(),
                T0,
                T0.plusSeconds(600),
                Duration.ofMinutes(1))
            .replayFrom(),
        "overflow: a berth sensor stays online 30 min without a message");
  }

  private Explanation explain(String zone, int fromSecond, int toSecond) {
    ZoneExplainer explainer =
        new ZoneExplainer(
            JIASHAN,
            zone,
            DetectorConfig.defaults(),
            T0.plusSeconds(fromSecond),
            T0.plusSeconds(toSecond),
            Duration.ofMinutes(5));
    frames.forEach(explainer::offer);
    sensors.forEach(explainer::offer);
    return explainer.explain();
  }

  private static Line only(Explanation explanation, Kind kind, String text) {
    List<Line> lines =
        explanation.lines().stream()
            .filter(l -> l.kind() == kind && l.text().startsWith(text))
            .toList();
    assertEquals(1, lines.size(), explanation.toText());
    assertTrue(
        explanation.events().stream()
            .anyMatch(e -> e.getKind() == ViolationEventKind.valueOf(text)),
        explanation.toText());
    return lines.get(0);
  }

  /** Every berth of JS-Z-P1 occupied from 10:00:00, with heartbeats every 10 min. */
  private void fullBerths() {
    for (int n = 1; n <= 12; n++) {
      long seq = 0;
      for (int s = 0; s < 1800; s += 600) {
        String id = String.format("JS-P-%02d", n);
        Instant time = T0.plusSeconds(s).plusMillis(n);
        sensors.add(
            ParkingSensorEvent.newBuilder()
                .setBlockId(BLOCK)
                .setSensorId(id)
                .setZoneId(n <= 8 ? "JS-Z-P1" : "JS-Z-P2")
                .setEventTime(time)
                .setSeq(++seq)
                .setOccupied(n <= 9)
                .setKind(s == 0 ? SensorMessageKind.CHANGE : SensorMessageKind.HEARTBEAT)
                .setBatteryV(3.6)
                .setReceivedAt(time.plusMillis(300))
                .build());
      }
    }
  }

  private void frame(String camera, int second, List<DetectedObject> objects) {
    Instant time = T0.plusSeconds(second).plusMillis(camera.hashCode() & 0x1ff);
    frames.add(
        CameraFrame.newBuilder()
            .setBlockId(BLOCK)
            .setCameraId(camera)
            .setEventTime(time)
            .setFrame(100_000L + second)
            .setObjects(new ArrayList<>(objects))
            .setReceivedAt(time.plusMillis(40))
            .build());
  }

  private static DetectedObject object(
      String track, String cls, double groundX, double groundY, double w, double h) {
    return new DetectedObject(track, cls, 0.9, new Box(groundX - w / 2, groundY - h, w, h));
  }
}

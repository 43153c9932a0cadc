package io.streetsense.detectors.presence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.ViolationType;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
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
 * Out-of-doorway trading against outdoor permits, on the bundled yongkang-road map: the night snack
 * counter YK-S-06 may use its frontage YK-Z-F06 on FRI and SAT from 21:00 to 01:00 the next morning
 * (out_of_doorway: dwell 5 min, presence 0.6). Camera YK-C-02 sees the frontage at x 0.00–0.20, y
 * 0.50–0.68. 2026-11-27 is a Friday.
 */
class OutOfDoorwayTradingTest {
  private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");

  private KeyedTwoInputStreamOperatorTestHarness<
          String, CameraFrame, PresenceHandover, ViolationEvent>
      harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedTwoInputStreamOperatorTestHarness<>(
            new KeyedCoProcessOperator<>(
                new PresenceDetector(
                    BlockMapLoader.loadBundledExamples(), DetectorConfig.defaults())),
            PresenceDetector::blockKey,
            PresenceHandover::blockKey,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static long at(String localDateTime) {
    return LocalDateTime.parse(localDateTime).atZone(SHANGHAI).toInstant().toEpochMilli();
  }

  /** A table standing on the frontage, one frame a second, from `from` (incl.) to `to` (excl.). */
  private List<ViolationEvent> tableOut(String from, String to) throws Exception {
    long start = at(from);
    long end = at(to);
    long frame = 0;
    for (long t = start; t < end; t += 1000) {
      Sighting table = new Sighting("t1", "table", 0.9, 0.06, 0.50, 0.08, 0.10);
      harness.processElement1(
          new StreamRecord<>(
              CameraFrames.frame("yongkang-road", "YK-C-02", t, frame++, List.of(table)), t));
      harness.processBothWatermarks(new Watermark(t - 5_001));
    }
    harness.processBothWatermarks(new Watermark(end + 60_000));
    return harness.extractOutputValues().stream()
        .filter(e -> e.getKind() == ViolationEventKind.OPENED)
        .collect(Collectors.toList());
  }

  @Test
  void tableLeftOutPastTheEndOfAPermitThatCrossesMidnight_becomesAViolationFromThePermitsEnd()
      throws Exception {
    List<ViolationEvent> opened = tableOut("2026-11-28T00:40:00", "2026-11-28T01:20:00");
    assertEquals(1, opened.size());
    ViolationEvent violation = opened.get(0);
    assertEquals(ViolationType.OUT_OF_DOORWAY_TRADING, violation.getType());
    assertEquals("YK-S-06", violation.getShopId());
    assertEquals(at("2026-11-28T01:00:00"), violation.getDetectedAt().toEpochMilli());
    assertEquals(at("2026-11-28T01:05:00"), violation.getEventTime().toEpochMilli());
  }

  @Test
  void tableOutAfterMidnightInsideThePermit_isLegal() throws Exception {
    assertEquals(List.of(), tableOut("2026-11-28T00:10:00", "2026-11-28T00:59:59"));
  }

  @Test
  void tableOutOnSundayNightBeforeOne_isCoveredBySaturdaysPermit() throws Exception {
    assertEquals(List.of(), tableOut("2026-11-29T00:05:00", "2026-11-29T00:45:00"));
  }

  @Test
  void tableOutOnAThursdayNight_hasNoPermit() throws Exception {
    List<ViolationEvent> opened = tableOut("2026-11-26T23:00:00", "2026-11-26T23:20:00");
    assertEquals(1, opened.size());
    assertEquals(at("2026-11-26T23:05:00"), opened.get(0).getEventTime().toEpochMilli());
  }

  @Test
  void tableOutJustBeforeThePermitStarts_isAViolationOnlyIfItStoodTheDwellBefore21()
      throws Exception {
    // 20:57 to 21:30 on a Friday: 3 minutes before the permit, under the 5-minute dwell.
    assertEquals(List.of(), tableOut("2026-11-27T20:57:00", "2026-11-27T21:30:00"));
  }
}

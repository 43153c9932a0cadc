package io.streetsense.detectors.parking;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Occupancy of jiashan-lane's JS-Z-P1 (8 berths, sensors JS-P-01..08). */
class ParkingOccupancyTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();

  private KeyedOneInputStreamOperatorTestHarness<String, ParkingSensorEvent, OccupancyUpdate>
      harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new ParkingOccupancy(
                    BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"))))),
            event -> event.getBlockId() + "/" + event.getZoneId(),
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static ParkingSensorEvent event(
      String sensor, long seq, int second, boolean occupied, SensorMessageKind kind) {
    return ParkingSensorEvent.newBuilder()
        .setBlockId("jiashan-lane")
        .setSensorId(sensor)
        .setZoneId("JS-Z-P1")
        .setEventTime(Instant.ofEpochMilli(T0 + second * 1000L))
        .setSeq(seq)
        .setOccupied(occupied)
        .setKind(kind)
        .setReceivedAt(Instant.ofEpochMilli(T0 + second * 1000L))
        .build();
  }

  private List<String> run(List<ParkingSensorEvent> input) throws Exception {
    for (ParkingSensorEvent event : input) {
      harness.processElement(new StreamRecord<>(event, event.getEventTime().toEpochMilli()));
    }
    harness.processWatermark(new Watermark(Long.MAX_VALUE - 1));
    return harness.extractOutputValues().stream()
        .map(u -> (u.eventTime - T0) / 1000 + "s:" + u.occupied + "/" + u.capacity)
        .collect(Collectors.toList());
  }

  private static List<ParkingSensorEvent> morning() {
    List<ParkingSensorEvent> events = new ArrayList<>();
    events.add(event("JS-P-01", 100, 10, true, SensorMessageKind.CHANGE));
    events.add(event("JS-P-02", 500, 20, true, SensorMessageKind.CHANGE));
    events.add(event("JS-P-01", 101, 30, false, SensorMessageKind.CHANGE));
    events.add(event("JS-P-03", 7, 40, true, SensorMessageKind.HEARTBEAT));
    events.add(event("JS-P-02", 501, 50, true, SensorMessageKind.HEARTBEAT));
    return events;
  }

  @Test
  void changesAndHeartbeats_giveTheZoneOccupancy_whenItChanges() throws Exception {
    assertEquals(List.of("10s:1/8", "20s:2/8", "30s:1/8", "40s:2/8"), run(morning()));
  }

  @Test
  void duplicateSensorMessages_countOnce() throws Exception {
    List<ParkingSensorEvent> events = new ArrayList<>(morning());
    events.add(event("JS-P-01", 101, 30, false, SensorMessageKind.CHANGE)); // redelivered
    events.add(event("JS-P-02", 500, 20, true, SensorMessageKind.CHANGE)); // redelivered
    assertEquals(List.of("10s:1/8", "20s:2/8", "30s:1/8", "40s:2/8"), run(events));
  }

  @Test
  void outOfOrderDelivery_givesTheSameOccupancy() throws Exception {
    List<ParkingSensorEvent> events = new ArrayList<>(morning());
    Collections.shuffle(events, new Random(3));
    assertEquals(List.of("10s:1/8", "20s:2/8", "30s:1/8", "40s:2/8"), run(events));
  }

  @Test
  void eventBehindTheWatermark_isLate_andDoesNotChangeOccupancy() throws Exception {
    run(morning());
    harness.processElement(
        new StreamRecord<>(event("JS-P-05", 1, 15, true, SensorMessageKind.CHANGE), T0 + 15_000));
    assertEquals(1, harness.getSideOutput(LateEvents.TAG).size());
    assertEquals(4, harness.extractOutputValues().size());
  }

  @Test
  void pendingMessages_leaveNoTimersBehind() throws Exception {
    run(morning());
    assertEquals(0, harness.numEventTimeTimers());
  }
}

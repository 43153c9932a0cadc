package io.streetsense.detectors;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.detectors.health.DeviceHealthDetector.DeviceState;
import io.streetsense.detectors.parking.BlockParkingState;
import io.streetsense.detectors.parking.OverflowTracker;
import io.streetsense.detectors.presence.PresenceRule;
import io.streetsense.detectors.presence.PresenceTracker;
import io.streetsense.detectors.presence.Sighting;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.detectors.presence.ZoneState;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Instant;
import java.util.List;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Measures the keyed state per tracked zone as Flink stores it (RocksDB values, checkpoints): the
 * serialized size of each detector's state object through the same TypeSerializer the job uses.
 * Prints the figures for detectors/README.md; asserts only that no state falls back to Kryo.
 *
 * <p>Run: {@code ./mvnw -q -o -pl detectors install -Dtest=StateSizeReportTest} and read the "state
 * size:" lines.
 */
class StateSizeReportTest {
  private static final BlockMap JIASHAN =
      BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();

  private static <T> int serializedSize(Class<T> type, T value) throws Exception {
    TypeInformation<T> info = TypeInformation.of(type);
    assertInstanceOf(PojoTypeInfo.class, info, type + " must be a Flink POJO, not Kryo");
    TypeSerializer<T> serializer = info.createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(4096);
    serializer.serialize(value, out);
    return out.length();
  }

  private static Sighting stall(String track, double x, double y) {
    return new Sighting(track, "stall", 0.9, x - 0.04, y - 0.10, 0.08, 0.10);
  }

  /** A presence zone after {@code seconds} of frames from each camera, all showing the object. */
  private static ZoneState presence(String zoneId, List<String> cameras, int seconds) {
    PresenceRule rule =
        PresenceRule.forZone(JIASHAN, JIASHAN.zone(zoneId).orElseThrow()).orElseThrow();
    PresenceTracker tracker = new PresenceTracker(rule, 60_000, 60_000);
    ZoneState state = new ZoneState();
    for (int s = 0; s < seconds; s++) {
      for (String camera : cameras) {
        Sighting sighting =
            rule.classes().contains("stall")
                ? stall("7", 0.5, 0.9)
                : new Sighting("7", "table", 0.9, 0.10, 0.62, 0.06, 0.05);
        tracker.observe(
            state,
            new ZoneObservation(
                JIASHAN.id(), zoneId, camera, T0 + s * 1000L, s, List.of(sighting)));
      }
    }
    return state;
  }

  @Test
  void printStateSizePerTrackedZone() throws Exception {
    StringBuilder report = new StringBuilder();

    // Illegal stall (dwell 3 min): one camera, then two; open violation, full dwell of frames.
    ZoneState stallOne = presence("JS-Z-NV1", List.of("JS-C-01"), 600);
    ZoneState stallTwo = presence("JS-Z-NV1", List.of("JS-C-01", "JS-C-02"), 600);
    // Out-of-doorway trading (dwell 5 min): one camera.
    ZoneState frontage = presence("JS-Z-F01", List.of("JS-C-01"), 900);
    int frames = stallOne.cameras.get("JS-C-01").frames.size();
    line(report, "presence ZoneState, stall, 1 camera, " + frames + " frames, open", stallOne);
    line(report, "presence ZoneState, stall, 2 cameras, open", stallTwo);
    line(
        report,
        "presence ZoneState, frontage, 1 camera, "
            + frontage.cameras.get("JS-C-01").frames.size()
            + " frames, open",
        frontage);
    report.append(
        String.format(
            "state size: presence per frame kept (with one sighting): %.1f B%n",
            (double) serializedSize(ZoneState.class, stallOne) / frames));

    // Parking overflow: jiashan-lane's block state while JS-Z-P1 overflows.
    OverflowTracker tracker = new OverflowTracker(JIASHAN, 60_000, 1_800_000, 60_000);
    BlockParkingState block = new BlockParkingState();
    long seq = 0;
    for (int n = 1; n <= 12; n++) {
      tracker.applySensor(
          block,
          ParkingSensorEvent.newBuilder()
              .setBlockId(JIASHAN.id())
              .setSensorId(String.format("JS-P-%02d", n))
              .setZoneId(n <= 8 ? "JS-Z-P1" : "JS-Z-P2")
              .setEventTime(Instant.ofEpochMilli(T0))
              .setSeq(++seq)
              .setOccupied(n <= 9)
              .setKind(SensorMessageKind.CHANGE)
              .setReceivedAt(Instant.ofEpochMilli(T0))
              .build());
    }
    for (int s = 0; s < 700; s++) {
      tracker.applyObservation(
          block,
          new ZoneObservation(
              JIASHAN.id(),
              "JS-Z-NP1",
              "JS-C-03",
              T0 + s * 1000L,
              s,
              List.of(
                  new Sighting("31", "vehicle", 0.9, 0.64, 0.70, 0.12, 0.10),
                  new Sighting("32", "vehicle", 0.9, 0.82, 0.72, 0.12, 0.10))));
      tracker.evaluate(block, T0 + s * 1000L);
    }
    line(
        report,
        "overflow BlockParkingState, jiashan-lane (12 berths, 1 kerb camera, 2 cars), open",
        BlockParkingState.class,
        block);
    BlockParkingState berthsOnly = new BlockParkingState();
    berthsOnly.berths.putAll(block.berths);
    line(
        report,
        "overflow BlockParkingState, berths only (quiet street)",
        BlockParkingState.class,
        berthsOnly);

    DeviceState device = new DeviceState();
    device.lastSeenAt = T0;
    device.batteryV = 3.6;
    device.checkAt = T0 + 60_000;
    line(report, "health DeviceState, per online device", DeviceState.class, device);

    ZoneObservation pending =
        new ZoneObservation(
            JIASHAN.id(), "JS-Z-NV1", "JS-C-01", T0, 1, List.of(stall("7", 0.5, 0.9)));
    line(
        report,
        "pending ZoneObservation (one per zone-camera-frame in the 5 s bound)",
        ZoneObservation.class,
        pending);

    System.out.print(report);
  }

  private static void line(StringBuilder report, String what, ZoneState state) throws Exception {
    line(report, what, ZoneState.class, state);
  }

  private static <T> void line(StringBuilder report, String what, Class<T> type, T value)
      throws Exception {
    report.append(String.format("state size: %-80s %7d B%n", what, serializedSize(type, value)));
  }
}

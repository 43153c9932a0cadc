package io.streetsense.detectors;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.java.typeutils.PojoTypeInfo;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Measures the keyed state per tracked zone as Flink stores it (RocksDB values, checkpoints): the
 * serialized size of each detector's state object through the same TypeSerializer the job uses.
 * Prints the figures for detectors/README.md; asserts that no state falls back to Kryo and that a
 * presence zone's state stays within 1 KB.
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

  /**
   * A presence zone after {@code hours} of frames at {@code fps} from each camera, with {@code
   * objects} relevant objects standing the whole time (each missed in 20 % of frames, its ground
   * point jittering by up to 0.004), under the zone's rule with the given dwell.
   */
  private static ZoneState presence(
      String zoneId, Duration dwell, List<String> cameras, int objects, double hours, int fps) {
    PresenceRule mapRule =
        PresenceRule.forZone(JIASHAN, JIASHAN.zone(zoneId).orElseThrow()).orElseThrow();
    PresenceRule rule =
        new PresenceRule(
            mapRule.blockId(),
            mapRule.zoneId(),
            mapRule.type(),
            mapRule.shopId(),
            mapRule.classes(),
            mapRule.minConf(),
            dwell,
            mapRule.presence(),
            mapRule.maxDrift(),
            mapRule.clearFor(),
            List.of(),
            mapRule.timezone());
    String cls = rule.classes().contains("stall") ? "stall" : "table";
    PresenceTracker tracker = new PresenceTracker(rule, 60_000, 60_000);
    ZoneState state = new ZoneState();
    Random noise = new Random(7);
    long frames = (long) (hours * 3600 * fps);
    for (long f = 0; f < frames; f++) {
      long t = T0 + f * 1000L / fps;
      for (String camera : cameras) {
        List<Sighting> sightings = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
          if (noise.nextDouble() >= 0.2) {
            double x = 0.2 + 0.1 * i + (noise.nextDouble() - 0.5) * 0.008;
            double y = 0.9 + (noise.nextDouble() - 0.5) * 0.008;
            sightings.add(new Sighting("t" + i, cls, 0.9, x - 0.03, y - 0.08, 0.06, 0.08));
          }
        }
        tracker.observe(state, new ZoneObservation(JIASHAN.id(), zoneId, camera, t, f, sightings));
      }
      if (PresenceTracker.isQuiet(state)) {
        state = new ZoneState(); // what the operator does: a quiet zone's state is cleared
      }
    }
    return state;
  }

  @Test
  void presenceStatePerZone_isBoundedWhateverTheDwellCamerasObjectsAndHours() throws Exception {
    StringBuilder report = new StringBuilder();
    int largest = 0;
    for (Duration dwell :
        List.of(Duration.ofMinutes(3), Duration.ofMinutes(5), Duration.ofMinutes(30))) {
      for (List<String> cameras : List.of(List.of("JS-C-01"), List.of("JS-C-01", "JS-C-02"))) {
        for (int objects : new int[] {0, 1, 5}) {
          ZoneState state = presence("JS-Z-NV1", dwell, cameras, objects, 4, 1);
          int size = PresenceTracker.isQuiet(state) ? 0 : serializedSize(ZoneState.class, state);
          largest = Math.max(largest, size);
          report.append(
              String.format(
                  "state size: presence ZoneState, dwell %2d min, %d camera(s), %d object(s)"
                      + " standing 4 h at 1 fps%s %28d B%n",
                  dwell.toMinutes(),
                  cameras.size(),
                  objects,
                  state.open != null ? ", open" : "",
                  size));
        }
      }
    }
    ZoneState fast =
        presence("JS-Z-NV1", Duration.ofMinutes(3), List.of("JS-C-01", "JS-C-02"), 5, 1, 10);
    int fastSize = serializedSize(ZoneState.class, fast);
    largest = Math.max(largest, fastSize);
    report.append(
        String.format(
            "state size: presence ZoneState, dwell  3 min, 2 cameras, 5 objects, 1 h at 10 fps, open"
                + " %18d B%n",
            fastSize));
    System.out.print(report);
    assertTrue(largest <= 1024, "every presence state within 1 KB:\n" + report);
  }

  @Test
  void printStateSizePerTrackedZone() throws Exception {
    StringBuilder report = new StringBuilder();

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
        "pending kerb ZoneObservation (overflow: one per kerb view per frame, 5 s bound)",
        ZoneObservation.class,
        pending);

    // Presence buffers whole frames, one per camera frame of the block in the 5 s bound.
    List<DetectedObject> objects = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      objects.add(
          DetectedObject.newBuilder()
              .setTrack("t" + i)
              .setCls(i == 0 ? "stall" : "person")
              .setConf(0.9)
              .setBox(new Box(0.1 + 0.2 * i, 0.8, 0.08, 0.1))
              .build());
    }
    CameraFrame frame =
        CameraFrame.newBuilder()
            .setBlockId(JIASHAN.id())
            .setCameraId("JS-C-01")
            .setEventTime(Instant.ofEpochMilli(T0))
            .setFrame(1)
            .setObjects(objects)
            .setReceivedAt(Instant.ofEpochMilli(T0 + 40))
            .build();
    line(
        report,
        "pending CameraFrame, 3 objects (presence: one per frame of the block, 5 s bound)",
        CameraFrame.class,
        frame);

    System.out.print(report);
  }

  private static <T> void line(StringBuilder report, String what, Class<T> type, T value)
      throws Exception {
    report.append(String.format("state size: %-80s %7d B%n", what, serializedSize(type, value)));
  }
}

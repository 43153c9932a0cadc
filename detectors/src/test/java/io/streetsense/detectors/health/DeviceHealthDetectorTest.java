package io.streetsense.detectors.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
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
import org.junit.jupiter.api.Test;

/** Health of jiashan-lane's camera JS-C-01 (offline after 60 s) and sensor JS-P-01. */
class DeviceHealthDetectorTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  private static final long SECOND = 1000;

  private KeyedOneInputStreamOperatorTestHarness<String, DeviceSignal, DeviceHealthChange> harness;

  private void start(DetectorConfig config) throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new DeviceHealthDetector(
                    BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"))),
                    config)),
            DeviceSignal::deviceKey,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static DeviceSignal camera(int second) {
    return new DeviceSignal(
        "jiashan-lane", "JS-C-01", DeviceKind.CAMERA, T0 + second * SECOND, null);
  }

  private static DeviceSignal sensor(int second, double battery) {
    return new DeviceSignal(
        "jiashan-lane", "JS-P-01", DeviceKind.PARKING, T0 + second * SECOND, battery);
  }

  private static List<DeviceSignal> cameraSeconds(int from, int to) {
    List<DeviceSignal> signals = new ArrayList<>();
    for (int s = from; s < to; s++) {
      signals.add(camera(s));
    }
    return signals;
  }

  private List<String> run(List<DeviceSignal> input, long watermarkAtEnd) throws Exception {
    long maxSeen = Long.MIN_VALUE;
    for (DeviceSignal signal : input) {
      harness.processElement(new StreamRecord<>(signal, signal.eventTime));
      maxSeen = Math.max(maxSeen, signal.eventTime);
      harness.processWatermark(new Watermark(maxSeen - 5 * SECOND - 1));
    }
    harness.processWatermark(new Watermark(watermarkAtEnd));
    return harness.extractOutputValues().stream()
        .map(
            c ->
                c.deviceId
                    + (c.online ? " online@" : " offline@")
                    + (c.eventTime - T0) / SECOND
                    + " seen@"
                    + (c.lastSeenAt - T0) / SECOND
                    + (c.batteryV == null ? "" : " " + c.batteryV + "V"))
        .collect(Collectors.toList());
  }

  @Test
  void cameraSilentForAMinute_goesOffline_andComesBackWithItsNextFrame() throws Exception {
    start(DetectorConfig.defaults());
    List<DeviceSignal> input = new ArrayList<>(cameraSeconds(0, 100));
    input.addAll(cameraSeconds(200, 250));
    assertEquals(
        List.of(
            "JS-C-01 online@0 seen@0",
            "JS-C-01 offline@159 seen@99",
            "JS-C-01 online@200 seen@200",
            "JS-C-01 offline@309 seen@249"),
        run(input, T0 + 3600 * SECOND));
    assertEquals(0, harness.numKeyedStateEntries(), "an offline device holds nothing");
    assertEquals(0, harness.numEventTimeTimers(), "and no timers");
  }

  @Test
  void gapOfExactlyTheLimit_isNotOffline_butOneSecondMoreIs() throws Exception {
    start(DetectorConfig.defaults());
    List<DeviceSignal> input = new ArrayList<>(cameraSeconds(0, 11));
    input.add(camera(70)); // 60 s after 10 s
    input.add(camera(131)); // 61 s after 70 s
    assertEquals(
        List.of(
            "JS-C-01 online@0 seen@0",
            "JS-C-01 offline@130 seen@70",
            "JS-C-01 online@131 seen@131"),
        run(input, T0 + 131 * SECOND));
  }

  @Test
  void sensorWithHeartbeats_staysOnline_andSilentForThreeHeartbeats_goesOffline() throws Exception {
    start(DetectorConfig.defaults()); // heartbeat 10 min: offline after 30 min
    List<DeviceSignal> input = new ArrayList<>();
    for (int s = 0; s <= 3000; s += 600) {
      input.add(sensor(s, s < 3000 ? 3.6 : 3.5));
    }
    assertEquals(
        List.of("JS-P-01 online@0 seen@0 3.6V", "JS-P-01 offline@4800 seen@3000 3.5V"),
        run(input, T0 + 10_000 * SECOND));
  }

  @Test
  void heartbeatPeriod_isConfigurable() throws Exception {
    start(DetectorConfig.defaults().withSensorHeartbeat(Duration.ofMinutes(1)));
    assertEquals(
        List.of("JS-P-01 online@0 seen@0 3.6V", "JS-P-01 offline@180 seen@0 3.6V"),
        run(List.of(sensor(0, 3.6)), T0 + 1000 * SECOND));
  }

  @Test
  void outOfOrderDelivery_givesTheSameHealthChanges() throws Exception {
    start(DetectorConfig.defaults());
    List<DeviceSignal> input = new ArrayList<>(cameraSeconds(0, 100));
    input.addAll(cameraSeconds(161, 300));
    List<String> inOrder = run(input, T0 + 1000 * SECOND);
    tearDown();

    start(DetectorConfig.defaults());
    List<DeviceSignal> shuffled = new ArrayList<>();
    Random random = new Random(3);
    for (int i = 0; i < input.size(); i += 4) {
      List<DeviceSignal> chunk = new ArrayList<>(input.subList(i, Math.min(i + 4, input.size())));
      Collections.shuffle(chunk, random);
      shuffled.addAll(chunk);
    }
    assertEquals(inOrder, run(shuffled, T0 + 1000 * SECOND));
    assertEquals(
        List.of(
            "JS-C-01 online@0 seen@0",
            "JS-C-01 offline@159 seen@99",
            "JS-C-01 online@161 seen@161",
            "JS-C-01 offline@359 seen@299"),
        inOrder);
  }

  @Test
  void unknownDevicesAndLateSignals_changeNothing() throws Exception {
    start(DetectorConfig.defaults());
    List<String> changes = run(cameraSeconds(0, 30), T0 + 30 * SECOND);
    harness.processElement(
        new StreamRecord<>(
            new DeviceSignal("jiashan-lane", "JS-C-99", DeviceKind.CAMERA, T0 + 40 * SECOND, null),
            T0 + 40 * SECOND));
    harness.processElement(new StreamRecord<>(camera(5), T0 + 5 * SECOND));
    harness.processWatermark(new Watermark(T0 + 60 * SECOND));
    assertEquals(List.of("JS-C-01 online@0 seen@0"), changes);
    assertEquals(1, harness.extractOutputValues().size());
  }
}

package io.streetsense.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.health.DeviceHealthChange;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.testing.RepositoryBlockMaps;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The issue's determinism requirement at the level of the whole operator graph ({@link
 * Detectors#define}) on a Flink mini cluster with parallelism 2: the same recorded street delivered
 * in order, shuffled within the allowed out-of-orderness, and replayed, gives identical violation
 * (and device-health) events.
 *
 * <p>Output of parallel subtasks interleaves arbitrarily, so events are compared per key (zone and
 * type; device), in the order each key emitted them.
 */
class DetectorsDeterminismTest {
  private static final DetectorConfig CONFIG = DetectorConfig.defaults(); // out-of-orderness 5 s
  private static final BlockMaps MAPS =
      BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane")));

  /** One cluster for the three runs; 2 slots, or parallelism 2 waits for resources forever. */
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(noRestarts())
              .build());

  private static Configuration noRestarts() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    return conf;
  }

  private record Output(
      Map<String, List<ViolationEvent>> violations,
      Map<String, List<DeviceHealthChange>> health,
      List<DeadLetter> deadLetters) {}

  private static Output run(List<CameraFrame> frames, List<ParkingSensorEvent> parking)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);

    DataStream<CameraFrame> frameStream =
        env.fromData(frames, TypeInformation.of(CameraFrame.class))
            .assignTimestampsAndWatermarks(Detectors.cameraWatermarks(CONFIG));
    DataStream<ParkingSensorEvent> parkingStream =
        env.fromData(parking, TypeInformation.of(ParkingSensorEvent.class))
            .assignTimestampsAndWatermarks(Detectors.parkingWatermarks(CONFIG));
    Detectors.Streams out = Detectors.define(parkingStream, frameStream, MAPS, CONFIG);

    CloseableIterator<ViolationEvent> violations = out.violations().collectAsync();
    CloseableIterator<DeviceHealthChange> health = out.health().collectAsync();
    CloseableIterator<DeadLetter> deadLetters = out.deadLetters().collectAsync();
    env.execute("determinism");

    Map<String, List<ViolationEvent>> byZone = new TreeMap<>();
    violations.forEachRemaining(
        v ->
            byZone
                .computeIfAbsent(
                    v.getBlockId() + "/" + v.getZoneId() + "/" + v.getType(),
                    k -> new ArrayList<>())
                .add(v));
    Map<String, List<DeviceHealthChange>> byDevice = new TreeMap<>();
    health.forEachRemaining(
        h -> byDevice.computeIfAbsent(h.deviceId, k -> new ArrayList<>()).add(h));
    List<DeadLetter> dead = new ArrayList<>();
    deadLetters.forEachRemaining(dead::add);
    return new Output(byZone, byDevice, dead);
  }

  @Test
  void sameRecordedStreet_inOrder_shuffledWithinTheBound_andReplayed_givesIdenticalEvents()
      throws Exception {
    JiashanStreet street = new JiashanStreet();

    Output inOrder = run(street.frames, street.parking);
    Random random = new Random(99);
    List<CameraFrame> shuffledFrames =
        JiashanStreet.shuffledWithin(
            street.frames, 4000, f -> f.getEventTime().toEpochMilli(), random);
    List<ParkingSensorEvent> shuffledParking =
        JiashanStreet.shuffledWithin(
            street.parking, 4000, e -> e.getEventTime().toEpochMilli(), random);
    assertNotEquals(street.frames, shuffledFrames, "the shuffle moved frames");
    Output shuffled = run(shuffledFrames, shuffledParking);
    Output replayed = run(street.frames, street.parking);

    // The ground truth is there: one stall and one overflow, each opened once and cleared once.
    assertEquals(
        List.of("jiashan-lane/JS-Z-NV1/ILLEGAL_STALL", "jiashan-lane/JS-Z-P1/PARKING_OVERFLOW"),
        new ArrayList<>(inOrder.violations().keySet()),
        inOrder.violations().toString());
    for (List<ViolationEvent> events : inOrder.violations().values()) {
      assertEquals(ViolationEventKind.OPENED, events.get(0).getKind());
      assertEquals(ViolationEventKind.CLEARED, events.get(events.size() - 1).getKind());
      assertEquals(
          1, events.stream().filter(e -> e.getKind() == ViolationEventKind.OPENED).count());
    }
    assertEquals(List.of(), inOrder.deadLetters(), "nothing late within the bound");
    assertEquals(2, inOrder.health().get("JS-C-02").stream().filter(h -> !h.online).count());

    assertEquals(inOrder.violations(), shuffled.violations(), "shuffled within the bound");
    assertEquals(inOrder.violations(), replayed.violations(), "replayed");
    assertEquals(inOrder.health(), shuffled.health());
    assertEquals(inOrder.health(), replayed.health());
    assertEquals(List.of(), shuffled.deadLetters());
    printSummary(inOrder);
  }

  @Test
  void everyKindOfMessageDeliveredTwice_givesTheSameEvents_asDeliveredOnce() throws Exception {
    // MQTT QoS 1 redelivers after a reconnect, and a bridge killed between Kafka's ack and the
    // device broker's forwards a message again: about one camera frame and one sensor message in
    // seven arrive a second time, up to 3 s after the first copy (within the 5 s bound). A copy
    // of a frame once split kerb vehicles' anchors in the overflow detector (each copy a second
    // sighting at the same instant), so with the street's box jitter the real vehicles stopped
    // counting as standing: without DuplicateFrameFilter this street's overflow never opens.
    JiashanStreet street = new JiashanStreet();
    Output once = run(street.frames, street.parking);
    Random random = new Random(7);
    List<CameraFrame> frames =
        deliveredTwice(street.frames, f -> f.getEventTime().toEpochMilli(), random);
    List<ParkingSensorEvent> parking =
        deliveredTwice(street.parking, e -> e.getEventTime().toEpochMilli(), random);
    assertTrue(frames.size() > street.frames.size() + street.frames.size() / 10);
    Output twice = run(frames, parking);
    printSummary(twice);

    assertEquals(once.violations(), twice.violations(), "every copy counts once");
    assertEquals(once.health(), twice.health());
    assertEquals(List.of(), twice.deadLetters(), "a copy within the bound is not late");
  }

  /** About one message in seven again, after up to 3 s of later messages. */
  private static <T> List<T> deliveredTwice(
      List<T> input, java.util.function.ToLongFunction<T> time, Random random) {
    List<T> out = new ArrayList<>(input);
    for (T message : input) {
      if (random.nextInt(7) == 0) {
        long redeliveredAt = time.applyAsLong(message) + random.nextInt(3000);
        int at = 0;
        while (at < out.size() && time.applyAsLong(out.get(at)) <= redeliveredAt) {
          at++;
        }
        out.add(at, message);
      }
    }
    return out;
  }

  private static void printSummary(Output output) {
    Map<String, String> lines = new LinkedHashMap<>();
    output
        .violations()
        .forEach(
            (key, events) ->
                lines.put(
                    key,
                    events.stream()
                        .map(
                            e ->
                                e.getKind()
                                    + "@"
                                    + (e.getEventTime().toEpochMilli() - JiashanStreet.T0) / 1000)
                        .toList()
                        .toString()));
    lines.forEach((key, line) -> System.out.println("determinism: " + key + " " + line));
  }
}

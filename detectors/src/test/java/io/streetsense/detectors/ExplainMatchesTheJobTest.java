package io.streetsense.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.explain.Explanation;
import io.streetsense.detectors.explain.ZoneExplainer;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * {@code streetsense explain} replays with the job's own decision code in the job's order, so on
 * the same input it produces the very violation events the job does: the whole operator graph
 * ({@link Detectors#define}, parallelism 2 on a mini cluster) against {@link ZoneExplainer} on the
 * recorded jiashan-lane street (a stall, a parking overflow with housekeeping-timed updates, a
 * camera outage, a duplicate sensor message).
 */
class ExplainMatchesTheJobTest {
  private static final DetectorConfig CONFIG = DetectorConfig.defaults();
  private static final BlockMap JIASHAN =
      BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));

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

  @Test
  void theReplayProducesTheJobsViolationEvents_zoneByZone() throws Exception {
    JiashanStreet street = new JiashanStreet();
    Map<String, List<ViolationEvent>> job = runJob(street.frames, street.parking);
    assertEquals(2, job.size(), job.keySet().toString());

    Instant from = Instant.ofEpochMilli(JiashanStreet.T0);
    Instant to = from.plusSeconds(JiashanStreet.SECONDS);
    for (String zone : List.of("JS-Z-NV1", "JS-Z-P1")) {
      ZoneExplainer explainer =
          new ZoneExplainer(JIASHAN, zone, CONFIG, from, to, Duration.ofMinutes(1));
      street.frames.forEach(explainer::offer);
      street.parking.forEach(explainer::offer);
      Explanation explanation = explainer.explain();
      List<ViolationEvent> expected =
          job.entrySet().stream()
              .filter(e -> e.getKey().startsWith("jiashan-lane/" + zone + "/"))
              .findFirst()
              .orElseThrow()
              .getValue();
      assertFalse(expected.isEmpty());
      assertEquals(expected, explanation.events(), zone + "\n" + explanation.toText());
      System.out.println(
          "explain = job: " + zone + " " + expected.size() + " events; " + explanation.verdict());
    }
  }

  private static Map<String, List<ViolationEvent>> runJob(
      List<CameraFrame> frames, List<ParkingSensorEvent> parking) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    DataStream<CameraFrame> frameStream =
        env.fromData(frames, TypeInformation.of(CameraFrame.class))
            .assignTimestampsAndWatermarks(Detectors.cameraWatermarks(CONFIG));
    DataStream<ParkingSensorEvent> parkingStream =
        env.fromData(parking, TypeInformation.of(ParkingSensorEvent.class))
            .assignTimestampsAndWatermarks(Detectors.parkingWatermarks(CONFIG));
    Detectors.Streams out =
        Detectors.define(parkingStream, frameStream, BlockMaps.of(JIASHAN), CONFIG);
    CloseableIterator<ViolationEvent> violations = out.violations().collectAsync();
    env.execute("explain matches the job");
    Map<String, List<ViolationEvent>> byZone = new TreeMap<>();
    violations.forEachRemaining(
        v ->
            byZone
                .computeIfAbsent(
                    v.getBlockId() + "/" + v.getZoneId() + "/" + v.getType(),
                    k -> new ArrayList<>())
                .add(v));
    return byZone;
  }
}

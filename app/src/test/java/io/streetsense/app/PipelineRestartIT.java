package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.sinks.workorders.WorkOrderIds;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The restart: a pipeline stopped halfway through a street and started again on the same
 * state directory resumes the work-order operator's state, so the order open at the stop is closed
 * afterwards. The street (jiashan-lane's demo: a stall from minute 3 to 13) is fed into Kafka as
 * the bridge would; the first pipeline sees up to minute 10 (order filed and dispatched, the stall
 * still standing) and is closed (stop with a savepoint); the second sees the rest, and must close
 * that same order as self-cleared.
 */
class PipelineRestartIT {
  private static final Duration STREET = Duration.ofMinutes(30);

  @TempDir Path workDir;

  @Test
  void anOrderOpenAtTheStop_isClosedAfterTheRestart_fromTheSavepointInTheStateDir()
      throws Exception {
    long t0 = System.nanoTime();
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    BlockMaps maps = BlockMaps.of(jiashan);
    StreetScenario scenario =
        Scenarios.demo(jiashan, 7, STREET)
            .startingAt(Instant.now().minus(STREET).truncatedTo(ChronoUnit.SECONDS));
    Instant halfway = scenario.start().plus(Duration.ofMinutes(10));
    Instant end = scenario.start().plus(STREET);
    List<StreetFeed.DeviceRecord> street = StreetFeed.records(scenario, maps);
    String orderKey =
        WorkOrderIds.ownerKey("jiashan-lane", "JS-Z-NV1", ViolationType.ILLEGAL_STALL);
    Path stateDir = workDir.resolve("state");

    try (LocalServices services = LocalServices.start(workDir)) {
      PipelineSettings settings =
          TestPipelines.settings(services, Topics.withPrefix("restart-" + UUID.randomUUID() + "."))
              .withState(StateSettings.in(stateDir));
      String kafka = settings.kafkaBootstrapServers();

      // Run 1: up to minute 10; the order is dispatched and still open.
      Pipeline first = Pipeline.start(settings, maps);
      StreetFeed feed = new StreetFeed(kafka, settings.topics(), street);
      CommittedOrders orders = new CommittedOrders(kafka, settings.topics().workOrders(), orderKey);
      WorkOrder dispatched;
      Path firstJobsCheckpoints;
      try {
        assertFalse(first.local().restoredFrom().isPresent(), "an empty state dir: fresh start");
        dispatched = RestartChecks.dispatchedInFirstRun(orders, feed, scenario.start(), halfway);
        RestorePoint onDisk = RestorePoint.latest(stateDir).orElseThrow();
        assertFalse(onDisk.savepoint(), "checkpoints on disk while running: " + onDisk);
        firstJobsCheckpoints = onDisk.path().getParent();
        System.out.println("[PipelineRestartIT] run 1 checkpoint on disk: " + onDisk.describe());
      } finally {
        first.close();
      }
      assertNotNull(first.local().savepoint(), "the stop wrote a savepoint");
      RestorePoint newest = RestorePoint.latest(stateDir).orElseThrow();
      assertTrue(newest.savepoint(), "the newest restore point is the stop's savepoint: " + newest);
      long stoppedAt = System.nanoTime();

      // Run 2, on the same state dir: resumes from the savepoint and plays the rest.
      try (CapturedLog log = new CapturedLog(LocalJob.class);
          Pipeline second = Pipeline.start(settings, maps)) {
        assertEquals(newest, second.local().restoredFrom().orElseThrow(), "restored the newest");
        String said =
            log.lines().stream()
                .filter(l -> l.contains("resuming from savepoint"))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no 'resuming from' line: " + log.lines()));
        System.out.println("[PipelineRestartIT] run 2 logged: " + said);
        assertTrue(said.contains(newest.path().toString()), said);

        WorkOrder closed =
            RestartChecks.selfClearsAfterRestart("run 2", orders, feed, end, dispatched);
        // Once resumed and checkpointed, run 1's checkpoints are superseded and removed.
        assertFalse(Files.exists(firstJobsCheckpoints), "removed: " + firstJobsCheckpoints);
        assertTrue(Files.exists(newest.path().resolve("_metadata")), "the savepoint is kept");
        // Flink itself reports the restore (its REST API), naming the same savepoint.
        String flinkSays = awaitFlinkRestore(second);
        assertTrue(
            flinkSays.contains(newest.path().getFileName().toString()),
            flinkSays + " vs " + newest);
        System.out.printf(
            "[PipelineRestartIT] order %s closed %d s after the restart; test %d s%n",
            closed.getId(),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - stoppedAt),
            TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
      } finally {
        orders.close();
        feed.close();
      }
    }
  }

  private static String awaitFlinkRestore(Pipeline pipeline) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      String restored = pipeline.local().flinkRestoredFrom();
      if (restored != null) {
        return restored;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("Flink's REST API never reported the restore");
  }
}

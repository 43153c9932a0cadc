package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.Topics;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failure, on a real pipeline with a street playing: checkpoints kept in the
 * JobManager's memory outgrow its limit and every one fails. Each failure must be an ERROR line
 * with its cause, a {@code pipeline,stage=checkpoint} point in InfluxDB, and after {@code
 * --max-failed-checkpoints} of them the pipeline's failure signal (which {@code streetsense run}
 * turns into exit status 1) with a message that says what to change. The limit is made 1 KB so a
 * short street outgrows it ({@link TinyMemoryCheckpointStorage}); the real one is 5 MB.
 */
class CheckpointFailureIT {
  private static final Duration STREET = Duration.ofMinutes(30);
  private static final int MAX_FAILED = 3;

  @TempDir Path workDir;

  @Test
  void checkpointsOverTheMemoryLimit_areLoggedAndRecorded_andStopThePipelineAfterN()
      throws Exception {
    long t0 = System.nanoTime();
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    BlockMaps maps = BlockMaps.of(jiashan);
    StreetScenario scenario =
        Scenarios.demo(jiashan, 7, STREET)
            .startingAt(Instant.now().minus(STREET).truncatedTo(ChronoUnit.SECONDS));
    List<StreetFeed.DeviceRecord> street = StreetFeed.records(scenario, maps);
    Configuration tinyMemoryStorage = new Configuration();
    tinyMemoryStorage.set(
        CheckpointingOptions.CHECKPOINT_STORAGE, TinyMemoryCheckpointStorage.class.getName());

    try (LocalServices services = LocalServices.start(workDir);
        CapturedLog log = new CapturedLog(CheckpointMonitor.class)) {
      PipelineSettings settings =
          TestPipelines.settings(services, Topics.withPrefix("ckfail-" + UUID.randomUUID() + "."))
              .withState(
                  StateSettings.in(workDir.resolve("state")).withMaxFailedCheckpoints(MAX_FAILED));
      long failedAfter;
      try (Pipeline pipeline =
              Pipeline.start(
                  settings, maps, tinyMemoryStorage, StreetSenseJob::defineKafkaWorkflow);
          StreetFeed feed =
              new StreetFeed(settings.kafkaBootstrapServers(), settings.topics(), street)) {
        long started = System.nanoTime();
        Instant end = scenario.start().plus(STREET);
        feed.until(scenario.start().plus(Duration.ofMinutes(1)));
        // The street plays on while the checkpoints fail.
        while (!pipeline.failure().isDone()) {
          assertTrue(
              System.nanoTime() - started < TimeUnit.MINUTES.toNanos(2),
              "no failure signal within 2 min; checkpoints failed "
                  + pipeline.local().failedCheckpoints()
                  + ", completed "
                  + pipeline.local().completedCheckpoints());
          feed.advance(Duration.ofSeconds(5), end);
          Thread.sleep(100);
        }
        failedAfter = System.nanoTime() - started;
        ExecutionException signal =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class, () -> pipeline.failure().get());
        PipelineFailure failure = assertInstanceOf(PipelineFailure.class, signal.getCause());
        String message = failure.getMessage();
        System.out.println("[CheckpointFailureIT] failure signal: " + message);
        assertTrue(message.startsWith(MAX_FAILED + " checkpoints failed in a row"), message);
        assertTrue(message.contains("maximum permitted memory-backed state"), message);
        assertTrue(message.contains("use file-system checkpoint storage"), message);
        assertEquals(0, pipeline.local().completedCheckpoints(), "no checkpoint completed");
        assertTrue(pipeline.local().failedCheckpoints() >= MAX_FAILED, "N failed");
      }

      // One ERROR line per failed checkpoint, with the cause, each in one line.
      List<String> errors =
          log.lines().stream()
              .filter(l -> l.startsWith("ERROR") && l.contains("failed ("))
              .toList();
      errors.forEach(l -> System.out.println("[CheckpointFailureIT] log: " + l));
      // (the job runs on for a moment while the test reads the signal: more may fail meanwhile)
      assertTrue(errors.size() >= MAX_FAILED, "ERROR lines: " + log.lines());
      for (int i = 0; i < MAX_FAILED; i++) {
        String line = errors.get(i);
        assertTrue(line.contains("(" + (i + 1) + " in a row"), line);
        assertTrue(line.contains("larger than the maximum permitted memory-backed state"), line);
      }

      // A point per checkpoint in InfluxDB (written from this process, so wait for the writer).
      String where = "FROM pipeline WHERE stage = 'checkpoint'";
      long points = awaitCount(services, "SELECT count(failed) " + where, MAX_FAILED);
      assertTrue(points >= MAX_FAILED, "pipeline,stage=checkpoint points: " + points);
      assertEquals(
          points,
          services.influx().firstValue("streetsense", "SELECT sum(failed) " + where),
          "failed=1 on every point");
      assertTrue(
          services.influx().firstValue("streetsense", "SELECT max(consecutive_failures) " + where)
              >= MAX_FAILED,
          "consecutive_failures reached N");
      assertFalse(
          RestorePoint.latest(workDir.resolve("state")).isPresent(),
          "nothing completed, nothing to resume from");
      System.out.printf(
          "[CheckpointFailureIT] failure signal %d s after the start; test %d s%n",
          TimeUnit.NANOSECONDS.toSeconds(failedAfter),
          TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }
  }

  private static long awaitCount(LocalServices services, String query, long expected)
      throws InterruptedException, TimeoutException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    long count = 0;
    while (System.nanoTime() < deadline) {
      count = services.influx().firstValue("streetsense", query);
      if (count >= expected) {
        return count;
      }
      Thread.sleep(250);
    }
    return count;
  }
}

package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.io.IOException;
import java.nio.charset.StandardCharsets;
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
 * The restart, on the real command: {@code streetsense run --config FILE} (with the RocksDB
 * state backend and incremental checkpoints) as a child process, SIGKILLed once the stall's order
 * is dispatched and a checkpoint of it is on disk, then started again with the same config. The
 * second start must say which checkpoint it resumes from, and close the order that was open at the
 * kill; a SIGTERM then stops it with a savepoint. (In package io.streetsense.app for the app's
 * street feed and committed-orders reader, as flink-job's cluster tests are.)
 */
class RunRestartIT {
  private static final Duration STREET = Duration.ofMinutes(30);

  @TempDir Path workDir;

  @Test
  void killedRun_resumesFromItsLastCheckpoint_andClosesTheOrderOpenAtTheKill() throws Exception {
    long t0 = System.nanoTime();
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    StreetScenario scenario =
        Scenarios.demo(jiashan, 7, STREET)
            .startingAt(Instant.now().minus(STREET).truncatedTo(ChronoUnit.SECONDS));
    Instant halfway = scenario.start().plus(Duration.ofMinutes(10));
    Instant end = scenario.start().plus(STREET);
    List<StreetFeed.DeviceRecord> street = StreetFeed.records(scenario, BlockMaps.of(jiashan));
    String orderKey =
        WorkOrderIds.ownerKey("jiashan-lane", "JS-Z-NV1", ViolationType.ILLEGAL_STALL);
    Path stateDir = workDir.resolve("state");
    Path blockmaps = Files.createDirectories(workDir.resolve("blockmaps"));
    Files.copy(RepositoryBlockMaps.file("jiashan-lane"), blockmaps.resolve("jiashan-lane.yaml"));
    String prefix = "run-" + UUID.randomUUID() + ".";
    Topics topics = Topics.withPrefix(prefix);

    try (LocalServices services = LocalServices.start(workDir.resolve("services"))) {
      String kafka = services.kafka().bootstrapServers();
      Path config = workDir.resolve("streetsense.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "mqtt=" + services.mqtt().serverUri(),
              "kafka=" + kafka,
              "influx=" + services.influx().url(),
              "blockmaps=" + blockmaps,
              "topic-prefix=" + prefix,
              "partitions=2",
              "parallelism=2",
              "checkpoint-interval=PT1S",
              "state-dir=" + stateDir,
              // RocksDB with incremental checkpoints: the kill leaves an incremental checkpoint
              // (shared files and all) that the second start must resume from.
              "state-backend=rocksdb",
              ""));

      // Run 1: until the order is dispatched and a checkpoint holding it is on disk; then SIGKILL.
      Run first = Run.start(config, workDir.resolve("run-1.log"));
      first.awaitOutput("running; Flink job", Duration.ofMinutes(2));
      assertTrue(first.output().contains("state: starting fresh"), first.output());
      assertTrue(
          first.output().contains("; state backend rocksdb (incremental checkpoints)"),
          first.output());
      StreetFeed feed = new StreetFeed(kafka, topics, street);
      CommittedOrders orders = new CommittedOrders(kafka, topics.workOrders(), orderKey);
      WorkOrder dispatched;
      RestorePoint atKill;
      try {
        dispatched = RestartChecks.dispatchedInFirstRun(orders, feed, scenario.start(), halfway);
        // The order was committed on a checkpoint; let one more complete, then kill.
        Thread.sleep(2_000);
        first.kill();
        atKill = RestorePoint.latest(stateDir).orElseThrow();
        assertFalse(atKill.savepoint(), "a SIGKILL leaves no savepoint: " + atKill);
        try (var shared = Files.list(atKill.path().getParent().resolve("shared"))) {
          // Incremental: RocksDB's files live in shared/, referenced by several checkpoints.
          assertTrue(shared.findAny().isPresent(), "RocksDB files in shared/ beside " + atKill);
        }
        System.out.println("[RunRestartIT] killed; newest on disk: " + atKill.describe());

        // Run 2: the same command line; resumes from that checkpoint, plays the rest.
        long restartedAt = System.nanoTime();
        Run second = Run.start(config, workDir.resolve("run-2.log"));
        try {
          second.awaitOutput("running; Flink job", Duration.ofMinutes(2));
          String said =
              second.output().lines().filter(l -> l.startsWith("state: ")).findFirst().orElse("");
          System.out.println("[RunRestartIT] run 2 printed: " + said);
          assertTrue(
              said.startsWith("state: resuming from checkpoint " + atKill.checkpointId() + " "),
              said + " / expected " + atKill.describe());
          assertTrue(said.contains(atKill.path().toString()), said);

          WorkOrder closed =
              RestartChecks.selfClearsAfterRestart("run 2", orders, feed, end, dispatched);
          System.out.printf(
              "[RunRestartIT] order %s self-cleared %d s after the restart%n",
              closed.getId(), TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - restartedAt));
        } finally {
          // SIGTERM: a clean stop, with a savepoint the next start would resume from.
          second.terminate();
        }
        assertTrue(
            second.output().contains("stopped the job with savepoint"),
            "SIGTERM stops with a savepoint: " + tail(second.output()));
        assertTrue(RestorePoint.latest(stateDir).orElseThrow().savepoint(), "newest: a savepoint");
      } finally {
        orders.close();
        feed.close();
        first.kill();
      }
      System.out.printf(
          "[RunRestartIT] test %d s%n", TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0));
    }
  }

  private static String tail(String output) {
    return output.substring(Math.max(0, output.length() - 3000));
  }

  /** {@code streetsense run --config FILE} in a child JVM on this test's classpath. */
  private record Run(Process process, Path log) {
    static Run start(Path config, Path log) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder builder =
          new ProcessBuilder(
                  java,
                  "-Xmx768m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  "io.streetsense.cli.StreetSense",
                  "run",
                  "--config",
                  config.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      return new Run(builder.start(), log);
    }

    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }

    void awaitOutput(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!output().contains(text)) {
        if (!process.isAlive()) {
          throw new AssertionError(
              "streetsense run exited " + process.exitValue() + ":\n" + tail(output()));
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("no '" + text + "' within " + timeout + ":\n" + tail(output()));
        }
        Thread.sleep(200);
      }
    }

    /** SIGKILL: no shutdown hook, no savepoint. */
    void kill() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly(); // SIGKILL on Unix
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }

    /** SIGTERM, as a service manager stops it; waits for the shutdown hook's clean stop. */
    void terminate() throws InterruptedException {
      if (process.isAlive()) {
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(120, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          throw new AssertionError("did not stop within 120 s of SIGTERM");
        }
      }
    }
  }
}

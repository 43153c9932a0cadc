package io.streetsense.app;

import static io.streetsense.app.StallLoop.BLOCK_MAPS;
import static io.streetsense.app.StallLoop.FIRST_ACCEPT;
import static io.streetsense.app.StallLoop.FIRST_RESOLVE;
import static io.streetsense.app.StallLoop.ORDER_KEY;
import static io.streetsense.app.StallLoop.REWORK_SEEN_BY;
import static io.streetsense.app.StallLoop.SECOND_ACCEPT;
import static io.streetsense.app.StallLoop.SECOND_RESOLVE;
import static io.streetsense.app.StallLoop.START;
import static io.streetsense.app.StallLoop.STREET;
import static io.streetsense.app.StallLoop.STREET_PAST_ACTION;
import static io.streetsense.app.StallLoop.action;
import static io.streetsense.app.StallLoop.assertLoop;
import static io.streetsense.app.StallLoop.assertMonotone;
import static io.streetsense.app.StallLoop.assertNoDuplicates;
import static io.streetsense.app.StallLoop.closedWith;
import static io.streetsense.app.StallLoop.has;
import static io.streetsense.app.StallLoop.kinds;
import static io.streetsense.app.StallLoop.normalised;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.detectors.DetectorConfig;
import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.services.LocalServices;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.avro.Schema;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.CheckpointStatsSnapshot;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.config.Configurator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, must show: kill the Flink job mid-loop and restore from the last checkpoint, and the
 * order's history is exactly what it would have been without the failure — no lost or doubled
 * transitions, each escalation once.
 *
 * <p>The whole job ({@link StreetSenseJob#defineKafkaWorkflow}: Kafka sources, detectors, the
 * work-order loop, exactly-once Kafka sinks) runs twice on one Flink mini cluster against a real
 * Kafka broker, on the same input: a deterministic jiashan-lane street with a stall in the lane
 * (device records produced straight into the device topics, as the bridge would) and the squad's
 * actions at fixed street times. The loop goes file → dispatch → the accept deadline passes
 * (escalation) → accept → resolve while the stall still stands → rework → accept → resolve → the
 * cameras see the lane clear → close. Run 1 is undisturbed; in run 2 the TaskManager is terminated
 * twice mid-loop (once with a team action in flight, once while the detectors drive the rework), a
 * fresh one is started, and Flink restarts the job from its last completed checkpoint.
 *
 * <p>The loop applies actions and violations in event time (sinks/README.md, "Time"): an action
 * waits until the street's watermark passes its {@code requestedAt}. The test paces the street like
 * a real one so that each kill lands at a chosen point of the loop: an action is produced once the
 * street has been played up to its {@code requestedAt}, then the street plays {@link
 * StallLoop#STREET_PAST_ACTION} further (past the detectors' 5 s out-of-orderness) so the watermark
 * reaches the action, and plays on only once the action's effect is committed. While the test waits
 * for an action's effect the street keeps moving slowly ({@link #STREET_WHILE_WAITING} per poll,
 * never past the next action): the watermark needs every busy partition to move, and a camera
 * partition left silent for the detectors' source idleness (30 s) would come back behind the
 * watermark and lose frames as late, differently in each run.
 *
 * <p>Issue 7, fault injection: InfluxDB down for minutes while work orders flow. A third run plays
 * the same loop with InfluxDB stopped from before the street starts until {@link #INFLUX_OUTAGE}
 * has passed ({@code -Dstreetsense.influx.outage=PT5M} for the five minutes; the default
 * keeps the suite short). The work orders must equal the undisturbed run's exactly, and once
 * InfluxDB is back the job's metric points must have caught up: every work-order metric point of
 * the undisturbed run is in InfluxDB (each run writes to its own database), the rest reported.
 */
class WorkOrderFailoverIT {
  private static final int PARALLELISM = 2;
  private static final int PARTITIONS = 2;
  private static final Duration CHECKPOINT_INTERVAL = Duration.ofSeconds(1);
  private static final Duration STEP_TIMEOUT = Duration.ofSeconds(60);
  private static final Duration STREET_WHILE_WAITING = Duration.ofMillis(500);
  private static final String TASK_LOGGER = "org.apache.flink.runtime.taskmanager.Task";
  private static final Duration INFLUX_OUTAGE =
      Duration.parse(System.getProperty("streetsense.influx.outage", "PT60S"));
  // The measurements the work-order loop writes: their points follow from the orders alone, so a
  // run whose orders equal the undisturbed run's must end up with the same points.
  private static final List<String> WORK_ORDER_MEASUREMENTS = List.of("workorders", "closure");

  /** What a run does to the job or its services while the loop plays. */
  private enum Disturbance {
    NONE,
    TASK_MANAGER_KILLS,
    INFLUX_OUTAGE
  }

  /** 1 TaskManager × 4 slots; a failed job restarts from its last checkpoint a few times. */
  @RegisterExtension
  static final MiniClusterExtension CLUSTER =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(4)
              .setConfiguration(restartsFromCheckpoints())
              .build());

  @TempDir static Path workDir;

  private static LocalServices services;
  private static List<StreetFeed.DeviceRecord> street;
  private static RunResult undisturbed;

  /** The index of the live TaskManager: {@link MiniCluster} appends each new one. */
  private static int taskManager;

  private static Configuration restartsFromCheckpoints() {
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 4);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    return conf;
  }

  @BeforeAll
  static void startServicesAndScriptTheStreet() {
    long t0 = System.nanoTime();
    street = StallLoop.street();
    log("setup", street.size() + " device records after " + millisSince(t0) + " ms");
    services = LocalServices.start(workDir.resolve("services"));
    log("setup", "services up after " + millisSince(t0) + " ms");
  }

  @AfterAll
  static void stopServices() {
    if (services != null) {
      services.close();
    }
  }

  /** The control run, played once for both tests (whichever runs first plays it). */
  private RunResult undisturbed(MiniCluster cluster) throws Exception {
    if (undisturbed == null) {
      RunResult control = play(cluster, "undisturbed", Disturbance.NONE);
      // The control: the whole loop, each escalation once. Kept for the other test only when it
      // holds, so that a broken control fails both tests rather than being compared against.
      assertLoop(control.last());
      assertEquals(0, control.restoredCheckpoints(), "run 1 ran without a failure");
      assertNoDuplicates(control.name(), control.committed());
      assertMonotone(control.name(), control.committed(), control.last());
      undisturbed = control;
    }
    return undisturbed;
  }

  @Test
  void killingTheTaskManagerMidLoop_restoresFromTheLastCheckpoint_withTheUndisturbedHistory(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    long t0 = System.nanoTime();
    RunResult undisturbed = undisturbed(cluster);
    RunResult failover = play(cluster, "failover", Disturbance.TASK_MANAGER_KILLS);

    // The failover went through Flink's restart from a checkpoint (twice, once per kill).
    assertTrue(
        failover.restoredCheckpoints() >= failover.kills() && failover.kills() >= 1,
        "restored " + failover.restoredCheckpoints() + " times for " + failover.kills());

    // Dead letters are reported, not compared. jiashan-lane's berth sensors send about one
    // message a minute per partition, so a parking partition is marked idle (the sources' 30 s
    // idleness) during most of the test's waits; when the next bulk of street is played, one
    // partition's reader can carry the parking watermark past the other's records, which the
    // occupancy detector then dead-letters as late. Which ones depends on how the two readers'
    // fetches interleave, not on the failover: CI saw 4 such LATE_EVENTs in an undisturbed run
    // and none in the failover run. The work orders below must still be equal exactly.
    log(
        "compare",
        "dead letters: undisturbed "
            + undisturbed.deadLetters()
            + ", failover "
            + failover.deadLetters());
    assertSameOrders(undisturbed, failover);
    log("compare", "failover compared after " + millisSince(t0) + " ms");
  }

  @Test
  void influxDbDownWhileOrdersFlow_ordersUnchanged_andMetricsCaughtUp(
      @InjectMiniCluster MiniCluster cluster) throws Exception {
    long t0 = System.nanoTime();
    RunResult undisturbed = undisturbed(cluster);
    RunResult outage = play(cluster, "influx-outage", Disturbance.INFLUX_OUTAGE);

    assertSameOrders(undisturbed, outage);
    log(
        "compare",
        "metric points: undisturbed "
            + undisturbed.points()
            + ", InfluxDB outage "
            + outage.points());
    for (String measurement : WORK_ORDER_MEASUREMENTS) {
      assertTrue(
          undisturbed.points().getOrDefault(measurement, 0L) > 0,
          "the undisturbed run wrote " + measurement + " points");
      assertEquals(
          undisturbed.points().get(measurement),
          outage.points().get(measurement),
          measurement + " points after InfluxDB came back");
    }
    log("compare", "InfluxDB outage compared after " + millisSince(t0) + " ms");
  }

  /** Exactly the history of the undisturbed run: same transitions, same order, same fields. */
  private static void assertSameOrders(RunResult undisturbed, RunResult other) {
    String name = other.name();
    List<WorkOrderTransition> expected = undisturbed.last().getHistory();
    List<WorkOrderTransition> actual = other.last().getHistory();
    for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
      assertEquals(expected.get(i), actual.get(i), name + ": transition " + i);
    }
    assertEquals(expected.size(), actual.size(), name + ": transitions " + kinds(actual));
    assertLoop(other.last());
    // And the whole final order, not just its history.
    assertEquals(undisturbed.last(), other.last(), name + ": the closed order");
    log(
        "compare",
        name
            + ": same final order: true; committed records of the order: undisturbed "
            + ofOrder(undisturbed).size()
            + ", "
            + name
            + " "
            + ofOrder(other).size()
            + ", record for record: "
            + firstDifference(ofOrder(undisturbed), ofOrder(other)));
    // The exactly-once sink: nothing committed twice, nothing committed out of order.
    assertNoDuplicates(other.name(), other.committed());
    assertMonotone(other.name(), other.committed(), other.last());
  }

  private static long millisSince(long nanos) {
    return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
  }

  /**
   * The committed records of the stall's order. They need not match record for record between runs:
   * a deadline timer that fires before the late accept arrives writes the escalation as a record of
   * its own, an accept that arrives first writes it together with the accept — same history.
   */
  private static List<WorkOrder> ofOrder(RunResult run) {
    return run.committed().stream().filter(o -> o.getId().equals(run.last().getId())).toList();
  }

  /** Where two committed sequences first differ, and in which fields: for the test's report. */
  private static String firstDifference(List<WorkOrder> a, List<WorkOrder> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).equals(b.get(i))) {
        List<String> fields = new ArrayList<>();
        for (Schema.Field field : WorkOrder.getClassSchema().getFields()) {
          if (!Objects.equals(a.get(i).get(field.pos()), b.get(i).get(field.pos()))) {
            fields.add(field.name());
          }
        }
        return "first difference at record " + i + " in " + fields;
      }
    }
    return a.size() == b.size() ? "the same" : "one is a prefix of the other";
  }

  /**
   * What one run committed (every order, processing-time stamps blanked), the stall's order at the
   * end, and how often its job was killed and restored.
   */
  private record RunResult(
      String name,
      List<WorkOrder> committed,
      WorkOrder last,
      int kills,
      long restoredCheckpoints,
      Map<String, Long> deadLetters,
      Map<String, Long> points) {}

  /**
   * Plays the street and the squad into a fresh job on fresh topics and its own InfluxDB database,
   * step by step, with the run's {@link Disturbance}.
   */
  private RunResult play(MiniCluster cluster, String name, Disturbance disturbance)
      throws Exception {
    boolean kill = disturbance == Disturbance.TASK_MANAGER_KILLS;
    String database = "failover_" + name.replace('-', '_');
    long t0 = System.nanoTime();
    String run = name + "-" + UUID.randomUUID();
    Topics topics = Topics.withPrefix("failover-" + run + ".");
    String kafka = services.kafka().bootstrapServers();
    PipelineTopics.ensure(
        PipelineTopics.adminProperties(kafka, new Properties()), topics, PARTITIONS);
    StreetSenseJob.Settings settings =
        new StreetSenseJob.Settings(
            kafka,
            new Properties(),
            topics,
            "failover-" + run,
            "failover-" + run, // unique transactional ids per run
            InfluxDbSettings.of(services.influx().url(), database),
            DetectorConfig.defaults(),
            CHECKPOINT_INTERVAL);

    Configuration conf = restartsFromCheckpoints();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(PARALLELISM);
    StreetSenseJob.defineKafkaWorkflow(env, settings, BLOCK_MAPS, Clock.systemUTC());
    JobClient job = env.executeAsync("failover-" + name);
    JobID jobId = job.getJobID();
    int kills = 0;
    log(
        name,
        "job " + jobId + " submitted; topics " + topics.workOrders().replace("workorders", "*"));

    long influxStopped = 0;
    if (disturbance == Disturbance.INFLUX_OUTAGE) {
      services.influx().stop();
      influxStopped = System.nanoTime();
      log(name, "InfluxDB stopped for " + INFLUX_OUTAGE + " before the street starts");
    }
    try (StreetFeed feed = new StreetFeed(kafka, topics, street);
        CommittedOrders orders = new CommittedOrders(kafka, topics.workOrders(), ORDER_KEY)) {
      // 1. The stall is filed and dispatched; the accept deadline passes with nobody accepting.
      feed.until(FIRST_ACCEPT);
      WorkOrder dispatched =
          orders.await(name, "DISPATCH", STEP_TIMEOUT, o -> has(o, TransitionKind.DISPATCH, null));
      assertTrue(
          dispatched.getAcceptBy().isBefore(FIRST_ACCEPT),
          "accept_by " + dispatched.getAcceptBy() + " passes before the first accept");
      String orderId = dispatched.getId();
      log(name, "dispatched " + orderId + ", accept by " + dispatched.getAcceptBy());

      // 2. The squad accepts late: the escalation comes first. Run 2 loses its TaskManager now.
      feed.action(action(orderId, "a1-accept", TeamActionType.ACCEPT, FIRST_ACCEPT));
      feed.until(FIRST_ACCEPT.plus(STREET_PAST_ACTION));
      if (kill) {
        kills++;
        killTaskManager(cluster, jobId, name, orders, kills);
      }
      orders.await(
          name,
          "ACCEPT a1",
          STEP_TIMEOUT,
          o -> has(o, null, "a1-accept"),
          () -> feed.advance(STREET_WHILE_WAITING, FIRST_RESOLVE));

      // 3. Resolved while the stall still stands.
      feed.until(FIRST_RESOLVE);
      feed.action(action(orderId, "a2-resolve", TeamActionType.RESOLVE, FIRST_RESOLVE));
      feed.until(FIRST_RESOLVE.plus(STREET_PAST_ACTION));
      orders.await(
          name,
          "RESOLVE a2",
          STEP_TIMEOUT,
          o -> has(o, null, "a2-resolve"),
          () -> feed.advance(STREET_WHILE_WAITING, REWORK_SEEN_BY));

      // 4. The cameras still see it clear_for after the resolution: rework. Run 2 loses its
      // TaskManager again while the detectors drive this.
      feed.until(REWORK_SEEN_BY);
      if (kill) {
        kills++;
        Thread.sleep(700); // let the job pick the street up before the kill
        killTaskManager(cluster, jobId, name, orders, kills);
      }
      orders.await(name, "REWORK", STEP_TIMEOUT, o -> has(o, TransitionKind.REWORK, null));

      // 5. Accepted again, resolved as the vendor packs up.
      feed.action(action(orderId, "a3-accept", TeamActionType.ACCEPT, SECOND_ACCEPT));
      feed.action(action(orderId, "a4-resolve", TeamActionType.RESOLVE, SECOND_RESOLVE));
      feed.until(SECOND_RESOLVE.plus(STREET_PAST_ACTION));
      orders.await(
          name,
          "RESOLVE a4",
          STEP_TIMEOUT,
          o -> has(o, null, "a4-resolve"),
          () -> feed.advance(STREET_WHILE_WAITING, START.plus(STREET)));

      // 6. The lane is seen clear for clear_for: verified and closed.
      feed.until(START.plus(STREET));
      WorkOrder closed =
          orders.await(name, "CLOSED", STEP_TIMEOUT, o -> o.getStatus() == WorkOrderStatus.CLOSED);
      if (disturbance == Disturbance.INFLUX_OUTAGE) {
        long down = System.nanoTime() - influxStopped;
        assertEquals(Map.of(), points(database), "nothing reached InfluxDB while it was down");
        if (down < INFLUX_OUTAGE.toNanos()) {
          Thread.sleep(Duration.ofNanos(INFLUX_OUTAGE.toNanos() - down).toMillis());
        }
        services.influx().start();
        log(
            name,
            "InfluxDB started again after "
                + Duration.ofNanos(System.nanoTime() - influxStopped).toSeconds()
                + " s down (the whole loop played meanwhile)");
      }
      // The job's metric sink sends in the background (and backs off up to 30 s while InfluxDB is
      // down): wait until the points stop changing before the job is cancelled.
      Map<String, Long> points =
          settledPoints(
              name,
              database,
              Duration.ofSeconds(disturbance == Disturbance.INFLUX_OUTAGE ? 35 : 5));

      AccessExecutionGraph graph = cluster.getExecutionGraph(jobId).get(30, TimeUnit.SECONDS);
      CheckpointStatsSnapshot checkpoints = graph.getCheckpointStatsSnapshot();
      long restored = checkpoints.getCounts().getNumberOfRestoredCheckpoints();
      int attempts = 0;
      for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
        attempts = Math.max(attempts, vertex.getCurrentExecutionAttempt().getAttemptNumber());
      }
      int aborted = CommittedOrders.countAborted(kafka, topics.workOrders());
      Map<String, Long> deadLetters =
          CommittedOrders.committedDeadLetters(kafka, topics.deadLetters());
      log(name, "committed dead letters: " + deadLetters);
      Duration wall = Duration.ofNanos(System.nanoTime() - t0);
      log(
          name,
          closedWith(closed, orders.committed().size())
              + ", checkpoints completed "
              + checkpoints.getCounts().getNumberOfCompletedCheckpoints()
              + ", restarts "
              + attempts
              + ", restored from a checkpoint "
              + restored
              + " times"
              + "; written but never committed (aborted) "
              + aborted
              + (checkpoints.getLatestRestoredCheckpoint() == null
                  ? ""
                  : " (last: checkpoint "
                      + checkpoints.getLatestRestoredCheckpoint().getCheckpointId()
                      + ")")
              + "; wall time "
              + wall.toMillis()
              + " ms");
      return new RunResult(
          name,
          normalised(orders.committed()),
          normalised(closed),
          kills,
          restored,
          deadLetters,
          points);
    } finally {
      job.cancel().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Terminates the job's TaskManager (its tasks die with it, open Kafka transactions are left
   * behind), starts a fresh one, and waits for Flink to have restored the job from a checkpoint.
   */
  private void killTaskManager(
      MiniCluster cluster, JobID jobId, String name, CommittedOrders orders, int kills)
      throws Exception {
    List<WorkOrderTransition> before = orders.latestHistory();
    // Each task of the terminated TaskManager logs its (expected) failure with a stack trace at
    // WARN: some 1,000 lines a kill. Flink's other warnings and errors still show.
    Level taskLogLevel = LogManager.getLogger(TASK_LOGGER).getLevel();
    Configurator.setLevel(TASK_LOGGER, Level.ERROR);
    try {
      long t0 = System.nanoTime();
      cluster.terminateTaskManager(taskManager).get(30, TimeUnit.SECONDS);
      cluster.startTaskManager();
      taskManager++;
      awaitRestored(cluster, jobId, name, before, kills, t0);
    } finally {
      Configurator.setLevel(TASK_LOGGER, taskLogLevel);
    }
  }

  private static void awaitRestored(
      MiniCluster cluster,
      JobID jobId,
      String name,
      List<WorkOrderTransition> before,
      int kills,
      long t0)
      throws Exception {
    long deadline = System.nanoTime() + STEP_TIMEOUT.toNanos();
    while (true) {
      AccessExecutionGraph graph = cluster.getExecutionGraph(jobId).get(30, TimeUnit.SECONDS);
      assertFalse(graph.getState().isGloballyTerminalState(), "the job ended: " + graph.getState());
      long restored =
          graph.getCheckpointStatsSnapshot().getCounts().getNumberOfRestoredCheckpoints();
      if (restored >= kills && graph.getState() == JobStatus.RUNNING && allRunning(graph)) {
        var checkpoint = graph.getCheckpointStatsSnapshot().getLatestRestoredCheckpoint();
        log(
            name,
            "kill "
                + kills
                + ": TaskManager terminated with "
                + kinds(before)
                + " committed; job running again from checkpoint "
                + (checkpoint == null ? "?" : checkpoint.getCheckpointId())
                + " after "
                + Duration.ofNanos(System.nanoTime() - t0).toMillis()
                + " ms");
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "the job did not come back after the TaskManager was killed: " + graph.getState());
      }
      Thread.sleep(50);
    }
  }

  private static boolean allRunning(AccessExecutionGraph graph) {
    for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
      if (vertex.getExecutionState() != ExecutionState.RUNNING) {
        return false;
      }
    }
    return true;
  }

  /** Points per measurement in a run's database (empty while InfluxDB is down or has none). */
  private static Map<String, Long> points(String database) {
    Map<String, Long> counts = new TreeMap<>();
    List<String> measurements;
    try {
      measurements = services.influx().measurements(database);
    } catch (RuntimeException e) {
      return counts; // down, or no database yet
    }
    for (String measurement : measurements) {
      counts.put(measurement, services.influx().pointCount(database, measurement));
    }
    return counts;
  }

  /**
   * The run's points once they have not changed for {@code quiet} (after an outage: longer than the
   * sink's 30 s backoff, so its next try has come).
   */
  private static Map<String, Long> settledPoints(String run, String database, Duration quiet)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
    Map<String, Long> last = points(database);
    long stableSince = System.nanoTime();
    while (System.nanoTime() - stableSince < quiet.toNanos()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(run + ": metric points still changing after 3 min: " + last);
      }
      Thread.sleep(1000);
      Map<String, Long> now = points(database);
      if (!now.equals(last) || now.isEmpty()) {
        last = now;
        stableSince = System.nanoTime();
      }
    }
    log(run, "metric points settled: " + last);
    return last;
  }

  private static void log(String run, String line) {
    System.out.println("[WorkOrderFailoverIT " + run + "] " + line);
  }
}

package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Map;

/** What a load-test run measured, as written to the JSON report. */
final class Results {
  private Results() {}

  /**
   * One sample, taken every second. Counters are totals since the phase began.
   *
   * @param t seconds since the phase began
   * @param step the step in progress, or {@code hold}
   * @param targetRate the rate asked of the generator (0 while holding)
   * @param genSent device messages the generator published
   * @param genAcked of those, acknowledged by the broker (PUBACK)
   * @param genBehindMs how late the generator was with the message it was about to send
   * @param bridgeReceived MQTT messages the bridge received
   * @param bridgeDeadLetters of those, rejected (dead letters)
   * @param deviceRecords records on the Kafka device topics (sum of end offsets)
   * @param flinkConsumed records the job's Kafka sources fetched (sum of their current offsets)
   * @param flinkCommitted the job's offsets committed to Kafka on checkpoints
   * @param forwarded records on the passthrough's output topics (sum of end offsets)
   * @param violations violation records read (committed)
   * @param workOrders work-order records read (committed)
   * @param lag messages acknowledged to the generator and not yet fetched by the job
   * @param bridgeLag of those, still in the MQTT broker (not yet in Kafka)
   * @param flinkLag of those, in Kafka and not yet fetched by the job
   * @param watermarkDelayMs wall time since the message that would move the job's source watermark
   *     past its current value was due (NaN while holding)
   * @param cpuTicks CPU ticks (1/100 s) used by each process so far
   * @param rssBytes resident memory of each process
   * @param heapUsed heap in use of each JVM (hsperfdata)
   * @param gcMillis GC time of each JVM so far
   * @param taskBusyMs Flink busy time per task (ms per second, summed over subtasks); in the JSON
   *     only as the steps' averages
   * @param taskBackPressuredMs Flink back-pressured time per task (ms per second); likewise
   * @param checkpoints completed checkpoints of the job
   * @param lastCheckpointMs duration of the latest checkpoint
   */
  record Sample(
      double t,
      long wallMs,
      String step,
      double targetRate,
      long genSent,
      long genAcked,
      double genBehindMs,
      long bridgeReceived,
      long bridgeDeadLetters,
      long deviceRecords,
      long flinkConsumed,
      long flinkCommitted,
      long forwarded,
      long violations,
      long workOrders,
      long lag,
      long bridgeLag,
      long flinkLag,
      double watermarkDelayMs,
      long machineBusyTicks,
      long machineTotalTicks,
      double loadAverage1,
      Map<String, Long> cpuTicks,
      Map<String, Long> rssBytes,
      Map<String, Long> heapUsed,
      Map<String, Double> gcMillis,
      @JsonIgnore Map<String, Double> taskBusyMs,
      @JsonIgnore Map<String, Double> taskBackPressuredMs,
      double checkpoints,
      double lastCheckpointMs,
      double lastCheckpointFullBytes) {}

  /**
   * One step at a fixed rate.
   *
   * @param kind {@code warm-up}, {@code fixed}, {@code search} or {@code at-80%}
   * @param measuredSeconds length of the window the figures are over (after the step's warm-up)
   * @param lagSlope least-squares growth of {@code lag} over the window, msgs/s
   * @param lagSlopeShare {@code lagSlope / targetRate}; sustainable when at most 0.01
   * @param verdict why the step counts as sustained or not
   * @param cpuCores CPU seconds per second of each process ({@code other}: the rest of the machine)
   * @param sutThreadCores the bridge+Flink JVM's CPU by thread group, cores
   * @param flinkTasks per Flink task: busy and back-pressured share of a core (summed over
   *     subtasks)
   */
  record Step(
      String label,
      String kind,
      double targetRate,
      double startSeconds,
      double endSeconds,
      double measuredSeconds,
      double offeredRate,
      double ackedRate,
      double bridgeRate,
      double flinkRate,
      double forwardRate,
      double violationsRate,
      double workOrdersRate,
      long lagStart,
      long lagEnd,
      long bridgeLagEnd,
      long flinkLagEnd,
      double lagSlope,
      double lagSlopeShare,
      double generatorBehindMaxMs,
      boolean sustainable,
      String verdict,
      Map<String, LatencyBook.Summary> latency,
      Map<String, Double> cpuCores,
      double machineBusyPercent,
      Map<String, Double> heapMaxMb,
      Map<String, Double> rssMaxMb,
      Map<String, Double> gcPercent,
      Map<String, Map<String, Double>> flinkTasks,
      Map<String, Double> sutThreadCores,
      double checkpointsCompleted,
      double lastCheckpointMs,
      double loadAverageStart,
      double loadAverageEnd) {

    /** This step with its latencies as they stand now (samples keep arriving after its end). */
    Step withLatency(Map<String, LatencyBook.Summary> now) {
      return new Step(
          label,
          kind,
          targetRate,
          startSeconds,
          endSeconds,
          measuredSeconds,
          offeredRate,
          ackedRate,
          bridgeRate,
          flinkRate,
          forwardRate,
          violationsRate,
          workOrdersRate,
          lagStart,
          lagEnd,
          bridgeLagEnd,
          flinkLagEnd,
          lagSlope,
          lagSlopeShare,
          generatorBehindMaxMs,
          sustainable,
          verdict,
          now,
          cpuCores,
          machineBusyPercent,
          heapMaxMb,
          rssMaxMb,
          gcPercent,
          flinkTasks,
          sutThreadCores,
          checkpointsCompleted,
          lastCheckpointMs,
          loadAverageStart,
          loadAverageEnd);
    }
  }

  /**
   * Draining a backlog: the bridge was paused (its MQTT session kept queueing) while the generator
   * published {@code backlog} messages as fast as the broker took them, then resumed.
   *
   * @param endToEndRate backlog / (resume → the job has fetched it all)
   * @param bridgeRate backlog / (resume → the bridge has written it all to Kafka)
   * @param flinkPeakRate the job's highest 5-second fetch rate during the drain
   */
  record Drain(
      long backlog,
      double publishSeconds,
      double publishRate,
      double startSeconds,
      double bridgeSeconds,
      double endToEndSeconds,
      double bridgeRate,
      double endToEndRate,
      double flinkPeakRate,
      boolean completed,
      Map<String, Double> cpuCores,
      double machineBusyPercent,
      Map<String, Double> sutThreadCores,
      double loadAverageStart,
      double loadAverageEnd) {}

  /** Detection accuracy of the pipeline phase against the generator's ground truth. */
  record Accuracy(
      String playedFrom,
      String playedTo,
      double playedEventHours,
      int expected,
      int opened,
      int matched,
      int falsePositives,
      int misses,
      int pendingAtEnd,
      double precision,
      double recall,
      Map<String, Map<String, Object>> byType,
      List<String> missed,
      List<String> falseOpened) {}

  /**
   * One phase: the real pipeline or the passthrough baseline, on the same city and brokers.
   *
   * @param checkpointByOperator per fixed step, the newest checkpoint's state bytes per operator
   *     when it started ("start") and ended ("end"), largest first; empty without a checkpoint
   *     folder
   */
  record Phase(
      String name,
      String topicPrefix,
      double naturalRate,
      double meanPayloadBytes,
      double sutStartSeconds,
      List<Step> steps,
      Double maxSustainableRate,
      Double lowestFailedRate,
      Drain drain,
      Accuracy accuracy,
      Map<String, Object> checks,
      List<Sample> samples,
      Map<String, Map<Long, LatencyBook.Summary>> latencyTimeline,
      Map<String, Map<String, Double>> cpuMicrosPerMessageByStage,
      Map<String, Map<String, Map<String, Long>>> checkpointByOperator) {}
}

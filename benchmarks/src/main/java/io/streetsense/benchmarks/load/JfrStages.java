package io.streetsense.benchmarks.load;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the system under test's CPU goes, by pipeline stage: reads the execution samples of a Java
 * Flight Recording of its JVM ({@code --profile}) and files each under the stage its stack belongs
 * to. The JVM samples running Java threads at a fixed period, so a stage's share of the samples in
 * a step is its share of the Java threads' CPU in that step; {@link #microsPerMessage} turns the
 * shares into CPU microseconds per device message with the step's measured CPU and rate. GC, JIT
 * and the JVM's other native threads are not sampled: the step's thread accounting gives them as
 * one row.
 *
 * <p>A stack is filed by its innermost frame that belongs to a known part (the code that was
 * running), so a JSON parser called by the bridge counts as the bridge's validation and an Avro
 * encoder called by Flink's Kafka sink counts as the sink. Frames of the JDK and of general
 * libraries (collections, logging, Jackson, Avro) are passed over on the way down.
 */
final class JfrStages {
  /** A stage and the frame prefixes (class name starts) that belong to it, tried in this order. */
  private record Rule(String stage, List<String> prefixes) {}

  private static final List<Rule> RULES =
      List.of(
          new Rule(
              "presence detector",
              List.of(
                  "io.streetsense.detectors.presence.PresenceTracker",
                  "io.streetsense.detectors.presence.PresenceDetector")),
          new Rule(
              "zone extraction",
              List.of(
                  "io.streetsense.detectors.presence.ZoneObservationExtractor",
                  "io.streetsense.detectors.presence.FrameZones",
                  "io.streetsense.blockmap.Polygon")),
          new Rule(
              "duplicate-frame filter", List.of("io.streetsense.detectors.DuplicateFrameFilter")),
          new Rule("parking detectors", List.of("io.streetsense.detectors.parking")),
          new Rule("device health", List.of("io.streetsense.detectors.health")),
          new Rule("event-time buffers", List.of("io.streetsense.eventtime")),
          new Rule("work orders", List.of("io.streetsense.sinks.workorders")),
          new Rule(
              "metrics (pipeline tallies, InfluxDB points)",
              List.of(
                  "io.streetsense.sinks.metrics",
                  "io.streetsense.sinks.pipeline",
                  "io.streetsense.app.MetricPoints",
                  "io.streetsense.app.BridgeMetricsReporter",
                  "com.influxdb",
                  "org.influxdb")),
          new Rule("bridge: validation and Avro", List.of("io.streetsense.ingest")),
          new Rule("MQTT client (Paho)", List.of("org.eclipse.paho")),
          new Rule("Kafka producer", List.of("org.apache.kafka.clients.producer")),
          new Rule(
              "Flink Kafka source (fetch, deserialization)",
              List.of(
                  "org.apache.flink.connector.kafka.source",
                  "org.apache.kafka.clients.consumer",
                  "io.streetsense.schemas")),
          new Rule("Flink Kafka sink", List.of("org.apache.flink.connector.kafka.sink")),
          new Rule(
              "Flink keyed state (access) and checkpoints",
              List.of(
                  "org.apache.flink.runtime.state",
                  "org.apache.flink.runtime.checkpoint",
                  "org.apache.flink.streaming.runtime.tasks.AsyncCheckpointRunnable",
                  "org.apache.flink.contrib.streaming.state")),
          new Rule(
              "Flink serialization and network",
              List.of(
                  "org.apache.flink.api.java.typeutils.runtime",
                  "org.apache.flink.api.common.typeutils",
                  "org.apache.flink.formats.avro",
                  "org.apache.flink.runtime.io.network",
                  "org.apache.flink.streaming.runtime.io",
                  "org.apache.flink.runtime.io.network.api.serialization")),
          new Rule("Kafka client network", List.of("org.apache.kafka.common.network")),
          new Rule("Flink runtime (other)", List.of("org.apache.flink")));

  /** Stage of the samples that no rule claims, by the top frame's library. */
  static final String OTHER = "other (JDK, libraries, idle loops)";

  private JfrStages() {}

  /** The stage a stack belongs to: the first rule matching its innermost claimable frame. */
  static String stage(List<String> classNamesInnermostFirst) {
    for (String className : classNamesInnermostFirst) {
      for (Rule rule : RULES) {
        for (String prefix : rule.prefixes()) {
          if (className.startsWith(prefix)) {
            return rule.stage();
          }
        }
      }
    }
    return OTHER;
  }

  /** Execution samples per stage between two wall-clock times (epoch ms). */
  static Map<String, Long> samplesByStage(Path recording, long fromMs, long toMs)
      throws IOException {
    Map<String, Long> samples = new TreeMap<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent event = file.readEvent();
        if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
          continue;
        }
        long at = event.getStartTime().toEpochMilli();
        if (at < fromMs || at >= toMs) {
          continue;
        }
        RecordedStackTrace stack = event.getStackTrace();
        List<String> classes =
            stack == null
                ? List.of()
                : stack.getFrames().stream()
                    .filter(RecordedFrame::isJavaFrame)
                    .map(f -> f.getMethod().getType().getName())
                    .toList();
        samples.merge(stage(classes), 1L, Long::sum);
      }
    }
    return samples;
  }

  /**
   * CPU microseconds per message by stage: each stage's share of the samples times the Java
   * threads' CPU, plus the JVM's own threads as one row, over the message rate.
   *
   * @param javaCores the Java threads' CPU in the step, in cores
   * @param vmCores GC, JIT and other native threads' CPU in the step, in cores
   * @param messagesPerSecond device messages per second through the system in the step
   */
  static Map<String, Double> microsPerMessage(
      Map<String, Long> samples, double javaCores, double vmCores, double messagesPerSecond) {
    Map<String, Double> micros = new LinkedHashMap<>();
    long total = samples.values().stream().mapToLong(Long::longValue).sum();
    if (total == 0 || messagesPerSecond <= 0) {
      return micros;
    }
    double javaMicros = javaCores * 1e6 / messagesPerSecond;
    samples.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .forEach(e -> micros.put(e.getKey(), round(javaMicros * e.getValue() / total)));
    micros.put("GC, JIT, other VM threads (not sampled)", round(vmCores * 1e6 / messagesPerSecond));
    micros.put("total", round((javaCores + vmCores) * 1e6 / messagesPerSecond));
    return micros;
  }

  /** The table as text lines: stage, µs per message, share. */
  static String table(Map<String, Double> micros) {
    StringBuilder out = new StringBuilder();
    double total = micros.getOrDefault("total", 0.0);
    micros.forEach(
        (stage, us) ->
            out.append(
                String.format(
                    Locale.ROOT,
                    "    %-48s %8.1f µs %5.1f %%%n",
                    stage,
                    us,
                    total == 0 ? 0 : 100 * us / total)));
    return out.toString();
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }

  /** The JVM options that record what {@link #samplesByStage} reads. */
  static List<String> recordingOptions(Path recording) {
    return List.of(
        "-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + recording,
        "-XX:FlightRecorderOptions=stackdepth=128");
  }
}

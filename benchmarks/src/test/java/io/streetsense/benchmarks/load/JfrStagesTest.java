package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JfrStagesTest {
  @TempDir Path dir;

  @Test
  void aStackIsFiledByItsInnermostFrameOfAKnownPart() {
    // Jackson parsing called by the bridge: the bridge's validation.
    assertEquals(
        "bridge: validation and Avro",
        JfrStages.stage(
            List.of(
                "com.fasterxml.jackson.core.json.ReaderBasedJsonParser",
                "io.streetsense.ingest.MessageValidator",
                "org.eclipse.paho.client.mqttv3.internal.CommsCallback")));
    // The presence tracker inside a Flink task: the detector, not the runtime.
    assertEquals(
        "presence detector",
        JfrStages.stage(
            List.of(
                "java.util.HashMap",
                "io.streetsense.detectors.presence.PresenceTracker",
                "io.streetsense.eventtime.EventTimeBuffer",
                "org.apache.flink.streaming.runtime.tasks.StreamTask")));
    assertEquals(
        "Kafka producer",
        JfrStages.stage(
            List.of(
                "org.apache.kafka.clients.producer.internals.RecordAccumulator",
                "java.lang.Thread")));
    assertEquals(JfrStages.OTHER, JfrStages.stage(List.of("java.lang.Thread")));
    assertEquals(JfrStages.OTHER, JfrStages.stage(List.of()));
  }

  @Test
  void microsPerMessage_splitsTheJavaThreadsCpuBySampleShare() {
    Map<String, Double> micros =
        JfrStages.microsPerMessage(
            Map.of("presence detector", 30L, "MQTT client (Paho)", 10L), 0.8, 0.2, 10_000);
    // 0.8 cores over 10 000 msgs/s = 80 µs of Java a message: 60 and 20; the VM's 20 µs apart.
    assertEquals(60.0, micros.get("presence detector"));
    assertEquals(20.0, micros.get("MQTT client (Paho)"));
    assertEquals(20.0, micros.get("GC, JIT, other VM threads (not sampled)"));
    assertEquals(100.0, micros.get("total"));
    assertEquals(
        List.of("presence detector", "MQTT client (Paho)"),
        List.copyOf(micros.keySet()).subList(0, 2));
  }

  @Test
  void aRecordingOfThisJvm_isReadBackByStage() throws Exception {
    Path file = dir.resolve("test.jfr");
    long from = System.currentTimeMillis();
    try (Recording recording = new Recording()) {
      recording.enable("jdk.ExecutionSample").withPeriod(Duration.ofMillis(10));
      recording.start();
      long until = System.nanoTime() + Duration.ofMillis(800).toNanos();
      double sink = 0;
      while (System.nanoTime() < until) {
        sink += Math.sqrt(sink + 1); // busy in this test class: "other"
      }
      assertTrue(sink > 0);
      recording.stop();
      recording.dump(file);
    }
    Map<String, Long> samples =
        JfrStages.samplesByStage(file, from, System.currentTimeMillis() + 1);
    long total = samples.values().stream().mapToLong(Long::longValue).sum();
    assertTrue(total >= 10, "execution samples of the busy loop: " + samples);
    assertTrue(samples.getOrDefault(JfrStages.OTHER, 0L) >= total / 2, samples.toString());
    assertEquals(Map.of(), JfrStages.samplesByStage(file, 0, from - 60_000), "outside the window");
  }
}

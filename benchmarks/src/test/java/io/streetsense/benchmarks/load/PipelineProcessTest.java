package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class PipelineProcessTest {
  @Test
  void threadGroupsFoldSubtasksAndNumbers() {
    assertTrue(
        PipelineProcess.threadGroup("Source: camera frames -> map (2/2)#0")
            .equals("Source: camera frames -> map"));
    assertTrue(PipelineProcess.threadGroup("kafka-producer-network-thread | p-12").endsWith("p-#"));
  }
}

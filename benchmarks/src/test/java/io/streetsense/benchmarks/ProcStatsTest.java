package io.streetsense.benchmarks;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProcStatsTest {
  private static final long PID = ProcessHandle.current().pid();

  @Test
  void readsThisJvmsOwnCpuMemoryAndHeap() {
    assumeTrue(Files.exists(Path.of("/proc/self/stat")), "Linux only");
    assertTrue(ProcStats.cpuTicks(PID) >= 0);
    assertTrue(ProcStats.rssBytes(PID) > 0);
    Path perf =
        Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), Long.toString(PID));
    assumeTrue(Files.exists(perf), "this JVM writes no hsperfdata");
    ProcStats.JvmHeap heap = ProcStats.jvmHeap(PID);
    assertNotNull(heap);
    assertTrue(heap.used() > 0 && heap.committed() >= heap.used(), heap.toString());
  }

  @Test
  void somethingElseIsNotPerfData() {
    assertNull(ProcStats.parseHeap(new byte[64]));
    assertNull(ProcStats.cpuTicks(-1) >= 0 ? "" : null);
  }
}

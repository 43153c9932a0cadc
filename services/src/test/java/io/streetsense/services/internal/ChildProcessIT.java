package io.streetsense.services.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChildProcessIT {
  @TempDir Path workDir;

  @Test
  void startFailure_reportsExitCodeAndLogTail() {
    ChildProcess p =
        process(List.of("/bin/sh", "-c", "echo 'Error: cannot bind the port'; exit 3"));
    p.start();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> p.awaitReady(Duration.ofSeconds(10), "readiness", () -> false));
    assertTrue(e.getMessage().contains("with code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("Error: cannot bind the port"), e.getMessage());
  }

  @Test
  void stop_terminatesTheRealChild_andKillIsIdempotent() {
    ChildProcess p = process(List.of("sleep", "600"));
    p.start();
    long pid = p.pid();
    assertTrue(
        ProcessHandle.of(pid).map(h -> h.info().command().orElse("")).orElse("").endsWith("sleep"));
    p.stop();
    assertFalse(p.isAlive());
    assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    p.kill();
    p.stop();
  }

  @Test
  void notReadyInTime_killsTheChild() {
    ChildProcess p = process(List.of("sleep", "600"));
    p.start();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> p.awaitReady(Duration.ofMillis(300), "never", () -> false));
    assertTrue(e.getMessage().contains("did not get ready"), e.getMessage());
    assertFalse(p.isAlive());
  }

  private ChildProcess process(List<String> command) {
    return new ChildProcess(
        "test", command, workDir, workDir.resolve("test.log"), Map.of(), Duration.ofSeconds(5));
  }
}

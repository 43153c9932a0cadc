package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SimulatorMainTest {

  private static String[] run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        SimulatorMain.run(
            args,
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new String[] {
      Integer.toString(code),
      out.toString(StandardCharsets.UTF_8),
      err.toString(StandardCharsets.UTF_8)
    };
  }

  @Test
  void helpListsEveryOption() {
    String[] r = run("--help");
    assertEquals("0", r[0]);
    for (String option :
        new String[] {
          "--mqtt",
          "--blockmaps",
          "--scenario",
          "--speed",
          "--duration",
          "--seed",
          "--ground-truth",
          "--start"
        }) {
      assertTrue(r[1].contains(option), option);
    }
  }

  @Test
  void badUsageExitsWithTwoAndSaysWhy() {
    String[] r = run("--speed", "fast");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("--speed fast"), r[2]);
    assertEquals("2", run("--frobnicate", "1")[0]);
    assertEquals("2", run("--scenario", "rush")[0]);
    assertEquals("2", run("--duration")[0]);
  }

  @Test
  void optionsParse() {
    SimulatorMain.Options o =
        SimulatorMain.parse(
            new String[] {
              "--mqtt=tcp://h:1",
              "--blockmaps",
              "maps",
              "--speed",
              "0",
              "--duration",
              "90s",
              "--seed",
              "42",
              "--start",
              "2026-11-23T02:00:00Z",
              "--ground-truth",
              "t.json"
            });
    assertEquals("tcp://h:1", o.mqtt());
    assertEquals(Path.of("maps"), o.blockmaps());
    assertEquals(0, o.speed());
    assertEquals(Duration.ofSeconds(90), o.duration());
    assertEquals(42, o.seed());
    assertEquals(Instant.parse("2026-11-23T02:00:00Z"), o.start());
    assertEquals(Path.of("t.json"), o.groundTruth());
    assertNull(SimulatorMain.parse(new String[] {"--start", "now"}).start());
  }

  @Test
  void durationsReadIsoAndShortForms() {
    assertEquals(Duration.ofMinutes(30), SimulatorMain.duration("--duration", "PT30M"));
    assertEquals(Duration.ofMinutes(30), SimulatorMain.duration("--duration", "30m"));
    assertEquals(Duration.ofHours(2), SimulatorMain.duration("--duration", "2h"));
    assertThrows(IllegalArgumentException.class, () -> SimulatorMain.duration("--d", "soon"));
    assertThrows(IllegalArgumentException.class, () -> SimulatorMain.duration("--d", "0s"));
  }

  @Test
  void anUnknownBlockIsABadUsage() {
    String[] r =
        run("--blockmaps", TestMaps.repositoryBlockMaps().toString(), "--block", "atlantis");
    assertEquals("2", r[0]);
    assertTrue(r[2].contains("atlantis"), r[2]);
  }
}

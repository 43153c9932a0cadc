package io.streetsense.benchmarks.load;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleRunTest {
  private static ScaleRun.Point point(int blocks, Double checkpointBytes, String error) {
    return new ScaleRun.Point(
        blocks,
        blocks * 150,
        blocks * 13,
        blocks * 86,
        4000,
        4000,
        3990,
        3980,
        error == null,
        "lag trend +0 msgs/s",
        "job",
        512.0,
        400.0,
        120.0,
        2.5,
        900.0,
        0.8,
        201.0,
        checkpointBytes,
        checkpointBytes,
        350.0,
        checkpointBytes == null ? null : checkpointBytes / (blocks * 150),
        12.0,
        error);
  }

  @Test
  void tableHasARowPerCityAndMarksMissingFigures() {
    String table =
        ScaleRun.table(List.of(point(5, 1_048_576.0 * 3, null), point(10, null, "job failed")));
    List<String> lines = table.lines().toList();
    assertEquals("== scale curve", lines.get(0));
    assertTrue(lines.get(2).trim().startsWith("5 "), lines.get(2));
    assertTrue(lines.get(2).contains(" 3.0 "), "checkpoint in MB: " + lines.get(2));
    assertTrue(lines.get(3).trim().startsWith("10 "), lines.get(3));
    assertTrue(lines.get(3).contains(" NO "), lines.get(3));
    assertTrue(lines.get(3).contains(" - "), "no checkpoint shows as '-': " + lines.get(3));
    assertTrue(table.contains("heap and GC are the job JVM's"), table);
    assertTrue(table.contains("10 blocks: ERROR job failed"), table);
  }
}

package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InfluxDbIT {
  @TempDir Path workDir;

  @Test
  void shouldWriteAndQueryAPointAndKeepItAcrossKillAndRestart() {
    try (InfluxDb influx = InfluxDb.start(workDir)) {
      influx.createDatabase("streetsense");
      influx.write("streetsense", "occupancy,zone=z1 spots=3i 1700000000000000000");

      String json = influx.query("streetsense", "SELECT spots FROM occupancy WHERE zone='z1'");
      assertTrue(json.contains("[\"2023-11-14T22:13:20Z\",3]"), json);

      String url = influx.url();
      influx.kill();
      assertFalse(influx.isRunning());
      influx.start();
      assertEquals(url, influx.url());
      assertTrue(
          influx.query("streetsense", "SELECT spots FROM occupancy").contains(",3]"),
          "point lost across kill");

      influx.restart();
      assertTrue(influx.query("streetsense", "SELECT spots FROM occupancy").contains(",3]"));
    }
  }

  @Test
  void shouldListMeasurementsAndCountTheirPoints() {
    try (InfluxDb influx = InfluxDb.start(workDir)) {
      influx.createDatabase("streetsense");
      influx.write(
          "streetsense",
          String.join(
              "\n",
              "workorders,block=b filed=1i 1700000000000000000",
              "workorders,block=b filed=2i 1700000001000000000",
              "closure,block=b closed=1i 1700000002000000000"));
      assertEquals(List.of("closure", "workorders"), influx.measurements("streetsense"));
      assertEquals(2, influx.pointCount("streetsense", "workorders"));
      assertEquals(1, influx.pointCount("streetsense", "closure"));
      assertEquals(List.of(), influx.measurements("missing"), "no database, no measurements");
    }
  }

  @Test
  void shouldReportQueryErrors() {
    try (InfluxDb influx = InfluxDb.start(workDir)) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class, () -> influx.query("missing", "SELECT * FROM nope"));
      assertTrue(e.getMessage().contains("database not found"), e.getMessage());
    }
  }
}

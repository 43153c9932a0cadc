package io.streetsense.sinks.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.InfluxDb;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metrics writer against a real InfluxDB that goes down and comes back mid-run. */
class InfluxDbWriterIT {
  private static final long T0 = 1_763_856_000_000L;

  @TempDir static Path workDir;
  private static InfluxDb influx;

  @BeforeAll
  static void startInflux() {
    influx = InfluxDb.start(workDir.resolve("influx"));
  }

  @AfterAll
  static void stopInflux() {
    if (influx != null) {
      influx.close();
    }
  }

  private static MetricPoint point(String zone, long i) {
    return MetricPoint.measurement("parking_occupancy")
        .tag("block", "jiashan-lane")
        .tag("zone", zone)
        .field("occupied", i % 9)
        .field("capacity", 8L)
        .at(T0 + i * 1000);
  }

  private static InfluxDbWriter writer(String database, int bufferLimit) {
    InfluxDbSettings settings =
        new InfluxDbSettings(
            influx.url(), database, null, null, 100, Duration.ofMillis(100), bufferLimit);
    return new InfluxDbWriter(settings, new UnregisteredMetricsGroup());
  }

  private static long countIn(String database, String zone) {
    return influx.firstValue(
        database, "SELECT count(occupied) FROM parking_occupancy WHERE zone = '" + zone + "'");
  }

  private static void await(LongSupplier value, long expected, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (value.getAsLong() < expected && System.nanoTime() < deadline) {
      Thread.sleep(50);
    }
    assertEquals(expected, value.getAsLong());
  }

  @Test
  void influxDown_pointsWaitInTheBuffer_andCatchUpWhenItReturns() throws Exception {
    InfluxDbWriter writer = writer("catchup", 100_000);
    try {
      for (long i = 0; i < 1000; i++) {
        writer.write(point("JS-Z-P1", i), null);
      }
      await(writer::pointsWritten, 1000, Duration.ofSeconds(30));

      influx.stop();
      for (long i = 1000; i < 3000; i++) {
        writer.write(point("JS-Z-P1", i), null);
      }
      Thread.sleep(1000);
      assertTrue(writer.writeFailures() > 0, "writes failed while InfluxDB was down");
      assertEquals(1000, writer.pointsWritten(), "nothing written while down");

      influx.start();
      await(writer::pointsWritten, 3000, Duration.ofSeconds(60));
      assertEquals(0, writer.pointsDropped());
      assertEquals(3000, countIn("catchup", "JS-Z-P1"), "every point is in InfluxDB");
    } finally {
      writer.close();
    }
  }

  @Test
  void influxDownLongerThanTheBufferHolds_dropsTheOldest_andCountsThem() throws Exception {
    InfluxDbWriter writer = writer("bounded", 500);
    try {
      writer.write(point("JS-Z-P2", 0), null);
      await(writer::pointsWritten, 1, Duration.ofSeconds(30));

      influx.stop();
      for (long i = 1; i <= 2000; i++) {
        writer.write(point("JS-Z-P2", i), null);
      }
      assertTrue(writer.buffered() <= 500, "the buffer stays bounded");
      influx.start();
      await(() -> writer.pointsWritten() + writer.pointsDropped(), 2001, Duration.ofSeconds(60));

      assertEquals(1500, writer.pointsDropped(), "2000 points, room for 500");
      assertEquals(writer.pointsWritten(), countIn("bounded", "JS-Z-P2"));
    } finally {
      writer.close();
    }
  }

  @Test
  void replayingTheSamePoints_writesTheSameSeries() throws Exception {
    InfluxDbWriter writer = writer("replay", 10_000);
    try {
      for (int replay = 0; replay < 2; replay++) {
        for (long i = 0; i < 200; i++) {
          writer.write(point("JS-Z-P1", i), null);
        }
      }
      await(writer::pointsWritten, 400, Duration.ofSeconds(30));
      assertEquals(
          200, countIn("replay", "JS-Z-P1"), "same measurement, tags and time: overwritten");
    } finally {
      writer.close();
    }
  }
}

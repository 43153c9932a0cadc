package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.services.internal.Ports;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalServicesIT {
  @TempDir Path workDir;

  @Test
  void shouldStartAllThreeInParallelAndStopThem() {
    LocalServices services = LocalServices.start(workDir);
    try {
      Map<String, Duration> times = services.startupTimes();
      System.out.println("LocalServices start-up times (ms): " + millis(times));
      assertTrue(times.get("total").compareTo(Duration.ofSeconds(60)) < 0, times.toString());

      services.kafka().createTopic("local-services-it", 1, false);
      assertTrue(Ports.isAccepting(services.mqtt().port()));
      services.influx().createDatabase("local_services_it");
      assertTrue(services.influx().query(null, "SHOW DATABASES").contains("local_services_it"));
      assertTrue(Ports.isAccepting(URI.create(services.influx().url()).getPort()));
    } finally {
      services.close();
    }
    services.close(); // idempotent
    assertFalse(services.kafka().isRunning());
    assertFalse(services.mqtt().isRunning());
    assertFalse(services.influx().isRunning());
  }

  private static String millis(Map<String, Duration> times) {
    StringBuilder s = new StringBuilder();
    times.forEach((k, v) -> s.append(k).append('=').append(v.toMillis()).append(' '));
    return s.toString().trim();
  }
}

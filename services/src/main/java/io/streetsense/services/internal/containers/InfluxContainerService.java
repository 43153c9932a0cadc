package io.streetsense.services.internal.containers;

import io.streetsense.services.InfluxService;
import io.streetsense.services.internal.Ports;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * InfluxDB in {@value #IMAGE} via Testcontainers. NOT EXERCISED on machines without Docker (see
 * {@link ContainerService}).
 */
public final class InfluxContainerService extends ContainerService implements InfluxService {
  public static final String IMAGE = "influxdb:1.8";

  private InfluxContainerService(GenericContainer<?> container) {
    super(container);
  }

  public static InfluxContainerService create() {
    GenericContainer<?> influx =
        new GenericContainer<>(IMAGE)
            .withExposedPorts(8086)
            .withEnv("INFLUXDB_REPORTING_DISABLED", "true")
            .withEnv("INFLUXDB_DATA_WAL_FSYNC_DELAY", "0s")
            .withEnv("INFLUXDB_MONITOR_STORE_ENABLED", "false")
            .waitingFor(Wait.forHttp("/ping").forStatusCode(204));
    influx.setPortBindings(List.of(Ports.freePort() + ":8086"));
    influx.start();
    return new InfluxContainerService(influx);
  }

  @Override
  public String url() {
    return "http://" + container.getHost() + ":" + container.getMappedPort(8086);
  }

  @Override
  protected void awaitReady(Duration timeout) {
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ping =
        HttpRequest.newBuilder(URI.create(url() + "/ping")).timeout(Duration.ofSeconds(2)).build();
    await(
        timeout,
        "InfluxDB at " + url(),
        () -> http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 204);
  }
}

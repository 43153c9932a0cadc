package io.streetsense.services;

import io.streetsense.services.internal.containers.InfluxContainerService;
import io.streetsense.services.internal.containers.KafkaContainerService;
import io.streetsense.services.internal.containers.MosquittoContainerService;
import java.nio.file.Path;

/**
 * Starts each service the way {@link ServiceMode} says: a native child process ({@link
 * KafkaBroker}, {@link MosquittoBroker}, {@link InfluxDb}) or a Testcontainers container.
 *
 * <pre>{@code
 * try (KafkaService kafka = Services.kafka(workDir)) { ... }
 * }</pre>
 */
public final class Services {
  private Services() {}

  public static KafkaService kafka(Path workDir) {
    return ServiceMode.resolved() == ServiceMode.CONTAINERS
        ? KafkaContainerService.create()
        : KafkaBroker.start(workDir);
  }

  public static MqttService mqtt(Path workDir) {
    return mqtt(workDir, MosquittoBroker.builder());
  }

  public static MqttService mqtt(Path workDir, MosquittoBroker.Builder settings) {
    return ServiceMode.resolved() == ServiceMode.CONTAINERS
        ? MosquittoContainerService.create(
            settings.config("listener 1883 0.0.0.0", Path.of("/mosquitto/data"), "stdout", false))
        : settings.start(workDir);
  }

  public static InfluxService influx(Path workDir) {
    return ServiceMode.resolved() == ServiceMode.CONTAINERS
        ? InfluxContainerService.create()
        : InfluxDb.start(workDir);
  }
}

package io.streetsense.services.internal.containers;

import io.streetsense.services.MqttService;
import io.streetsense.services.internal.Ports;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

/**
 * Mosquitto in {@value #IMAGE} via Testcontainers, configured like the native broker. NOT EXERCISED
 * on machines without Docker (see {@link ContainerService}).
 */
public final class MosquittoContainerService extends ContainerService implements MqttService {
  public static final String IMAGE = "eclipse-mosquitto:2.0.21";

  private MosquittoContainerService(GenericContainer<?> container) {
    super(container);
  }

  /**
   * @param config a complete mosquitto.conf listening on 1883 inside the container
   */
  public static MosquittoContainerService create(String config) {
    GenericContainer<?> mosquitto =
        new GenericContainer<>(IMAGE)
            .withExposedPorts(1883)
            .withCopyToContainer(Transferable.of(config), "/mosquitto/config/mosquitto.conf")
            .waitingFor(Wait.forListeningPort());
    mosquitto.setPortBindings(List.of(Ports.freePort() + ":1883"));
    mosquitto.start();
    return new MosquittoContainerService(mosquitto);
  }

  @Override
  public String serverUri() {
    return "tcp://" + container.getHost() + ":" + port();
  }

  @Override
  public int port() {
    return container.getMappedPort(1883);
  }

  @Override
  protected void awaitReady(Duration timeout) {
    await(
        timeout,
        "Mosquitto at " + serverUri(),
        () -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(container.getHost(), port()), 500);
            return true;
          }
        });
  }
}

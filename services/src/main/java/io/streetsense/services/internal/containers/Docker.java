package io.streetsense.services.internal.containers;

import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.DockerClientFactory;

/** Is Testcontainers on the classpath, and does a Docker engine answer? */
public final class Docker {
  private Docker() {}

  public static boolean isOnClasspath() {
    try {
      Class.forName("org.testcontainers.DockerClientFactory", false, Docker.class.getClassLoader());
      Class.forName(
          "org.testcontainers.kafka.KafkaContainer", false, Docker.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** False quickly (a few ms) when no engine runs; never throws. */
  public static boolean isAvailable() {
    return isOnClasspath() && mayHaveAnEngine() && Probe.isDockerAvailable();
  }

  /**
   * Cheap pre-check: without any of these, Testcontainers' own probe can only fail, and it logs
   * that failure at ERROR with a page of detail, which would greet every native run.
   */
  static boolean mayHaveAnEngine() {
    String home = System.getProperty("user.home", "");
    return System.getenv("DOCKER_HOST") != null
        || Files.exists(Path.of("/var/run/docker.sock"))
        || Files.exists(Path.of(home, ".docker", "run", "docker.sock"))
        || Files.exists(Path.of(home, ".testcontainers.properties"));
  }

  /** Separate class so that Testcontainers is only loaded after the classpath check. */
  private static final class Probe {
    static boolean isDockerAvailable() {
      try {
        return DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        return false;
      }
    }
  }
}

package io.streetsense.services;

import io.streetsense.services.internal.containers.Docker;
import java.util.Locale;

/**
 * How {@link Services} and {@link LocalServices} run the brokers: {@code native} child processes,
 * Testcontainers {@code containers}, or {@code auto} (containers when a Docker engine answers,
 * native otherwise).
 *
 * <p>Chosen by the system property {@value #PROPERTY} or else the environment variable {@value
 * #ENV}; default {@code auto}.
 */
public enum ServiceMode {
  NATIVE,
  CONTAINERS,
  AUTO;

  public static final String PROPERTY = "streetsense.services";
  public static final String ENV = "STREETSENSE_SERVICES";

  /** The configured mode, not yet resolved (may be {@link #AUTO}). */
  public static ServiceMode configured() {
    String property = System.getProperty(PROPERTY);
    if (property != null && !property.isBlank()) {
      return parse(property, "system property " + PROPERTY);
    }
    String env = System.getenv(ENV);
    if (env != null && !env.isBlank()) {
      return parse(env, "environment variable " + ENV);
    }
    return AUTO;
  }

  /** The configured mode with {@link #AUTO} resolved to {@link #NATIVE} or {@link #CONTAINERS}. */
  public static ServiceMode resolved() {
    return configured().resolve();
  }

  /** {@link #AUTO} becomes {@link #CONTAINERS} when Docker is usable, else {@link #NATIVE}. */
  public ServiceMode resolve() {
    if (this == AUTO) {
      return Docker.isAvailable() ? CONTAINERS : NATIVE;
    }
    if (this == CONTAINERS && !Docker.isOnClasspath()) {
      throw new IllegalStateException(
          ENV
              + "=containers needs org.testcontainers:testcontainers and testcontainers-kafka on the"
              + " classpath (they are optional dependencies of streetsense-services)");
    }
    return this;
  }

  static ServiceMode parse(String value, String source) {
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          source + " must be one of native, containers, auto; was '" + value + "'", e);
    }
  }
}

package io.streetsense.ingest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A password or similar value that must never reach a log or a command line. {@link #toString()}
 * hides it; only {@link #reveal()} gives it out. Read it from the environment ({@link #fromEnv}) or
 * a file ({@link #fromFile}, e.g. a mounted Kubernetes or Docker secret).
 */
public final class Secret {
  private final String value;
  private final String origin;

  private Secret(String value, String origin) {
    this.value = Objects.requireNonNull(value, "value");
    this.origin = origin;
  }

  public static Secret of(String value) {
    return new Secret(value, "given");
  }

  /**
   * The value of an environment variable.
   *
   * @throws IllegalArgumentException when the variable is not set
   */
  public static Secret fromEnv(String variable) {
    String value = System.getenv(Objects.requireNonNull(variable, "variable"));
    if (value == null) {
      throw new IllegalArgumentException("environment variable " + variable + " is not set");
    }
    return new Secret(value, "env " + variable);
  }

  /** The content of a file, without a trailing line break. */
  public static Secret fromFile(Path file) {
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8);
      return new Secret(value.stripTrailing(), "file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read secret file " + file, e);
    }
  }

  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "<secret from " + origin + ">";
  }
}

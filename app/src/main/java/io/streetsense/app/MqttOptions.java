package io.streetsense.app;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * The MQTT broker the devices publish to and teams receive their pushes from, as {@code run} and
 * {@code views} take it. The password never comes from the command line: from {@code
 * --mqtt-password-file}, else {@code $STREETSENSE_MQTT_PASSWORD}.
 */
public final class MqttOptions {
  public static final String PASSWORD_VARIABLE = "STREETSENSE_MQTT_PASSWORD";

  @Option(
      names = "--mqtt",
      description = "MQTT broker the devices publish to, e.g. tcp://mqtt:1883 or ssl://mqtt:8883.")
  String uri;

  @Option(
      names = "--mqtt-user",
      description =
          "MQTT user name; the password comes from $"
              + PASSWORD_VARIABLE
              + " or --mqtt-password-file.")
  String user;

  @Option(names = "--mqtt-password-file", description = "File holding the MQTT password.")
  Path passwordFile;

  /** The broker's URI, or null when none was given. */
  public String uri() {
    return uri;
  }

  public String user() {
    return user;
  }

  /** The password: from the file when one is given, else the environment variable (or null). */
  public String password() throws IOException {
    if (passwordFile != null) {
      return Files.readString(passwordFile).strip();
    }
    return System.getenv(PASSWORD_VARIABLE);
  }
}

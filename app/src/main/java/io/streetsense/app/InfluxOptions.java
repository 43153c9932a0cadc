package io.streetsense.app;

import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where metrics go: the InfluxDB options of {@code run}, {@code job} and {@code bridge}. */
public final class InfluxOptions {
  static final String PASSWORD_VARIABLE = "STREETSENSE_INFLUX_PASSWORD";

  @Option(names = "--influx", description = "InfluxDB URL (v1 write API), e.g. http://influx:8086.")
  String url;

  @Option(
      names = "--influx-db",
      defaultValue = "streetsense",
      description = "InfluxDB database (or 2.x/3.x bucket). Default: ${DEFAULT-VALUE}.")
  String database;

  @Option(
      names = "--influx-user",
      description =
          "InfluxDB user; the password or token comes from $"
              + PASSWORD_VARIABLE
              + " or --influx-password-file.")
  String user;

  @Option(
      names = "--influx-password-file",
      description = "File holding the InfluxDB password or token.")
  Path passwordFile;

  public boolean given() {
    return url != null;
  }

  /** The settings; the password or token from the file, else the environment variable. */
  public InfluxDbSettings settings() throws IOException {
    if (url == null) {
      throw new IllegalArgumentException(
          "--influx is required (on the command line or in the --config file)");
    }
    InfluxDbSettings settings = InfluxDbSettings.of(url, database);
    String password =
        passwordFile != null
            ? Files.readString(passwordFile).strip()
            : System.getenv(PASSWORD_VARIABLE);
    return user == null && password == null
        ? settings
        : settings.withCredentials(user == null ? "streetsense" : user, password);
  }
}

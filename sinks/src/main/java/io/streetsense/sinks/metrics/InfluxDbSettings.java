package io.streetsense.sinks.metrics;

import java.io.Serializable;
import java.time.Duration;
import java.util.Objects;

/**
 * Where and how metrics are written. InfluxDB 1.x takes a user and password; 2.x and 3.x accept the
 * same v1 write API with a token as the password (user may be anything).
 *
 * @param bufferLimit points held while InfluxDB is down or slow; beyond it the oldest are dropped
 *     and counted — metrics never hold back the work-order path.
 */
public record InfluxDbSettings(
    String url,
    String database,
    String user,
    String password,
    int batchSize,
    Duration flushInterval,
    int bufferLimit)
    implements Serializable {

  public InfluxDbSettings {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(database, "database");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be at least 1, got " + batchSize);
    }
    if (bufferLimit < batchSize) {
      throw new IllegalArgumentException(
          "bufferLimit must be at least batchSize (" + batchSize + "), got " + bufferLimit);
    }
    Objects.requireNonNull(flushInterval, "flushInterval");
  }

  public static InfluxDbSettings of(String url, String database) {
    return new InfluxDbSettings(url, database, null, null, 5000, Duration.ofSeconds(1), 200_000);
  }

  public InfluxDbSettings withCredentials(String user, String password) {
    return new InfluxDbSettings(
        url, database, user, password, batchSize, flushInterval, bufferLimit);
  }

  @Override
  public String toString() {
    // Never print the password or token.
    return "InfluxDbSettings[url=" + url + ", database=" + database + ", user=" + user + "]";
  }
}

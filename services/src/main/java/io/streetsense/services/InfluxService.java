package io.streetsense.services;

import java.util.List;

/**
 * An InfluxDB 1.x server: {@link InfluxDb} (child process) or a container, with a few HTTP helpers
 * so tests can set up and read back data without an Influx client library.
 */
public interface InfluxService extends ManagedService {

  /** {@code http://127.0.0.1:PORT}; stable across stop and start. */
  String url();

  /** {@code CREATE DATABASE "name"} (a no-op when it exists). */
  default void createDatabase(String name) {
    InfluxHttp.createDatabase(url(), name);
  }

  /**
   * Runs InfluxQL against {@code db} and returns the raw JSON response body.
   *
   * @throws IllegalStateException on an HTTP error or when the response reports an error
   */
  default String query(String db, String influxQl) {
    return InfluxHttp.query(url(), db, influxQl);
  }

  /**
   * The first value of the first row of a one-number query ({@code SELECT count(x) …}, {@code
   * sum(x)}), rounded to a whole number: 0 when the query has no rows or the database does not
   * exist yet (a writer creates it with its first point).
   */
  default long firstValue(String db, String influxQl) {
    String answer;
    try {
      answer = query(db, influxQl);
    } catch (IllegalStateException e) {
      if (String.valueOf(e.getMessage()).contains("database not found")) {
        return 0;
      }
      throw e;
    }
    return InfluxHttp.firstValue(answer);
  }

  /**
   * The measurements in {@code db} ({@code SHOW MEASUREMENTS}), in InfluxDB's order (by name); none
   * before the database exists.
   *
   * @throws IllegalStateException when InfluxDB does not answer
   */
  default List<String> measurements(String db) {
    return InfluxHttp.measurements(query(db, "SHOW MEASUREMENTS"));
  }

  /** How many points {@code measurement} holds in {@code db}: the rows of {@code SELECT *}. */
  default long pointCount(String db, String measurement) {
    return InfluxHttp.rows(
        query(db, "SELECT * FROM \"" + measurement.replace("\"", "\\\"") + "\""));
  }

  /** Writes points in line protocol (nanosecond timestamps) with {@code POST /write}. */
  default void write(String db, String lineProtocol) {
    InfluxHttp.write(url(), db, lineProtocol);
  }
}

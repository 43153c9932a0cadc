package io.streetsense.services;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The few InfluxDB 1.x HTTP calls this module needs, on java.net.http (no client library). */
final class InfluxHttp {
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(2))
          .version(HttpClient.Version.HTTP_1_1)
          .build();

  /** The first row's first field after the time in a /query answer: {@code "values":[["t",N} */
  private static final Pattern FIRST_VALUE =
      Pattern.compile("\"values\":\\[\\[\"[^\"]*\",(-?[0-9.eE+-]+)");

  /** A one-string row, as {@code SHOW MEASUREMENTS} lists names: {@code ["name"]}. */
  private static final Pattern NAME_ROW = Pattern.compile("\\[\"([^\"]+)\"\\]");

  /** The start of a row of points: its RFC 3339 time, {@code ["2026-11-23T}. */
  private static final Pattern TIME_ROW = Pattern.compile("\\[\"\\d{4}-\\d\\d-\\d\\dT");

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  private InfluxHttp() {}

  /** True when {@code GET /ping} answers 204. */
  static boolean ping(String url) throws IOException, InterruptedException {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/ping"))
            .timeout(Duration.ofSeconds(2))
            .GET()
            .build();
    return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 204;
  }

  static void createDatabase(String url, String name) {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("name must not be blank");
    }
    query(url, null, "CREATE DATABASE \"" + name.replace("\"", "\\\"") + "\"");
  }

  /** POST /query (works for SELECT and for statements that change data). */
  static String query(String url, String db, String influxQl) {
    StringBuilder form = new StringBuilder("q=").append(encode(influxQl));
    if (db != null) {
      form.append("&db=").append(encode(db));
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/query"))
            .timeout(TIMEOUT)
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form.toString()))
            .build();
    String body = send(request, "query " + influxQl, 200);
    // Statement errors come back as 200 with {"results":[{"statement_id":0,"error":"..."}]}.
    if (body.contains("\"error\":\"")) {
      throw new IllegalStateException("InfluxDB query failed: " + influxQl + " -> " + body);
    }
    return body;
  }

  static void write(String url, String db, String lineProtocol) {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(url + "/write?precision=ns&db=" + encode(db)))
            .timeout(TIMEOUT)
            .header("Content-Type", "text/plain; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(lineProtocol))
            .build();
    send(request, "write to " + db, 204);
  }

  private static String send(HttpRequest request, String what, int expectedStatus) {
    try {
      HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != expectedStatus) {
        throw new IllegalStateException(
            "InfluxDB "
                + what
                + ": HTTP "
                + response.statusCode()
                + " from "
                + request.uri()
                + ": "
                + response.body());
      }
      return response.body();
    } catch (IOException e) {
      throw new IllegalStateException("InfluxDB " + what + " failed: " + request.uri(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: InfluxDB " + what, e);
    }
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  static long firstValue(String answer) {
    Matcher value = FIRST_VALUE.matcher(answer);
    return value.find() ? Math.round(Double.parseDouble(value.group(1))) : 0;
  }

  /** The names a {@code SHOW MEASUREMENTS} answer lists (empty without any). */
  static List<String> measurements(String answer) {
    // Only the answer's values: its columns header is ["name"] too.
    int values = answer.indexOf("\"values\"");
    if (values < 0) {
      return List.of();
    }
    return NAME_ROW.matcher(answer.substring(values)).results().map(m -> m.group(1)).toList();
  }

  /** How many rows of points a {@code SELECT} answer holds. */
  static long rows(String answer) {
    return TIME_ROW.matcher(answer).results().count();
  }
}

package io.streetsense.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javalin.Javalin;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The team API on a real socket (a free port of 127.0.0.1), with the calls the tests make to it: a
 * bearer token, JSON bodies, the answer as text. Closing stops the server.
 */
final class LiveApi implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Javalin app;
  private final String base;
  private final HttpClient client = HttpClient.newHttpClient();

  private LiveApi(Javalin app) {
    this.app = app;
    this.base = "http://127.0.0.1:" + app.port();
  }

  /** Serves {@code reader}'s orders and sends commands to {@code sink}, with the test tokens. */
  static LiveApi start(WorkOrderReader reader, ActionSink sink, HttpApi.Settings settings) {
    return new LiveApi(
        new HttpApi(reader, sink, TokenRegistryTest.registry(), settings)
            .create()
            .start("127.0.0.1", 0));
  }

  /** {@code GET path}, with {@code token} as the bearer token unless it is null. */
  HttpResponse<String> get(String path, String token) throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).GET();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return send(b);
  }

  /** {@code POST path} of a JSON {@code body}, with the bearer token and extra header pairs. */
  HttpResponse<String> post(String path, String token, String body, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        request(path)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .header("Content-Type", "application/json");
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b);
  }

  /** A request to {@code path} for the test to finish (another scheme, content type, body). */
  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(URI.create(base + path));
  }

  HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** An answer's body as JSON. */
  static JsonNode json(HttpResponse<String> r) throws IOException {
    return JSON.readTree(r.body());
  }

  @Override
  public void close() {
    app.stop();
  }
}

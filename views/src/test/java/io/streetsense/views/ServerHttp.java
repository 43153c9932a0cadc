package io.streetsense.views;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** Calls to a running {@link ViewsServer} on this machine, with a bearer token, for the ITs. */
final class ServerHttp {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ServerHttp() {}

  static HttpResponse<String> get(ViewsServer server, String path, String token) throws Exception {
    return HTTP.send(request(server, path, token).build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> post(ViewsServer server, String path, String token, String body)
      throws Exception {
    return HTTP.send(
        request(server, path, token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpRequest.Builder request(ViewsServer server, String path, String token) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .header("Authorization", "Bearer " + token);
  }
}

package io.streetsense.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.testing.RepositoryBlockMaps;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code streetsense} command line as a city runs it: real child processes started from this
 * module's classpath, configured by one properties file, against real Kafka, Mosquitto and
 * InfluxDB. {@code run --views-port} turns the demo street's illegal stall into an Open311 request
 * that is finally closed; a separate {@code views} process rebuilds the same answer from the Kafka
 * topic and serves it to the team too; both stop on SIGTERM.
 */
class StreetSenseCommandsIT {
  private static final Duration STREET = Duration.ofMinutes(30);
  private static final String TEAM = "xh-tianping-chengguan";
  private static final String TEAM_TOKEN = "team-" + UUID.randomUUID().toString().replace("-", "");
  private static final String OPS_TOKEN = "ops-" + UUID.randomUUID().toString().replace("-", "");
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path workDir;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
  private final List<Child> children = new ArrayList<>();

  @Test
  void run_servesTheStallAsAClosedOpen311Request_andViewsRebuildsItFromKafka() throws Exception {
    long testStart = System.nanoTime();
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));

    try (LocalServices services = LocalServices.start(workDir.resolve("services"))) {
      Path blockMaps = Files.createDirectories(workDir.resolve("blockmaps"));
      Files.copy(RepositoryBlockMaps.file("jiashan-lane"), blockMaps.resolve("jiashan-lane.yaml"));
      Path tokens = workDir.resolve("tokens");
      Files.writeString(
          tokens,
          "# enforcement team of the block's no-vending zone\n"
              + TEAM
              + "="
              + TEAM_TOKEN
              + "\n# operations centre\nops:duty="
              + OPS_TOKEN
              + "\n");
      Path config = workDir.resolve("streetsense.properties");
      Files.writeString(
          config,
          String.join(
              "\n",
              "# StreetSense deployment under test",
              "mqtt=" + services.mqtt().serverUri(),
              "kafka=" + services.kafka().bootstrapServers(),
              "influx=" + services.influx().url(),
              "influx-db=streetsense",
              "blockmaps=" + blockMaps,
              "topic-prefix=cli-" + UUID.randomUUID() + ".",
              "partitions=2",
              "checkpoint-interval=PT1S",
              "parallelism=2",
              "tokens-file=" + tokens,
              "views-state-dir=" + workDir.resolve("run-views-state"),
              ""));

      try {
        int runPort = freePort();
        Child run =
            start(
                "run",
                "run",
                "--config",
                config.toString(),
                "--views-port",
                Integer.toString(runPort));
        run.awaitOutput("StreetSense views on http://127.0.0.1:" + runPort, Duration.ofMinutes(2));
        run.awaitOutput("running; Flink job", Duration.ofMinutes(2));
        System.out.printf("run is up after %d s%n", secondsSince(testStart));

        SimulatedClock clock = SimulatedClock.endingNow(STREET, 0); // as fast as possible
        StreetScenario scenario = Scenarios.demo(jiashan, 7, STREET).startingAt(clock.simStart());
        try (StreetSimulator simulator =
            StreetSimulator.overMqtt(services.mqtt().serverUri(), clock)) {
          StreetSimulator.Result published = simulator.run(scenario.iterator(), (sent, at) -> {});
          assertEquals(published.sent(), published.delivered(), "every message reached MQTT");
          System.out.printf(
              "street played: %d messages in %d s%n",
              published.sent(), published.wallTime().toSeconds());
        }

        JsonNode closed = awaitClosedStall(run, runPort, Duration.ofMinutes(4));
        String requestId = closed.path("service_request_id").asText();
        System.out.printf(
            "Open311 request %s closed after %d s%n", requestId, secondsSince(testStart));
        assertEquals("ILLEGAL_STALL", closed.path("service_code").asText());
        assertEquals("JS-Z-NV1", closed.path("address_id").asText());
        assertEquals(TEAM, closed.path("agency_responsible").asText());
        assertTrue(
            closed.path("status_notes").asText().startsWith("SELF_CLEARED"), closed.toString());

        // A second process, the views alone: the same request, rebuilt from the Kafka topic.
        int viewsPort = freePort();
        Child views =
            start(
                "views",
                "views",
                "--config",
                config.toString(),
                "--views-port",
                Integer.toString(viewsPort),
                "--views-state-dir",
                workDir.resolve("views-state").toString());
        views.awaitOutput("work-order view loaded", Duration.ofMinutes(2));

        HttpResponse<String> one =
            get(viewsPort, "/open311/v2/requests/" + requestId + ".json", OPS_TOKEN);
        assertEquals(200, one.statusCode(), one.body());
        JsonNode rebuilt = JSON.readTree(one.body());
        assertEquals(1, rebuilt.size(), one.body());
        assertEquals(closed, rebuilt.get(0), "views answers as run did");
        assertEquals(List.of(closed), stallRequests(views, viewsPort), "one stall, one request");

        // The team sees its order on the team API; a wrong token is refused.
        HttpResponse<String> order =
            get(viewsPort, "/teams/v1/workorders/" + requestId, TEAM_TOKEN);
        assertEquals(200, order.statusCode(), order.body());
        JsonNode workOrder = JSON.readTree(order.body());
        assertEquals(requestId, workOrder.path("id").asText());
        assertEquals(TEAM, workOrder.path("team_id").asText());
        assertEquals("SELF_CLEARED", workOrder.path("status").asText());
        HttpResponse<String> list = get(viewsPort, "/teams/v1/workorders", TEAM_TOKEN);
        assertEquals(200, list.statusCode(), list.body());
        List<String> teamOrders = new ArrayList<>();
        JSON.readTree(list.body())
            .path("items")
            .forEach(o -> teamOrders.add(o.path("id").asText()));
        assertEquals(List.of(requestId), teamOrders, list.body());
        HttpResponse<String> wrong =
            get(viewsPort, "/teams/v1/workorders/" + requestId, "not-a-token-of-this-city");
        assertEquals(401, wrong.statusCode(), wrong.body());
        assertEquals(
            401,
            get(viewsPort, "/open311/v2/requests.json", "not-a-token-of-this-city").statusCode());

        // SIGTERM: both stop on their own.
        assertStopsOnSigterm(views);
        assertStopsOnSigterm(run);
      } catch (Throwable e) {
        for (Child child : children) {
          System.out.println(child.describe());
        }
        throw e;
      } finally {
        for (Child child : children) {
          child.kill();
        }
      }
    }
    System.out.printf("StreetSenseCommandsIT: run and views took %d s%n", secondsSince(testStart));
  }

  @Test
  void help_listsTheViewsPort_andAMissingConfigFileExits2NamingIt() throws Exception {
    try {
      for (String command : List.of("views", "run")) {
        Child help = start(command + "-help", command, "--help");
        assertEquals(0, help.awaitExit(Duration.ofSeconds(60)), help.describe());
        assertTrue(help.output().contains("--views-port"), help.describe());
      }
      Child missing = start("missing-config", "run", "--config", "/no/such/file");
      assertEquals(2, missing.awaitExit(Duration.ofSeconds(60)), missing.describe());
      assertTrue(missing.output().contains("/no/such/file"), missing.describe());
    } finally {
      for (Child child : children) {
        child.kill();
      }
    }
  }

  /** Polls Open311 on {@code port} until the demo's stall is a request there, and closed. */
  private JsonNode awaitClosedStall(Child run, int port, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    List<JsonNode> requests = List.of();
    boolean seenOpen = false;
    while (System.nanoTime() < deadline) {
      run.assertAlive();
      requests = stallRequests(run, port);
      if (requests.size() > 1) {
        fail("one stall, one request: " + requests);
      }
      if (requests.size() == 1) {
        String status = requests.get(0).path("status").asText();
        if (!seenOpen && status.equals("open")) {
          seenOpen = true;
          System.out.println("Open311 request open: " + requests.get(0));
        }
        if (status.equals("closed")) {
          return requests.get(0);
        }
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "no closed ILLEGAL_STALL request at JS-Z-NV1 within " + timeout + "; last: " + requests);
  }

  /** The ILLEGAL_STALL requests at JS-Z-NV1, as the operations centre sees them. */
  private List<JsonNode> stallRequests(Child child, int port) throws Exception {
    HttpResponse<String> answer =
        get(port, "/open311/v2/requests.json?service_code=ILLEGAL_STALL", OPS_TOKEN);
    if (answer.statusCode() == 503) {
      return List.of(); // the view is still loading
    }
    assertEquals(200, answer.statusCode(), answer.body() + "\n" + child.describe());
    List<JsonNode> stalls = new ArrayList<>();
    for (JsonNode request : JSON.readTree(answer.body())) {
      if (request.path("address_id").asText().equals("JS-Z-NV1")) {
        stalls.add(request);
      }
    }
    return stalls;
  }

  private HttpResponse<String> get(int port, String path, String token) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(10))
            .GET()
            .build();
    return http.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static void assertStopsOnSigterm(Child child) throws Exception {
    long start = System.nanoTime();
    child.process.destroy(); // SIGTERM
    int exit = child.awaitExit(Duration.ofSeconds(60));
    System.out.printf(
        "%s stopped on SIGTERM in %d ms, exit code %d%n",
        child.name, (System.nanoTime() - start) / 1_000_000, exit);
    assertFalse(child.process.isAlive(), child.name + " is gone");
    // The shutdown hook closes everything; the JVM then ends as SIGTERM ends it: 128 + 15.
    assertEquals(143, exit, child.describe());
  }

  private Child start(String name, String... args) throws IOException {
    Child child = Child.start(workDir.resolve(name + ".log"), workDir, List.of(args));
    child.name = name;
    children.add(child);
    return child;
  }

  private static long secondsSince(long nanos) {
    return (System.nanoTime() - nanos) / 1_000_000_000;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /**
   * One {@code streetsense} command in a child JVM: {@code java -cp <this JVM's classpath>
   * io.streetsense.cli.StreetSense args...}, its output (stdout and stderr) in a log file.
   */
  private static final class Child {
    final Process process;
    final Path log;
    String name;

    private Child(Process process, Path log) {
      this.process = process;
      this.log = log;
    }

    static Child start(Path log, Path workDir, List<String> args) throws IOException {
      // The classpath in an argfile: under Failsafe it may be long, and relative entries would
      // not survive the child's own working directory.
      String classPath =
          Stream.of(System.getProperty("java.class.path").split(File.pathSeparator))
              .filter(entry -> !entry.isEmpty())
              .map(entry -> Path.of(entry).toAbsolutePath().toString())
              .collect(Collectors.joining(File.pathSeparator));
      Path argFile = workDir.resolve(log.getFileName() + ".args");
      Files.writeString(argFile, "-cp \"" + classPath.replace("\\", "\\\\") + "\"\n");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx1g");
      command.add("@" + argFile);
      command.add("io.streetsense.cli.StreetSense");
      command.addAll(args);
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      // Secrets come from the config's files only, not from whatever this machine has set.
      builder.environment().remove(ViewsOptions.TOKENS_VARIABLE);
      builder.environment().remove("STREETSENSE_MQTT_PASSWORD");
      builder.environment().remove("STREETSENSE_INFLUX_PASSWORD");
      return new Child(builder.start(), log);
    }

    String output() {
      try {
        return Files.readString(log, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    void awaitOutput(String text, Duration timeout) throws InterruptedException {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!output().contains(text)) {
        assertAlive();
        if (System.nanoTime() > deadline) {
          fail(name + " did not print '" + text + "' within " + timeout + "\n" + describe());
        }
        Thread.sleep(200);
      }
    }

    void assertAlive() {
      if (!process.isAlive()) {
        fail(name + " exited with " + process.exitValue() + "\n" + describe());
      }
    }

    int awaitExit(Duration timeout) throws InterruptedException {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        fail(name + " still running after " + timeout + "\n" + describe());
      }
      return process.exitValue();
    }

    void kill() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
      }
    }

    String describe() {
      return "----- " + name + " (" + log + ") -----\n" + output() + "----- end of " + name;
    }
  }
}

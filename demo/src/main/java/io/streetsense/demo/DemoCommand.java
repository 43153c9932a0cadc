package io.streetsense.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.app.Pipeline;
import io.streetsense.app.PipelineSettings;
import io.streetsense.app.StateSettings;
import io.streetsense.app.WorkOrderFeed;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.ingest.BridgeMetrics;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.services.LocalServices;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.views.TokenRegistry;
import io.streetsense.views.ViewsConfig;
import io.streetsense.views.ViewsServer;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The demo: real MQTT, Kafka and InfluxDB started for you, the pipeline on them, and a simulated
 * street block publishing its parking sensors and cameras faster than real time, with a scripted
 * illegal stall. Work orders are printed as they are filed and change; metrics land in InfluxDB.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Play a simulated street block through the pipeline, on services started here.",
      "",
      "Starts MQTT (Mosquitto), Kafka and InfluxDB on this machine, runs the pipeline and the"
          + " views on them, and plays a simulated street block faster than real time: an"
          + " illegal stall stands in the lane for 10 minutes and a parking zone fills up. Work"
          + " orders are printed as they are filed; metrics go to InfluxDB. Ctrl-C stops"
          + " everything cleanly."
    })
public final class DemoCommand implements Callable<Integer> {
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  @Option(
      names = "--speed",
      defaultValue = "20",
      description = "Simulated seconds per real second. Default: ${DEFAULT-VALUE}.")
  double speed;

  @Option(
      names = "--minutes",
      defaultValue = "30",
      description = "Simulated minutes to play. Default: ${DEFAULT-VALUE}.")
  int minutes;

  @Option(
      names = "--blockmaps",
      description = "Folder of block maps (default: the project's bundled example).")
  Path blockMapFolder;

  @Option(
      names = "--block",
      description = "Block to simulate (default: the first with a camera-watched no-vending zone).")
  String blockId;

  @Option(
      names = "--work-dir",
      description = "Where the services keep their data (default: a new temporary folder).")
  Path workDir;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed of the simulated street. Default: ${DEFAULT-VALUE}.")
  long seed;

  @Option(
      names = "--keep-running",
      description =
          "After the street has played, keep the services and the pipeline up (to query them)"
              + " until Ctrl-C.")
  boolean keepRunning;

  private final PrintStream out = System.out;
  private final Map<String, String> lastStatus = new ConcurrentHashMap<>();

  @Override
  public Integer call() throws Exception {
    BlockMaps maps =
        blockMapFolder == null
            ? BlockMapLoader.loadBundledExamples()
            : BlockMapLoader.loadDirectory(blockMapFolder);
    BlockMap block = chooseBlock(maps);
    Path dir = workDir != null ? workDir : Files.createTempDirectory("streetsense-demo-");
    Files.createDirectories(dir);

    out.println("StreetSense demo — block " + block.id() + " (" + block.name() + ")");
    out.println("starting MQTT, Kafka and InfluxDB under " + dir + " ...");
    AtomicBoolean stopping = new AtomicBoolean();
    AtomicBoolean failed = new AtomicBoolean();
    CountDownLatch stopRequested = new CountDownLatch(1);
    CountDownLatch cleanedUp = new CountDownLatch(1);
    // Ctrl-C: stop the street, then let this thread close the pipeline and the services in order
    // (the JVM exits only when this hook returns).
    Thread onCtrlC =
        new Thread(
            () -> {
              stopping.set(true);
              stopRequested.countDown();
              try {
                cleanedUp.await(60, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            });
    Runtime.getRuntime().addShutdownHook(onCtrlC);
    try (LocalServices services = LocalServices.start(dir)) {
      out.println("  MQTT     " + services.mqtt().serverUri());
      out.println("  Kafka    " + services.kafka().bootstrapServers());
      out.println("  InfluxDB " + services.influx().url() + "  (database streetsense)");

      PipelineSettings settings =
          PipelineSettings.local(
                  services.mqtt().serverUri(),
                  services.kafka().bootstrapServers(),
                  services.influx().url(),
                  Topics.defaults(),
                  Duration.ofSeconds(2),
                  true)
              // Checkpoints on disk in the work dir, watched: a demo left running for hours stops
              // with the reason instead of silently committing nothing. No savepoint at Ctrl-C:
              // the brokers it started stop at the same moment.
              .withState(StateSettings.in(dir.resolve("flink-state")).withoutSavepointOnStop());

      try (Pipeline pipeline = Pipeline.start(settings, maps);
          WorkOrderFeed feed =
              WorkOrderFeed.start(
                  settings.kafkaBootstrapServers(),
                  settings.kafkaClientProperties(),
                  settings.topics(),
                  order -> printOrder(order, block.timezone()),
                  violation -> printViolation(violation, block.timezone()));
          ViewsServer views = startViews(settings, block, dir)) {
        out.println("pipeline running: bridge subscribed, Flink job " + pipeline.job().getJobID());
        out.println("  state: " + pipeline.local().stateLine());

        Duration duration = Duration.ofMinutes(minutes);
        SimulatedClock clock = SimulatedClock.endingNow(duration, speed);
        StreetScenario scenario =
            Scenarios.demo(block, seed, duration).startingAt(clock.simStart());
        scenario.groundTruth().detectable().forEach(v -> out.println("  scripted: " + v));
        out.printf(
            "playing %d simulated minutes at %.0fx (about %d s) ...%n",
            minutes, speed, Math.round(duration.toSeconds() / Math.max(speed, 1)));

        try (StreetSimulator simulator =
            StreetSimulator.overMqtt(settings.mqttServerUri(), clock)) {
          Runtime.getRuntime()
              .addShutdownHook(
                  new Thread(
                      () -> {
                        stopping.set(true);
                        simulator.close();
                      }));
          pipeline
              .failure()
              .whenComplete(
                  (ok, failure) -> {
                    if (failure != null) {
                      System.err.println("demo: " + failure.getMessage());
                      failed.set(true);
                      stopping.set(true);
                      simulator.close();
                      stopRequested.countDown();
                    }
                  });
          StreetSimulator.Result result =
              simulator.run(
                  scenario.iterator(),
                  (sent, simTime) ->
                      progress(sent, simTime, block.timezone(), pipeline.bridge().metrics()));
          out.printf(
              "%nstreet finished: %d messages sent, %d confirmed by the broker, in %d s%n",
              result.sent(), result.delivered(), result.wallTime().toSeconds());
        }
        if (!stopping.get()) {
          // Let the last checkpoint commit what the job has decided.
          Thread.sleep(settings.checkpointInterval().multipliedBy(3).toMillis());
          summary(services, pipeline.bridge().metrics());
          if (keepRunning) {
            out.println("still running (--keep-running): Ctrl-C stops everything");
            stopRequested.await();
          }
        }
      }
    } finally {
      out.println("stopped: pipeline and services shut down, data left in " + dir);
      cleanedUp.countDown();
    }
    if (!stopping.get() || failed.get()) {
      try {
        Runtime.getRuntime().removeShutdownHook(onCtrlC);
      } catch (IllegalStateException shuttingDown) {
        // Ctrl-C came too: the hook waits for this cleanup, which is done
      }
    }
    return failed.get() ? 1 : 0;
  }

  /**
   * The team API and Open311 on a free port, with a fresh token per team of the block and one for
   * the operations centre, printed so the demo's user can act as a team.
   */
  private ViewsServer startViews(PipelineSettings settings, BlockMap block, Path dir)
      throws InterruptedException {
    SecureRandom random = new SecureRandom();
    StringBuilder tokens = new StringBuilder();
    Map<String, String> byTeam = new java.util.LinkedHashMap<>();
    for (var team : block.teams()) {
      String token = new BigInteger(128, random).toString(16);
      byTeam.put(team.id(), token);
      tokens.append(team.id()).append('=').append(token).append('\n');
    }
    String opsToken = new BigInteger(128, random).toString(16);
    tokens.append("ops:demo=").append(opsToken).append('\n');
    ViewsServer views =
        ViewsServer.start(
            ViewsConfig.builder()
                .kafkaBootstrap(settings.kafkaBootstrapServers())
                .topics(settings.topics())
                .httpPort(0)
                .tokens(TokenRegistry.parse(tokens.toString(), "demo tokens"))
                .mqttUri(settings.mqttServerUri())
                .stateDir(dir.resolve("views"))
                .blockMaps(BlockMaps.of(block))
                .build());
    views.awaitReady(Duration.ofSeconds(60));
    String base = "http://127.0.0.1:" + views.port();
    out.println(
        "operations-centre console: "
            + base
            + "/console  (sign in with the operations token below; it is never put in the address)");
    out.println("team API and Open311 on " + base + " (tokens for this run only):");
    byTeam.forEach((team, token) -> out.println("  " + team + "  " + token));
    out.println("  operations centre  " + opsToken);
    out.println(
        "  try: curl -H 'Authorization: Bearer "
            + opsToken
            + "' "
            + base
            + "/open311/v2/requests.json");
    out.println(
        "  teams receive dispatched orders on MQTT "
            + settings.mqttServerUri()
            + " topic teams/<team>/workorders");
    return views;
  }

  private BlockMap chooseBlock(BlockMaps maps) {
    if (blockId != null) {
      return maps.block(blockId)
          .orElseThrow(
              () ->
                  new IllegalArgumentException(
                      "--block " + blockId + ": no such block in " + maps.ids()));
    }
    return maps.all().stream()
        .filter(
            b ->
                b.zonesOfKind(ZoneKind.NO_VENDING).stream()
                    .anyMatch(z -> !b.camerasViewing(z.id()).isEmpty()))
        .min(Comparator.comparing(BlockMap::id))
        .orElseThrow(
            () -> new IllegalArgumentException("no block has a no_vending zone seen by a camera"));
  }

  private void progress(long sent, Instant simTime, ZoneId zone, BridgeMetrics metrics) {
    if (simTime == null) {
      return;
    }
    BridgeMetrics.Snapshot bridge = metrics.snapshot();
    out.printf(
        "  [street %s] %,d messages published; bridge: %,d to Kafka, %,d dead letters%n",
        CLOCK.format(simTime.atZone(zone)), sent, bridge.events(), bridge.deadLetters());
  }

  private void printViolation(ViolationEvent violation, ZoneId zone) {
    switch (violation.getKind()) {
      case OPENED, CLEARED ->
          out.printf(
              "  [street %s] violation %s: %s in zone %s%n",
              CLOCK.format(violation.getEventTime().atZone(zone)),
              violation.getKind(),
              violation.getType(),
              violation.getZoneId());
      default -> {}
    }
  }

  private void printOrder(WorkOrder order, ZoneId zone) {
    String status = order.getStatus().name();
    if (status.equals(lastStatus.put(order.getId(), status))) {
      return; // evidence update only
    }
    StringBuilder line =
        new StringBuilder()
            .append("  [street ")
            .append(CLOCK.format(order.getUpdatedAt().atZone(zone)))
            .append("] WORK ORDER ")
            .append(order.getId())
            .append(' ')
            .append(status);
    if (order.getTeamId() != null) {
      line.append(" -> ").append(order.getTeamId());
    }
    line.append(": ").append(order.getType()).append(" at ").append(order.getZoneId());
    if (order.getShopName() != null) {
      line.append(" (").append(order.getShopName()).append(')');
    }
    if (order.getAcceptBy() != null && order.getStatus().name().equals("DISPATCHED")) {
      line.append(", accept by ").append(CLOCK.format(order.getAcceptBy().atZone(zone)));
      line.append(", resolve by ").append(CLOCK.format(order.getResolveBy().atZone(zone)));
    }
    line.append(" — ").append(order.getHistory().get(order.getHistory().size() - 1).getReason());
    out.println(line);
  }

  /** The largest count in an InfluxQL {@code SELECT count(*)} answer. */
  private static long pointCount(String influxAnswer) {
    try {
      long max = 0;
      for (JsonNode row :
          new ObjectMapper().readTree(influxAnswer).at("/results/0/series/0/values")) {
        for (int column = 1; column < row.size(); column++) {
          max = Math.max(max, row.get(column).asLong());
        }
      }
      return max;
    } catch (IOException e) {
      return -1;
    }
  }

  private void summary(LocalServices services, BridgeMetrics metrics) {
    BridgeMetrics.Snapshot bridge = metrics.snapshot();
    out.printf(
        "bridge: %,d device messages to Kafka, %,d dead letters%n",
        bridge.events(), bridge.deadLetters());
    out.println("work orders: " + lastStatus.size() + " " + lastStatus);
    out.println("metrics: InfluxDB " + services.influx().url() + ", database streetsense");
    for (String measurement : new String[] {"parking_occupancy", "violations"}) {
      String answer = services.influx().query("streetsense", "SELECT count(*) FROM " + measurement);
      out.println("  " + measurement + ": " + pointCount(answer) + " points");
    }
    out.println(
        "  try: curl -G "
            + services.influx().url()
            + "/query --data-urlencode db=streetsense --data-urlencode"
            + " \"q=SELECT * FROM parking_occupancy ORDER BY time DESC LIMIT 5\"");
  }
}

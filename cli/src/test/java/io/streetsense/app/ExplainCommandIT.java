package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.cli.StreetSense;
import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import io.streetsense.services.KafkaService;
import io.streetsense.services.Services;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.testing.RepositoryBlockMaps;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code streetsense explain} against a real Kafka holding the demo street (jiashan-lane, 30
 * minutes, written into the device topics as the bridge writes them): the stall in JS-Z-NV1 stands
 * from minute 3, so the replay opens its violation at minute 6 and the verdict says so; the parking
 * zone JS-Z-P1 fills up but no vehicle stands on its kerb, and the verdict says that.
 */
class ExplainCommandIT {
  private static final Duration STREET = Duration.ofMinutes(30);

  @TempDir Path workDir;

  @Test
  void explain_namesTheStallsOpening_andWhyTheParkingZoneHadNoOrder() throws Exception {
    BlockMap jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    ZoneId zone = jiashan.timezone();
    StreetScenario scenario =
        Scenarios.demo(jiashan, 7, STREET)
            .startingAt(Instant.now().minus(STREET).truncatedTo(ChronoUnit.SECONDS));
    Instant start = scenario.start();
    List<StreetFeed.DeviceRecord> street = StreetFeed.records(scenario, BlockMaps.of(jiashan));
    Path blockmaps = Files.createDirectories(workDir.resolve("blockmaps"));
    Files.copy(RepositoryBlockMaps.file("jiashan-lane"), blockmaps.resolve("jiashan-lane.yaml"));
    String prefix = "explain-" + UUID.randomUUID() + ".";
    Topics topics = Topics.withPrefix(prefix);

    try (KafkaService kafka = Services.kafka(workDir.resolve("kafka"))) {
      PipelineTopics.ensure(
          PipelineTopics.adminProperties(kafka.bootstrapServers(), new Properties()), topics, 2);
      try (StreetFeed feed = new StreetFeed(kafka.bootstrapServers(), topics, street)) {
        int written = feed.until(start.plus(STREET));
        System.out.printf("[ExplainCommandIT] %d device records in Kafka%n", written);
      }

      Zones zones = new Zones(kafka.bootstrapServers(), prefix, blockmaps);

      // The stall: the window starts with it (minute 3), the replay reads back from minute -4.
      Result stall =
          zones.explain(
              "JS-Z-NV1",
              "--from",
              start.plus(Duration.ofMinutes(3)).toString(),
              "--to",
              start.plus(Duration.ofMinutes(25)).toString(),
              "--every",
              "5m");
      System.out.println(stall.err + stall.out);
      assertEquals(0, stall.code, stall.err);
      Instant opensAt = start.plus(Scenarios.DEMO_STALL_FROM).plus(Duration.ofMinutes(3));
      String verdict =
          stall.out.lines().filter(l -> l.startsWith("verdict: ")).findFirst().orElseThrow();
      assertTrue(
          verdict.startsWith("verdict: order: the ILLEGAL_STALL violation OPENED at "), verdict);
      LocalTime opened =
          LocalTime.parse(
              verdict
                  .substring("verdict: order: the ILLEGAL_STALL violation OPENED at ".length())
                  .substring(0, 8));
      long off = Math.abs(Duration.between(LocalTime.ofInstant(opensAt, zone), opened).toSeconds());
      assertTrue(off <= 5, "opened at " + opened + ", scripted " + opensAt);
      assertTrue(
          stall.out.contains("EVENT   OPENED ILLEGAL_STALL jiashan-lane/JS-Z-NV1/"), stall.out);
      assertTrue(stall.out.contains("EVENT   CLEARED ILLEGAL_STALL"), stall.out);
      assertTrue(stall.err.contains("camera frames"), stall.err);

      // The parking zone: full from minute 12, nothing on the kerb.
      Result parking =
          zones.explain(
              "JS-Z-P1",
              "--from",
              start.plus(Duration.ofMinutes(10)).toString(),
              "--to",
              start.plus(Duration.ofMinutes(30)).toString(),
              "--every",
              "5m");
      System.out.println(parking.err + parking.out);
      assertEquals(0, parking.code, parking.err);
      assertTrue(parking.out.contains("verdict: no order: the condition never held."), parking.out);
      assertTrue(parking.out.contains("the kerbs counted at most 0 of the 2"), parking.out);

      // JSON: one object a line, the event among them.
      Result json =
          zones.explain(
              "JS-Z-NV1",
              "--from",
              start.plus(Duration.ofMinutes(3)).toString(),
              "--to",
              start.plus(Duration.ofMinutes(10)).toString(),
              "--format",
              "json");
      assertEquals(0, json.code, json.err);
      assertTrue(json.out.lines().allMatch(l -> l.startsWith("{") && l.endsWith("}")), json.out);
      assertTrue(json.out.contains("\"kind\":\"OPENED\""), json.out);

      Result kerb =
          zones.explain(
              "JS-Z-NP1",
              "--from",
              start.toString(),
              "--to",
              start.plus(Duration.ofMinutes(10)).toString());
      assertEquals(2, kerb.code, kerb.err);
      assertTrue(kerb.err.contains("explain that zone"), kerb.err);
    }
  }

  private record Result(int code, String out, String err) {}

  /** {@code explain} of one jiashan-lane zone against this test's Kafka, topics and block maps. */
  private record Zones(String kafka, String prefix, Path blockmaps) {
    Result explain(String zone, String... more) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "--kafka", kafka,
                  "--topic-prefix", prefix,
                  "--blockmaps", blockmaps.toString(),
                  "--block", "jiashan-lane",
                  "--zone", zone));
      args.addAll(List.of(more));
      return ExplainCommandIT.explain(args.toArray(new String[0]));
    }
  }

  private static Result explain(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "explain";
    System.arraycopy(args, 0, command, 1, args.length);
    CommandLine cli = new CommandLine(new StreetSense());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException) {
            commandLine.getErr().println("streetsense: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    int code = cli.execute(command);
    return new Result(code, out.toString(), err.toString());
  }
}

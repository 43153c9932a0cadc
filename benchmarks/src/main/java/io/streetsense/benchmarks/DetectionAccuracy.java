package io.streetsense.benchmarks;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.benchmarks.accuracy.AccuracyMatcher;
import io.streetsense.benchmarks.accuracy.AccuracyResult;
import io.streetsense.benchmarks.accuracy.Delivery;
import io.streetsense.benchmarks.accuracy.Detection;
import io.streetsense.benchmarks.accuracy.Expected;
import io.streetsense.benchmarks.accuracy.Spool;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Zone;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.Detectors;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MessageValidator;
import io.streetsense.ingest.Rejection;
import io.streetsense.ingest.ValidationResult;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.GroundTruth;
import io.streetsense.simulator.IllegalStall;
import io.streetsense.simulator.Lingering;
import io.streetsense.simulator.MovingVendor;
import io.streetsense.simulator.OutOfDoorwayGoods;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.ScriptedDay;
import io.streetsense.simulator.ScriptedEvent;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.VehiclesInNoParking;
import io.streetsense.simulator.ZoneFull;
import io.streetsense.testing.RepositoryBlockMaps;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Detection accuracy on a scripted day: plays {@link Scenarios#scriptedDay} on a block, turns every
 * device message into its Avro record through the bridge's {@link MessageValidator}, runs the real
 * detector graph ({@link Detectors#define}) on a local Flink environment over the bounded input,
 * and scores the opened violations against the scenario's ground truth with {@link
 * AccuracyMatcher}. Prints a report and writes it as JSON. A program, not a test.
 *
 * <pre>
 * ./mvnw -q -o -pl benchmarks exec:java \
 *     -Dexec.mainClass=io.streetsense.benchmarks.DetectionAccuracy -Dexec.args="--hours 0-24"
 * </pre>
 */
@Command(
    name = "detection-accuracy",
    mixinStandardHelpOptions = true,
    description =
        "Plays a scripted day of street life with realistic camera noise and known ground truth,"
            + " validates every message as the MQTT bridge does, runs the detectors on a local"
            + " Flink environment and reports precision and recall of the opened violations.")
public final class DetectionAccuracy implements Callable<Integer> {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
  private static final int LISTED = 20;

  @Option(
      names = "--block",
      paramLabel = "FILE",
      description =
          "Block map YAML, or the name of one in the repository's blockmaps/ folder"
              + " (default: ${DEFAULT-VALUE}).")
  String block = "lingyan-south";

  @Option(names = "--seed", description = "Scenario seed (default: ${DEFAULT-VALUE}).")
  long seed = 1;

  @Option(
      names = "--day",
      description = "The local date played (default: ${DEFAULT-VALUE}, a Saturday: market day).")
  LocalDate day = ScriptedDay.DEFAULT_DAY;

  @Option(
      names = "--hours",
      paramLabel = "FROM-TO",
      description =
          "Local hours of the day played, e.g. 6-24 (default: ${DEFAULT-VALUE}, the whole day).")
  String hours = "0-24";

  @Option(
      names = "--out",
      paramLabel = "DIR",
      description =
          "Directory for the JSON report <date>-detection-accuracy-<block>.json"
              + " (default: benchmarks/results under the repository root).")
  Path out;

  @Option(
      names = "--tolerance",
      description =
          "How long after a violation ended an opening still counts, ISO-8601"
              + " (default: the block's verify clear_for).")
  Duration tolerance;

  @Option(
      names = "--miss-rate",
      description =
          "Share of frames in which a camera misses a present object (default: ${DEFAULT-VALUE},"
              + " the issue-4 target; raise it to see where the detectors give way).")
  double missRate = ScriptedDay.NOISE.missRate();

  @Option(
      names = "--id-switch-rate",
      description =
          "Probability per object and frame of a tracker id switch (default: ${DEFAULT-VALUE}).")
  double idSwitchRate = ScriptedDay.NOISE.idSwitchRate();

  @Option(
      names = "--delivery-jitter",
      description =
          "Each message reaches the bridge up to this long after it was sent, so devices interleave"
              + " out of event-time order (each device keeps its own order); ISO-8601, PT0S for"
              + " none (default: ${DEFAULT-VALUE}).")
  Duration deliveryJitter = Duration.ofSeconds(2);

  @Option(
      names = "--parking-duplicates",
      description =
          "Share of parking messages delivered twice, as after a sensor reconnects"
              + " (default: ${DEFAULT-VALUE}).")
  double parkingDuplicates = 0.01;

  @Option(
      names = "--parallelism",
      description = "Parallelism of the detector operators (default: ${DEFAULT-VALUE}).")
  int parallelism = 2;

  @Option(
      names = "--spool",
      paramLabel = "DIR",
      description = "Where the validated records wait for the Flink job (default: a temp dir).")
  Path spoolDir;

  public static void main(String[] args) {
    System.exit(new CommandLine(new DetectionAccuracy()).execute(args));
  }

  @Override
  public Integer call() throws Exception {
    Instant runStarted = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    BlockMap map = BlockMapLoader.load(resolveBlock(block));
    BlockMaps maps = BlockMaps.of(map);
    int[] span = parseHours(hours);
    StreetScenario scenario =
        Scenarios.scriptedDay(
            map,
            seed,
            day,
            LocalTime.of(span[0] % 24, 0),
            Duration.ofHours((long) span[1] - span[0]));
    scenario =
        scenario.toBuilder()
            .noise(scenario.noise().withMissRate(missRate).withIdSwitchRate(idSwitchRate))
            .build();
    GroundTruth truth = scenario.groundTruth();
    Duration clearFor = map.rules().verify().clearFor();
    Duration tol = tolerance != null ? tolerance : clearFor;
    ZoneId tz = map.timezone();
    System.out.printf(
        Locale.ROOT,
        "Detection accuracy: %s, seed %d, %s %s %02d:00-%02d:00 %s, %d cameras, %d sensors%n",
        map.id(),
        seed,
        day.getDayOfWeek(),
        day,
        span[0],
        span[1],
        tz,
        map.cameras().size(),
        map.sensors().size());

    // Stage 1: the bridge's work, timed on its own.
    Path spool = spoolDir != null ? spoolDir : Files.createTempDirectory("detection-accuracy");
    Files.createDirectories(spool);
    Map<String, Integer> rejected = new TreeMap<>();
    Delivery delivery;
    long messages = 0;
    long bytes = 0;
    long stage1 = System.nanoTime();
    Spool<CameraFrame> frames =
        Spool.create(spool.resolve("camera-frames.avro"), CameraFrame.class);
    Spool<ParkingSensorEvent> parking =
        Spool.create(spool.resolve("parking-events.avro"), ParkingSensorEvent.class);
    try (frames;
        parking) {
      MessageValidator validator =
          new MessageValidator(DeviceDirectory.of(maps), Clock.fixed(scenario.start(), tz));
      delivery = new Delivery(scenario.iterator(), deliveryJitter, parkingDuplicates, seed);
      while (delivery.hasNext()) {
        Delivery.Arrival arrival = delivery.next();
        DeviceMessage m = arrival.message();
        messages++;
        bytes += m.payload().length;
        // Checked against the time it reached the bridge: seconds after it was sent.
        ValidationResult result =
            validator.validate(
                m.topic(), m.payload(), Instant.ofEpochMilli(arrival.arrivedAtMillis()));
        if (result instanceof ValidationResult.Accepted accepted) {
          if (accepted.record() instanceof CameraFrame frame) {
            frames.append(frame);
          } else {
            parking.append((ParkingSensorEvent) accepted.record());
          }
        } else {
          rejected.merge(((Rejection) result).reason().name(), 1, Integer::sum);
        }
        if (messages % 500_000 == 0) {
          System.out.printf(
              Locale.ROOT,
              "  generated and validated %,d messages (%s)%n",
              messages,
              CLOCK.format(m.eventTime().atZone(tz)));
        }
      }
    }
    double stage1Seconds = (System.nanoTime() - stage1) / 1e9;
    System.out.printf(
        Locale.ROOT,
        "Stage 1 (generate + validate): %,d messages (%,d camera frames, %,d parking), %,d MB"
            + " JSON, %d rejected, %.1f s%n",
        messages,
        frames.count(),
        parking.count(),
        bytes >> 20,
        rejected.values().stream().mapToInt(Integer::intValue).sum(),
        stage1Seconds);

    // Stage 2: the real detector graph over the bounded input.
    long stage2 = System.nanoTime();
    List<ViolationEvent> events = detect(maps, frames, parking);
    double stage2Seconds = (System.nanoTime() - stage2) / 1e9;
    Files.deleteIfExists(frames.file());
    Files.deleteIfExists(parking.file());
    if (spoolDir == null) {
      Files.deleteIfExists(spool);
    }
    System.out.printf(
        Locale.ROOT,
        "Stage 2 (Flink detectors, parallelism %d): %,d violation events, %.1f s (%,.0f frames/s)%n",
        parallelism,
        events.size(),
        stage2Seconds,
        frames.count() / stage2Seconds);

    List<Detection> detections = new ArrayList<>();
    Map<String, Instant> clearedAt = new TreeMap<>();
    for (ViolationEvent e : events) {
      if (e.getKind() == ViolationEventKind.OPENED) {
        detections.add(
            new Detection(
                e.getViolationId(),
                e.getBlockId(),
                e.getZoneId(),
                e.getType().name(),
                e.getShopId(),
                e.getDetectedAt(),
                e.getEventTime()));
      } else if (e.getKind() == ViolationEventKind.CLEARED) {
        clearedAt.put(e.getViolationId(), e.getEventTime());
      }
    }
    List<Expected> expected = AccuracyMatcher.expected(truth.violations(), clearFor);
    AccuracyResult result = new AccuracyMatcher(tol).match(expected, detections);
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    double wall = Duration.between(runStarted, Instant.now()).toMillis() / 1000.0;

    Report report =
        new Report(
            map,
            scenario,
            truth,
            expected,
            result,
            clearedAt,
            messages,
            frames.count(),
            parking.count(),
            bytes,
            rejected,
            deliveryJitter,
            delivery.duplicates(),
            stage1Seconds,
            stage2Seconds,
            wall,
            loadBefore,
            loadAfter);
    report.print();
    Path dir = out != null ? out : defaultOut();
    Files.createDirectories(dir);
    Path file = dir.resolve(LocalDate.now() + "-detection-accuracy-" + map.id() + ".json");
    Files.writeString(file, JSON.writeValueAsString(report.json()) + "\n");
    System.out.println("Report written to " + file);
    return 0;
  }

  private List<ViolationEvent> detect(
      BlockMaps maps, Spool<CameraFrame> frames, Spool<ParkingSensorEvent> parking)
      throws Exception {
    DetectorConfig config = DetectorConfig.defaults();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(parallelism);
    // Each spool is read by one reader, in order: the camera stream arrives as the bridge would
    // forward it, merged by event time.
    DataStream<ParkingSensorEvent> parkingStream =
        env.fromSource(
                new DataGeneratorSource<>(
                    parking.reader(),
                    parking.count(),
                    TypeInformation.of(ParkingSensorEvent.class)),
                Detectors.parkingWatermarks(config),
                "parking spool")
            .setParallelism(1);
    DataStream<CameraFrame> cameraStream =
        env.fromSource(
                new DataGeneratorSource<>(
                    frames.reader(), frames.count(), TypeInformation.of(CameraFrame.class)),
                Detectors.cameraWatermarks(config),
                "camera spool")
            .setParallelism(1);
    Detectors.Streams detected = Detectors.define(parkingStream, cameraStream, maps, config);
    List<ViolationEvent> events = new ArrayList<>();
    try (CloseableIterator<ViolationEvent> it =
        detected.violations().executeAndCollect("detection accuracy")) {
      it.forEachRemaining(events::add);
    }
    return events;
  }

  // ---------------------------------------------------------------------------------------------
  // The report

  /** Everything measured, printed for people and written as JSON. */
  private record Report(
      BlockMap map,
      StreetScenario scenario,
      GroundTruth truth,
      List<Expected> expected,
      AccuracyResult result,
      Map<String, Instant> clearedAt,
      long messages,
      long cameraFrames,
      long parkingEvents,
      long bytes,
      Map<String, Integer> rejected,
      Duration deliveryJitter,
      long duplicates,
      double stage1Seconds,
      double stage2Seconds,
      double wallSeconds,
      double loadBefore,
      double loadAfter) {

    void print() {
      ZoneId tz = map.timezone();
      System.out.println();
      System.out.printf(
          Locale.ROOT,
          "Noise: %.0f %% of frames miss each object, id switch %.1f %% per object-frame, conf"
              + " jitter %.2f, box jitter %.3f; background %s%n",
          scenario.noise().missRate() * 100,
          scenario.noise().idSwitchRate() * 100,
          scenario.noise().confJitter(),
          scenario.noise().boxJitter(),
          scenario.background());
      System.out.printf(
          Locale.ROOT,
          "Delivery: up to %s late, devices interleaved out of order; %d parking messages"
              + " delivered twice%n",
          deliveryJitter,
          duplicates);
      System.out.println("Script: " + scriptCounts());
      System.out.printf(
          Locale.ROOT,
          "Ground truth: %d detectable violations (%d after merging per zone), %d near-misses"
              + " that must not open%n",
          truth.detectable().size(),
          expected.size(),
          truth.violations().size() - truth.detectable().size());
      System.out.printf(
          Locale.ROOT,
          "%nOpened %d, expected %d, matched %d: precision %.4f, recall %.4f (tolerance %s)%n",
          result.opened(),
          result.expectedCount(),
          result.matches().size(),
          result.precision(),
          result.recall(),
          result.tolerance());
      System.out.printf(
          Locale.ROOT,
          "  %-24s %8s %8s %8s %9s %9s %12s%n",
          "type",
          "expected",
          "opened",
          "matched",
          "precision",
          "recall",
          "latency p50");
      for (Map.Entry<String, AccuracyResult.Score> e : byType().entrySet()) {
        AccuracyResult.Score s = e.getValue();
        System.out.printf(
            Locale.ROOT,
            "  %-24s %8d %8d %8d %9.4f %9.4f %12s%n",
            e.getKey(),
            s.expected(),
            s.opened(),
            s.matched(),
            s.precision(),
            s.recall(),
            seconds(AccuracyResult.percentile(result.latencies(e.getKey()), 50)));
      }
      List<Duration> lat = result.latencies();
      System.out.printf(
          Locale.ROOT,
          "Latency (opened - start of the situation): p50 %s, p99 %s, max %s%n",
          seconds(AccuracyResult.percentile(lat, 50)),
          seconds(AccuracyResult.percentile(lat, 99)),
          seconds(lat.isEmpty() ? null : lat.get(lat.size() - 1)));
      System.out.printf(
          Locale.ROOT,
          "False positives: %d%s%n",
          result.falsePositives().size(),
          listed(result.falsePositives().size()));
      for (Detection d : first(result.falsePositives())) {
        System.out.printf(
            Locale.ROOT,
            "  opened %s  %-10s %-22s %s detected %s%s%n    scripted there: %s%n",
            local(d.openedAt(), tz),
            d.zone(),
            d.type(),
            d.shop() == null ? "" : d.shop(),
            local(d.detectedAt(), tz),
            clearedAt.containsKey(d.violationId())
                ? " cleared " + local(clearedAt.get(d.violationId()), tz)
                : "",
            context(d.zone(), d.openedAt().minus(Duration.ofMinutes(15)), d.openedAt()));
      }
      System.out.printf(
          Locale.ROOT, "Misses: %d%s%n", result.misses().size(), listed(result.misses().size()));
      for (Expected e : first(result.misses())) {
        System.out.printf(
            Locale.ROOT,
            "  %s-%s  %-10s %-22s %s (%s)%n    scripted there: %s%n",
            local(e.from(), tz),
            local(e.to(), tz),
            e.zone(),
            e.type(),
            e.shop() == null ? "" : e.shop(),
            minutes(Duration.between(e.from(), e.to())),
            context(e.zone(), e.from(), e.to()));
      }
      System.out.printf(
          Locale.ROOT,
          "%nMessages: %,d (%,d camera frames, %,d parking events, %,d MB of JSON), rejected %s%n",
          messages,
          cameraFrames,
          parkingEvents,
          bytes >> 20,
          rejected.isEmpty() ? "none" : rejected);
      System.out.printf(
          Locale.ROOT,
          "Wall time: %.1f s (generate + validate %.1f s = %,.0f msg/s; detectors %.1f s = %,.0f"
              + " frames/s); %d cores, load average %.1f before, %.1f after%n",
          wallSeconds,
          stage1Seconds,
          messages / stage1Seconds,
          stage2Seconds,
          cameraFrames / stage2Seconds,
          Runtime.getRuntime().availableProcessors(),
          loadBefore,
          loadAfter);
    }

    /** Every type that is expected, opened, or scripted, so an absent detector shows as 0. */
    Map<String, AccuracyResult.Score> byType() {
      Map<String, AccuracyResult.Score> out = new TreeMap<>(result.byType());
      for (Expected e : expected) {
        out.putIfAbsent(e.type(), new AccuracyResult.Score(0, 0, 0));
      }
      return out;
    }

    Map<String, Integer> scriptCounts() {
      Map<String, Integer> counts = new TreeMap<>();
      for (ScriptedEvent e : scenario.script().events()) {
        counts.merge(e.getClass().getSimpleName(), 1, Integer::sum);
      }
      return counts;
    }

    /** The scripted events in a zone (or its no-parking kerbs) overlapping [from, to]. */
    String context(String zoneId, Instant from, Instant to) {
      List<String> zones = new ArrayList<>(List.of(zoneId));
      map.zone(zoneId).map(Zone::noParking).ifPresent(zones::addAll);
      List<String> out = new ArrayList<>();
      for (ScriptedEvent e : scenario.script().events()) {
        Instant f = scenario.start().plus(e.from());
        Instant t = scenario.start().plus(e.to());
        if (zones.contains(e.zoneId()) && f.isBefore(to) && !t.isBefore(from)) {
          out.add(describe(e));
        }
      }
      return out.isEmpty() ? "nothing" : String.join("; ", out);
    }

    String describe(ScriptedEvent e) {
      ZoneId tz = map.timezone();
      Instant s = scenario.start();
      String span = local(s.plus(e.from()), tz) + "-" + local(s.plus(e.to()), tz);
      if (e instanceof IllegalStall stall) {
        return "IllegalStall " + stall.cls() + " " + span;
      } else if (e instanceof MovingVendor v) {
        return "MovingVendor "
            + v.cls()
            + " "
            + span
            + " stopping "
            + local(s.plus(v.stopFrom()), tz)
            + "-"
            + local(s.plus(v.stopTo()), tz);
      } else if (e instanceof OutOfDoorwayGoods g) {
        return "OutOfDoorwayGoods " + g.classes() + " " + span;
      } else if (e instanceof Lingering l) {
        return "Lingering " + l.cls() + " " + span;
      } else if (e instanceof VehiclesInNoParking v) {
        return "VehiclesInNoParking " + v.count() + " in " + v.zoneId() + " " + span;
      } else if (e instanceof ZoneFull) {
        return "ZoneFull " + span;
      }
      return e.toString();
    }

    ObjectNode json() {
      ZoneId tz = map.timezone();
      ObjectNode root = JSON.createObjectNode();
      root.put("benchmark", "detection-accuracy");
      root.put("ranAt", Instant.now().toString());
      ObjectNode scen = root.putObject("scenario");
      scen.put("block", map.id());
      scen.put("seed", scenario.seed());
      scen.put("start", scenario.start().toString());
      scen.put("end", scenario.end().toString());
      scen.put("startLocal", scenario.start().atZone(tz).toLocalDateTime().toString());
      scen.put("endLocal", scenario.end().atZone(tz).toLocalDateTime().toString());
      scen.put("cameras", map.cameras().size());
      scen.put("sensors", map.sensors().size());
      ObjectNode noise = scen.putObject("noise");
      noise.put("missRate", scenario.noise().missRate());
      noise.put("idSwitchRate", scenario.noise().idSwitchRate());
      noise.put("confJitter", scenario.noise().confJitter());
      noise.put("boxJitter", scenario.noise().boxJitter());
      ObjectNode bg = scen.putObject("background");
      bg.put("pedestriansPerMinute", scenario.background().pedestriansPerMinute());
      bg.put("vehiclesPerMinute", scenario.background().vehiclesPerMinute());
      bg.put("cyclistsPerMinute", scenario.background().cyclistsPerMinute());
      ObjectNode delivery = scen.putObject("delivery");
      delivery.put("maxDelay", deliveryJitter.toString());
      delivery.put("parkingDuplicates", duplicates);
      ObjectNode script = scen.putObject("script");
      scriptCounts().forEach(script::put);

      ObjectNode gt = root.putObject("groundTruth");
      gt.put("violations", truth.violations().size());
      gt.put("detectable", truth.detectable().size());
      gt.put("nearMisses", truth.violations().size() - truth.detectable().size());
      gt.put("expectedAfterMerging", expected.size());
      ObjectNode gtByType = gt.putObject("detectableByType");
      for (GroundTruth.Violation v : truth.detectable()) {
        gtByType.put(v.type(), gtByType.path(v.type()).asInt(0) + 1);
      }
      ObjectNode nmByType = gt.putObject("nearMissesByType");
      for (GroundTruth.Violation v : truth.violations()) {
        if (!v.detectable()) {
          nmByType.put(v.type(), nmByType.path(v.type()).asInt(0) + 1);
        }
      }

      ObjectNode acc = root.putObject("accuracy");
      acc.put("tolerance", result.tolerance().toString());
      acc.put("expected", result.expectedCount());
      acc.put("opened", result.opened());
      acc.put("matched", result.matches().size());
      acc.put("precision", result.precision());
      acc.put("recall", result.recall());
      ObjectNode types = acc.putObject("byType");
      byType()
          .forEach(
              (type, s) -> {
                ObjectNode n = types.putObject(type);
                n.put("expected", s.expected());
                n.put("opened", s.opened());
                n.put("matched", s.matched());
                n.put("precision", s.precision());
                n.put("recall", s.recall());
                List<Duration> typeLatency = result.latencies(type);
                n.put(
                    "latencyP50Seconds", secondsValue(AccuracyResult.percentile(typeLatency, 50)));
                n.put(
                    "latencyP99Seconds", secondsValue(AccuracyResult.percentile(typeLatency, 99)));
              });
      List<Duration> lat = result.latencies();
      ObjectNode latency = acc.putObject("openingLatencySeconds");
      latency.put("p50", secondsValue(AccuracyResult.percentile(lat, 50)));
      latency.put("p99", secondsValue(AccuracyResult.percentile(lat, 99)));
      latency.put("max", secondsValue(lat.isEmpty() ? null : lat.get(lat.size() - 1)));
      ArrayNode fps = acc.putArray("falsePositives");
      for (Detection d : result.falsePositives()) {
        ObjectNode n = fps.addObject();
        n.put("violationId", d.violationId());
        n.put("zone", d.zone());
        n.put("type", d.type());
        n.put("shop", d.shop());
        n.put("detectedAt", d.detectedAt().toString());
        n.put("openedAt", d.openedAt().toString());
        n.put("openedAtLocal", local(d.openedAt(), tz));
        Instant cleared = clearedAt.get(d.violationId());
        n.put("clearedAt", cleared == null ? null : cleared.toString());
        n.put(
            "scripted",
            context(d.zone(), d.openedAt().minus(Duration.ofMinutes(15)), d.openedAt()));
      }
      ArrayNode misses = acc.putArray("misses");
      for (Expected e : result.misses()) {
        ObjectNode n = misses.addObject();
        n.put("zone", e.zone());
        n.put("type", e.type());
        n.put("shop", e.shop());
        n.put("from", e.from().toString());
        n.put("to", e.to().toString());
        n.put("fromLocal", local(e.from(), tz));
        n.put("toLocal", local(e.to(), tz));
        n.put("scripted", context(e.zone(), e.from(), e.to()));
      }

      ObjectNode run = root.putObject("run");
      run.put("messages", messages);
      run.put("cameraFrames", cameraFrames);
      run.put("parkingEvents", parkingEvents);
      run.put("jsonBytes", bytes);
      ObjectNode rej = run.putObject("rejected");
      rejected.forEach(rej::put);
      run.put("generateAndValidateSeconds", round1(stage1Seconds));
      run.put("detectorsSeconds", round1(stage2Seconds));
      run.put("wallSeconds", round1(wallSeconds));
      ObjectNode machine = run.putObject("machine");
      machine.put("cores", Runtime.getRuntime().availableProcessors());
      machine.put("maxHeapMb", Runtime.getRuntime().maxMemory() >> 20);
      machine.put("java", System.getProperty("java.version"));
      machine.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
      machine.put("loadAverageBefore", round1(loadBefore));
      machine.put("loadAverageAfter", round1(loadAfter));
      return root;
    }

    private static <T> List<T> first(List<T> list) {
      return list.subList(0, Math.min(LISTED, list.size()));
    }

    private static String listed(int n) {
      return n > LISTED ? " (first " + LISTED + ")" : "";
    }
  }

  private static String local(Instant t, ZoneId tz) {
    return CLOCK.format(t.atZone(tz));
  }

  private static String seconds(Duration d) {
    return d == null ? "-" : String.format(Locale.ROOT, "%.0f s", d.toMillis() / 1000.0);
  }

  private static Double secondsValue(Duration d) {
    return d == null ? null : d.toMillis() / 1000.0;
  }

  private static String minutes(Duration d) {
    return String.format(Locale.ROOT, "%.1f min", d.toMillis() / 60_000.0);
  }

  private static double round1(double v) {
    return Math.round(v * 10) / 10.0;
  }

  // ---------------------------------------------------------------------------------------------
  // Options

  /** "FROM-TO" local hours, 0 <= FROM < TO <= 24. */
  static int[] parseHours(String value) {
    String[] parts = value.trim().split("-");
    try {
      if (parts.length == 2) {
        int from = Integer.parseInt(parts[0].trim());
        int to = Integer.parseInt(parts[1].trim());
        if (from >= 0 && from < to && to <= 24) {
          return new int[] {from, to};
        }
      }
    } catch (NumberFormatException e) {
      // fall through to the message below
    }
    throw new CommandLine.ParameterException(
        new CommandLine(new DetectionAccuracy()),
        "--hours " + value + ": expected FROM-TO with 0 <= FROM < TO <= 24, e.g. 6-24");
  }

  /** A file, or a block name looked up in the repository's blockmaps/ folder. */
  static Path resolveBlock(String value) {
    Path direct = Path.of(value);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    String name = value.endsWith(".yaml") ? value.substring(0, value.length() - 5) : value;
    try {
      return RepositoryBlockMaps.file(name);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "--block " + value + ": no such file, and " + e.getMessage(), e);
    }
  }

  /** benchmarks/results of the repository the program runs in, else ./results. */
  private static Path defaultOut() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isDirectory(d.resolve("benchmarks").resolve("src"))) {
        return d.resolve("benchmarks").resolve("results");
      }
      if (d.getFileName() != null
          && d.getFileName().toString().equals("benchmarks")
          && Files.isDirectory(d.resolve("src"))) {
        return d.resolve("results");
      }
    }
    return Path.of("results");
  }
}

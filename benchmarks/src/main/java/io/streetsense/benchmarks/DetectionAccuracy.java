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
import io.streetsense.benchmarks.accuracy.ManyDays;
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
import io.streetsense.simulator.GeneratedDay;
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
      names = "--generated",
      description =
          "Play the generated day of --seed on --block (every parameter drawn per seed; see"
              + " README) instead of the scripted day.")
  boolean generated;

  @Option(
      names = "--seeds",
      paramLabel = "FROM-TO",
      description =
          "Play the generated days of these seeds (e.g. 1-50, or 3,7,12) one after the other in"
              + " this JVM and report precision and recall per type over all of them, with 95 %"
              + " Wilson intervals, the per-day spread and every miss and false positive.")
  String seeds;

  @Option(
      names = "--blocks",
      split = ",",
      description =
          "With --seeds: the blocks, taken in turn by seed (seed N plays block"
              + " (N-1) mod count) (default: lingyan-south,jiashan-lane).")
  List<String> blocks = List.of("lingyan-south", "jiashan-lane");

  @Option(
      names = "--dump-events",
      paramLabel = "FILE",
      description =
          "Single day: also write every violation event (opened, updated, cleared, with its"
              + " evidence) to FILE, one JSON record a line.")
  Path dumpEvents;

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
    if (seeds != null) {
      return runMany();
    }
    Instant runStarted = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    BlockMap map = BlockMapLoader.load(resolveBlock(block));
    BlockMaps maps = BlockMaps.of(map);
    int[] span = parseHours(hours);
    StreetScenario scenario;
    GeneratedDay.Parameters params = null;
    if (generated) {
      scenario = Scenarios.generatedDay(map, seed);
      params = GeneratedDay.Parameters.draw(map, seed);
      LocalTime from = scenario.start().atZone(map.timezone()).toLocalTime();
      span =
          new int[] {from.getHour(), from.plusSeconds(scenario.duration().toSeconds()).getHour()};
    } else {
      scenario =
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
    }
    GroundTruth truth = scenario.groundTruth();
    Duration clearFor = map.rules().verify().clearFor();
    Duration tol = tolerance != null ? tolerance : clearFor;
    ZoneId tz = map.timezone();
    LocalDate playedDay = scenario.start().atZone(tz).toLocalDate();
    System.out.printf(
        Locale.ROOT,
        "Detection accuracy: %s, seed %d%s, %s %s %s-%s %s, %d cameras, %d sensors%n",
        map.id(),
        seed,
        generated ? " (generated day)" : "",
        playedDay.getDayOfWeek(),
        playedDay,
        local(scenario.start(), tz).substring(0, 5),
        local(scenario.end(), tz).substring(0, 5),
        tz,
        map.cameras().size(),
        map.sensors().size());

    DayRun run =
        play(
            map,
            scenario,
            params == null
                ? new Delivery(scenario.iterator(), deliveryJitter, parkingDuplicates, seed)
                : delivery(scenario, params, seed),
            false);
    Delivery delivery = run.delivery();
    if (dumpEvents != null) {
      List<String> lines = new ArrayList<>();
      run.events().forEach(e -> lines.add(e.toString()));
      Files.write(dumpEvents, lines);
    }
    if (generated) {
      System.out.printf(
          Locale.ROOT,
          "Generated day: %d camera frames and %d parking messages delivered twice (copy up to %s"
              + " later), each device's messages reordered within %s; outages %s%n",
          delivery.cameraDuplicates(),
          delivery.duplicates(),
          params.duplicateLag(),
          params.deliveryJitter(),
          scenario.outages());
    }
    long messages = run.messages();
    long bytes = run.bytes();
    Map<String, Integer> rejected = run.rejected();
    double stage1Seconds = run.stage1Seconds();
    double stage2Seconds = run.stage2Seconds();
    List<Detection> detections = run.detections();
    Map<String, Instant> clearedAt = run.clearedAt();
    long frameCount = run.cameraFrames();
    long parkingCount = run.parkingEvents();
    List<Expected> expected = AccuracyMatcher.expected(truth.violations(), clearFor);
    AccuracyMatcher matcher = new AccuracyMatcher(tol);
    AccuracyResult result =
        matcher.withoutExcluded(matcher.match(expected, detections), truth.violations()).getKey();
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
            frameCount,
            parkingCount,
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
    Path file =
        dir.resolve(
            LocalDate.now()
                + "-detection-accuracy-"
                + map.id()
                + (generated ? "-generated-seed-" + seed : "")
                + ".json");
    Files.writeString(file, JSON.writeValueAsString(report.json()) + "\n");
    System.out.println("Report written to " + file);
    return 0;
  }

  /** What one day's play produced: the detector's openings and the run's figures. */
  record DayRun(
      Delivery delivery,
      List<Detection> detections,
      Map<String, Instant> clearedAt,
      long messages,
      long cameraFrames,
      long parkingEvents,
      long bytes,
      Map<String, Integer> rejected,
      double stage1Seconds,
      double stage2Seconds,
      List<ViolationEvent> events) {}

  /** Generates, validates and spools a scenario's messages, then runs the detectors over them. */
  DayRun play(BlockMap map, StreetScenario scenario, Delivery delivery, boolean quiet)
      throws Exception {
    BlockMaps maps = BlockMaps.of(map);
    ZoneId tz = map.timezone();
    // Stage 1: the bridge's work, timed on its own.
    Path spool = spoolDir != null ? spoolDir : Files.createTempDirectory("detection-accuracy");
    Files.createDirectories(spool);
    Map<String, Integer> rejected = new TreeMap<>();
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
        if (!quiet && messages % 500_000 == 0) {
          System.out.printf(
              Locale.ROOT,
              "  generated and validated %,d messages (%s)%n",
              messages,
              CLOCK.format(m.eventTime().atZone(tz)));
        }
      }
    }
    double stage1Seconds = (System.nanoTime() - stage1) / 1e9;
    if (!quiet) {
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
    }

    // Stage 2: the real detector graph over the bounded input.
    long stage2 = System.nanoTime();
    List<ViolationEvent> events = detect(maps, frames, parking);
    double stage2Seconds = (System.nanoTime() - stage2) / 1e9;
    Files.deleteIfExists(frames.file());
    Files.deleteIfExists(parking.file());
    if (spoolDir == null) {
      Files.deleteIfExists(spool);
    }
    if (!quiet) {
      System.out.printf(
          Locale.ROOT,
          "Stage 2 (Flink detectors, parallelism %d): %,d violation events, %.1f s (%,.0f frames/s)%n",
          parallelism,
          events.size(),
          stage2Seconds,
          frames.count() / stage2Seconds);
    }

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
    return new DayRun(
        delivery,
        detections,
        clearedAt,
        messages,
        frames.count(),
        parking.count(),
        bytes,
        rejected,
        stage1Seconds,
        stage2Seconds,
        events);
  }

  /** The network of a generated day: its drawn duplicates, copy lag and jitter, reordering all. */
  static Delivery delivery(StreetScenario scenario, GeneratedDay.Parameters p, long seed) {
    return new Delivery(
        scenario.iterator(),
        p.deliveryJitter(),
        p.parkingDuplicates(),
        p.cameraDuplicates(),
        p.duplicateLag(),
        false,
        seed);
  }

  /** Many generated days in this JVM, scored together. */
  private Integer runMany() throws Exception {
    Instant runStarted = Instant.now();
    double loadBefore = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<Long> seedList = parseSeeds(seeds);
    Map<String, BlockMap> mapsByName = new java.util.LinkedHashMap<>();
    for (String b : blocks) {
      mapsByName.put(b, BlockMapLoader.load(resolveBlock(b)));
    }
    ManyDays all = new ManyDays();
    for (String t : List.of("ILLEGAL_STALL", "OUT_OF_DOORWAY_TRADING", "PARKING_OVERFLOW")) {
      all.type(t);
    }
    ObjectNode root = JSON.createObjectNode();
    root.put("benchmark", "detection-accuracy-generated-days");
    root.put("ranAt", Instant.now().toString());
    root.put("seeds", seeds);
    ArrayNode blockList = root.putArray("blocks");
    blocks.forEach(blockList::add);
    ArrayNode daysJson = root.putArray("days");
    ArrayNode missesJson = JSON.createArrayNode();
    ArrayNode fpsJson = JSON.createArrayNode();
    ArrayNode excludedJson = JSON.createArrayNode();
    List<String> missLines = new ArrayList<>();
    List<String> fpLines = new ArrayList<>();
    long totalMessages = 0;
    int excludedTotal = 0;
    int ignoredTotal = 0;
    System.out.printf(
        Locale.ROOT,
        "Generated days: seeds %s on %s (seed N plays block (N-1) mod %d)%n",
        seeds,
        blocks,
        blocks.size());
    System.out.printf(
        Locale.ROOT,
        "%5s %-14s %-10s %-11s %5s %5s %5s %5s %3s %4s %6s %6s  %-17s %-17s %-17s%n",
        "seed",
        "block",
        "day",
        "window",
        "miss%",
        "cams",
        "outg",
        "occl",
        "fd",
        "excl",
        "dupCam",
        "wall s",
        "stall e/o/m",
        "doorway e/o/m",
        "overflow e/o/m");
    for (long daySeed : seedList) {
      long t0 = System.nanoTime();
      String blockName = blocks.get((int) Math.floorMod(daySeed - 1, (long) blocks.size()));
      BlockMap map = mapsByName.get(blockName);
      ZoneId tz = map.timezone();
      GeneratedDay.Parameters params = GeneratedDay.Parameters.draw(map, daySeed);
      StreetScenario scenario = Scenarios.generatedDay(map, daySeed);
      GroundTruth truth = scenario.groundTruth();
      DayRun run = play(map, scenario, delivery(scenario, params, daySeed), true);
      Duration clearFor = map.rules().verify().clearFor();
      List<Expected> expected = AccuracyMatcher.expected(truth.violations(), clearFor);
      AccuracyMatcher matcher = new AccuracyMatcher(tolerance != null ? tolerance : clearFor);
      Map.Entry<AccuracyResult, List<Detection>> scored =
          matcher.withoutExcluded(matcher.match(expected, run.detections()), truth.violations());
      AccuracyResult result = scored.getKey();
      all.add(result);
      double wall = (System.nanoTime() - t0) / 1e9;
      totalMessages += run.messages();
      Report report =
          new Report(
              map,
              scenario,
              truth,
              expected,
              result,
              run.clearedAt(),
              run.messages(),
              run.cameraFrames(),
              run.parkingEvents(),
              run.bytes(),
              run.rejected(),
              params.deliveryJitter(),
              run.delivery().duplicates(),
              run.stage1Seconds(),
              run.stage2Seconds(),
              wall,
              0,
              0);
      List<GroundTruth.Violation> excluded =
          truth.violations().stream().filter(v -> v.excluded() != null).toList();
      excludedTotal += excluded.size();
      ignoredTotal += scored.getValue().size();
      Map<String, AccuracyResult.Score> types = result.byType();
      String window =
          local(scenario.start(), tz).substring(0, 5)
              + "-"
              + local(scenario.end(), tz).substring(0, 5);
      System.out.printf(
          Locale.ROOT,
          "%5d %-14s %-10s %-11s %5.1f %5d %5d %5d %3d %4d %6d %6.1f  %-17s %-17s %-17s%n",
          daySeed,
          map.id(),
          scenario.start().atZone(tz).toLocalDate().getDayOfWeek().toString().substring(0, 3)
              + " "
              + scenario.start().atZone(tz).toLocalDate().toString().substring(5),
          window,
          params.noise().missRate() * 100,
          map.cameras().size(),
          scenario.outages().size(),
          scenario.script().eventsOf(io.streetsense.simulator.Occlusion.class).size(),
          scenario.script().eventsOf(io.streetsense.simulator.FalseDetection.class).size(),
          excluded.size(),
          run.delivery().cameraDuplicates(),
          wall,
          eom(types.get("ILLEGAL_STALL")),
          eom(types.get("OUT_OF_DOORWAY_TRADING")),
          eom(types.get("PARKING_OVERFLOW")));
      ObjectNode d = daysJson.addObject();
      d.put("seed", daySeed);
      d.put("block", map.id());
      d.put("start", scenario.start().toString());
      d.put("end", scenario.end().toString());
      d.put("startLocal", scenario.start().atZone(tz).toLocalDateTime().toString());
      d.put("endLocal", scenario.end().atZone(tz).toLocalDateTime().toString());
      ObjectNode pj = d.putObject("parameters");
      pj.put("missRate", params.noise().missRate());
      pj.put("idSwitchRate", params.noise().idSwitchRate());
      pj.put("confJitter", params.noise().confJitter());
      pj.put("boxJitter", params.noise().boxJitter());
      pj.put("pedestriansPerMinute", params.background().pedestriansPerMinute());
      pj.put("vehiclesPerMinute", params.background().vehiclesPerMinute());
      pj.put("cyclistsPerMinute", params.background().cyclistsPerMinute());
      pj.put("heartbeat", params.heartbeat().toString());
      pj.put("occupancy", params.occupancy());
      pj.put("kerbSpacing", params.kerbSpacing());
      ObjectNode ph = pj.putObject("perHour");
      new TreeMap<>(params.perHour()).forEach(ph::put);
      pj.put("cameraDuplicateShare", params.cameraDuplicates());
      pj.put("parkingDuplicateShare", params.parkingDuplicates());
      pj.put("duplicateLag", params.duplicateLag().toString());
      pj.put("deliveryJitter", params.deliveryJitter().toString());
      ObjectNode sc = d.putObject("script");
      report.scriptCounts().forEach(sc::put);
      ArrayNode outagesJson = d.putArray("outages");
      for (io.streetsense.simulator.CameraOutage o : scenario.outages()) {
        outagesJson.add(
            o.cameraId()
                + " "
                + local(scenario.start().plus(o.from()), tz)
                + "-"
                + local(scenario.start().plus(o.to()), tz));
      }
      d.put("cameraFramesDeliveredTwice", run.delivery().cameraDuplicates());
      d.put("parkingMessagesDeliveredTwice", run.delivery().duplicates());
      d.put("messages", run.messages());
      d.put("rejected", run.rejected().values().stream().mapToInt(Integer::intValue).sum());
      d.put("excludedFromScoring", excluded.size());
      d.put("openingsIgnoredOnExcluded", scored.getValue().size());
      ObjectNode bt = d.putObject("byType");
      types.forEach(
          (type, sc2) -> {
            ObjectNode n = bt.putObject(type);
            n.put("expected", sc2.expected());
            n.put("opened", sc2.opened());
            n.put("matched", sc2.matched());
          });
      d.put("generateAndValidateSeconds", round1(run.stage1Seconds()));
      d.put("detectorsSeconds", round1(run.stage2Seconds()));
      d.put("wallSeconds", round1(wall));
      String reproduce =
          "benchmarks/detection-accuracy --generated --seed " + daySeed + " --block " + blockName;
      for (Expected e : result.misses()) {
        String context = report.context(e.zone(), e.from(), e.to());
        missLines.add(
            String.format(
                Locale.ROOT,
                "  seed %d %s %s %s-%s %s (%s)%n    scripted there: %s",
                daySeed,
                map.id(),
                e.zone(),
                local(e.from(), tz),
                local(e.to(), tz),
                e.type(),
                minutes(Duration.between(e.from(), e.to())),
                context));
        ObjectNode n = missesJson.addObject();
        n.put("seed", daySeed);
        n.put("block", map.id());
        n.put("zone", e.zone());
        n.put("type", e.type());
        n.put("from", e.from().toString());
        n.put("to", e.to().toString());
        n.put("fromLocal", local(e.from(), tz));
        n.put("toLocal", local(e.to(), tz));
        n.put("scripted", context);
        n.put("reproduce", reproduce);
      }
      for (Detection f : result.falsePositives()) {
        String context =
            report.context(f.zone(), f.openedAt().minus(Duration.ofMinutes(15)), f.openedAt());
        fpLines.add(
            String.format(
                Locale.ROOT,
                "  seed %d %s %s opened %s (detected %s) %s%s%n    scripted there: %s",
                daySeed,
                map.id(),
                f.zone(),
                local(f.openedAt(), tz),
                local(f.detectedAt(), tz),
                f.type(),
                run.clearedAt().containsKey(f.violationId())
                    ? " cleared " + local(run.clearedAt().get(f.violationId()), tz)
                    : "",
                context));
        ObjectNode n = fpsJson.addObject();
        n.put("seed", daySeed);
        n.put("block", map.id());
        n.put("zone", f.zone());
        n.put("type", f.type());
        n.put("violationId", f.violationId());
        n.put("detectedAt", f.detectedAt().toString());
        n.put("openedAt", f.openedAt().toString());
        n.put("openedAtLocal", local(f.openedAt(), tz));
        n.put("scripted", context);
        n.put("reproduce", reproduce);
      }
      for (GroundTruth.Violation v : excluded) {
        ObjectNode n = excludedJson.addObject();
        n.put("seed", daySeed);
        n.put("block", map.id());
        n.put("zone", v.zone());
        n.put("type", v.type());
        n.put("fromLocal", local(v.from(), tz));
        n.put("toLocal", local(v.to(), tz));
        n.put("reason", v.excluded());
      }
    }
    double wallAll = Duration.between(runStarted, Instant.now()).toMillis() / 1000.0;
    double loadAfter = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();

    System.out.printf(
        Locale.ROOT,
        "%nOver %d days (%,d messages; %d violations excluded from scoring, %d openings on them"
            + " ignored):%n",
        seedList.size(),
        totalMessages,
        excludedTotal,
        ignoredTotal);
    System.out.printf(
        Locale.ROOT,
        "  %-24s %6s %6s %6s  %-26s %-26s %-21s %-21s%n",
        "type",
        "expect",
        "opened",
        "match",
        "precision [95% Wilson]",
        "recall [95% Wilson]",
        "precision/day min med",
        "recall/day min med");
    ObjectNode acc = root.putObject("accuracy");
    for (Map.Entry<String, ManyDays.Tally> e : all.byType().entrySet()) {
      ManyDays.Tally t = e.getValue();
      double[] pi = t.precisionInterval();
      double[] ri = t.recallInterval();
      System.out.printf(
          Locale.ROOT,
          "  %-24s %6d %6d %6d  %.4f [%.4f, %.4f]    %.4f [%.4f, %.4f]    %.3f %.3f (%2d d)      %.3f %.3f (%2d d)%n",
          e.getKey(),
          t.expected(),
          t.opened(),
          t.matched(),
          t.precision(),
          pi[0],
          pi[1],
          t.recall(),
          ri[0],
          ri[1],
          ManyDays.min(t.dayPrecision()),
          ManyDays.median(t.dayPrecision()),
          t.dayPrecision().size(),
          ManyDays.min(t.dayRecall()),
          ManyDays.median(t.dayRecall()),
          t.dayRecall().size());
      ObjectNode n = acc.putObject(e.getKey());
      n.put("expected", t.expected());
      n.put("opened", t.opened());
      n.put("matched", t.matched());
      n.put("precision", t.precision());
      n.put("precisionWilson95Low", pi[0]);
      n.put("precisionWilson95High", pi[1]);
      n.put("recall", t.recall());
      n.put("recallWilson95Low", ri[0]);
      n.put("recallWilson95High", ri[1]);
      n.put("daysWithOpenings", t.dayPrecision().size());
      n.put("precisionPerDayMin", nanToNull(ManyDays.min(t.dayPrecision())));
      n.put("precisionPerDayMedian", nanToNull(ManyDays.median(t.dayPrecision())));
      n.put("daysWithExpected", t.dayRecall().size());
      n.put("recallPerDayMin", nanToNull(ManyDays.min(t.dayRecall())));
      n.put("recallPerDayMedian", nanToNull(ManyDays.median(t.dayRecall())));
    }
    System.out.printf(Locale.ROOT, "%nMisses: %d%n", missLines.size());
    missLines.forEach(System.out::println);
    System.out.printf(Locale.ROOT, "False positives: %d%n", fpLines.size());
    fpLines.forEach(System.out::println);
    System.out.println(
        "Reproduce one day: benchmarks/detection-accuracy --generated --seed N --block BLOCK");
    System.out.printf(
        Locale.ROOT,
        "Wall time: %.1f s for %d days (%.1f s a day); %d cores, load average %.1f before, %.1f"
            + " after%n",
        wallAll,
        seedList.size(),
        wallAll / Math.max(1, seedList.size()),
        Runtime.getRuntime().availableProcessors(),
        loadBefore,
        loadAfter);
    root.set("misses", missesJson);
    root.set("falsePositives", fpsJson);
    root.set("excludedFromScoring", excludedJson);
    ObjectNode runJson = root.putObject("run");
    runJson.put("days", seedList.size());
    runJson.put("messages", totalMessages);
    runJson.put("wallSeconds", round1(wallAll));
    runJson.put("cores", Runtime.getRuntime().availableProcessors());
    runJson.put("java", System.getProperty("java.version"));
    runJson.put("loadAverageBefore", round1(loadBefore));
    runJson.put("loadAverageAfter", round1(loadAfter));
    Path dir = out != null ? out : defaultOut();
    Files.createDirectories(dir);
    Path file =
        dir.resolve(
            LocalDate.now()
                + "-detection-accuracy-generated-seeds-"
                + seeds.replace(',', '_')
                + ".json");
    Files.writeString(file, JSON.writeValueAsString(root) + "\n");
    System.out.println("Report written to " + file);
    return 0;
  }

  private static String eom(AccuracyResult.Score s) {
    return s == null ? "0/0/0" : s.expected() + "/" + s.opened() + "/" + s.matched();
  }

  private static Double nanToNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  /** "FROM-TO" or "A,B,C" seeds. */
  static List<Long> parseSeeds(String value) {
    List<Long> out = new ArrayList<>();
    try {
      for (String part : value.split(",")) {
        String p = part.trim();
        int dash = p.indexOf('-', 1);
        if (dash > 0) {
          long from = Long.parseLong(p.substring(0, dash).trim());
          long to = Long.parseLong(p.substring(dash + 1).trim());
          if (to < from) {
            throw new NumberFormatException();
          }
          for (long s = from; s <= to; s++) {
            out.add(s);
          }
        } else {
          out.add(Long.parseLong(p));
        }
      }
    } catch (NumberFormatException e) {
      throw new CommandLine.ParameterException(
          new CommandLine(new DetectionAccuracy()),
          "--seeds " + value + ": expected FROM-TO or a comma-separated list, e.g. 1-50");
    }
    return out;
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

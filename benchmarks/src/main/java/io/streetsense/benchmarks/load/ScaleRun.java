package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streetsense.benchmarks.ProcStats;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.services.InfluxDb;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.MosquittoBroker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The scale curve ({@code --mode scale}): for each city size in {@code --scale-blocks}, a fresh
 * city, a fresh system under test on fresh topics, and one step at the fixed rate (the uncounted
 * warm-up, then {@code --duration} of which {@code --warmup} is not counted), on the same brokers.
 * What grows with the city is the job's keyed state: per zone and camera, whatever the rate. So
 * each point records the job JVM's heap (most, at the end, after a full GC), its GC share, the last
 * Flink checkpoint's size and duration, that size per zone, the job's CPU per message and whether
 * the rate was sustained; a table, JSON and an HTML page with a chart of each against blocks.
 */
final class ScaleRun {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  /**
   * One city size's figures; the job's are the job JVM's in the split shape, the one bridge+Flink
   * JVM's in the combined shape (which then include the bridge).
   *
   * @param jobHeapAfterGcMb heap in use right after {@code jcmd GC.run} (a full GC) at the end of
   *     the step: what the job and its state really hold
   * @param checkpointBytes the last completed checkpoint's size (Flink's lastCheckpointSize: what
   *     it wrote; with the default heap state backend, the whole state)
   * @param checkpointFullBytes its full size (lastCheckpointFullSize: the whole state, also with
   *     incremental RocksDB checkpoints)
   * @param stateBytesPerZone the full size (else checkpointBytes) / zones in the city
   * @param jobCpuMicrosPerMessage the job JVM's CPU (from /proc, all its threads) per message its
   *     Kafka sources fetched, in the step's counted part
   */
  record Point(
      int blocks,
      int zones,
      int cameras,
      int sensors,
      double targetRate,
      double offeredRate,
      double bridgeRate,
      double flinkRate,
      boolean sustained,
      String verdict,
      String jobProcess,
      Double jobHeapMaxMb,
      Double jobHeapAtEndMb,
      Double jobHeapAfterGcMb,
      Double jobGcPercent,
      Double jobRssMaxMb,
      Double jobCpuCores,
      Double jobCpuMicrosPerMessage,
      Double checkpointBytes,
      Double checkpointFullBytes,
      Double checkpointMs,
      Double stateBytesPerZone,
      double sutStartSeconds,
      String error) {}

  private final LoadTest t;
  private final Instant started;
  private final String command;
  private final String loadAtStart;
  private final Path dir;

  ScaleRun(LoadTest t, Instant started, String command, String loadAtStart, Path dir) {
    this.t = t;
    this.started = started;
    this.command = command;
    this.loadAtStart = loadAtStart;
    this.dir = dir;
  }

  int run() throws Exception {
    PhaseRun.Shape shape = t.shapes.get(0);
    double rate = t.rates.get(0);
    long oooMs = DetectorConfig.defaults().maxOutOfOrderness().toMillis();
    List<Point> points = new ArrayList<>();
    List<Results.Phase> phases = new ArrayList<>();
    List<Map<String, Object>> cities = new ArrayList<>();
    Map<String, Object> services = new LinkedHashMap<>();
    // The MQTT queue holds what a step leaves unsent at most; no backlog is played here.
    try (MosquittoBroker mqtt =
            MosquittoBroker.builder()
                .maxInflightMessages(1000)
                .maxQueuedMessages(2_000_000)
                .autosaveIntervalSeconds(3600)
                .start(dir.resolve("mqtt"));
        KafkaBroker kafka = KafkaBroker.builder().maxHeap(t.kafkaHeap).start(dir.resolve("kafka"));
        InfluxDb influx = InfluxDb.start(dir.resolve("influx"))) {
      Map<String, Long> pids = LoadTest.servicePids();
      services.put("mqtt", mqtt.serverUri());
      services.put("kafka", kafka.bootstrapServers() + " (heap " + t.kafkaHeap + ")");
      services.put("influxdb", influx.url());
      LoadTest.progress(
          "scale curve: %s blocks at %.0f msgs/s, %s shape; services: Mosquitto %s, Kafka %s,"
              + " InfluxDB %s; work dir %s",
          t.scaleBlocks,
          rate,
          shape.label(),
          mqtt.serverUri(),
          kafka.bootstrapServers(),
          influx.url(),
          dir);
      for (int blocks : t.scaleBlocks) {
        Path cityDir = dir.resolve("city-" + blocks);
        CityMaps.City city = CityMaps.write(t.blockmaps, blocks, cityDir.resolve("blockmaps"));
        cities.add(city.describe());
        LoadTest.progress(
            "scale: %d blocks: %,d cameras, %,d sensors, %,d zones; harness heap in use %d MB",
            city.blocks(),
            city.cameras(),
            city.sensors(),
            city.zones(),
            (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
        PhaseRun run =
            new PhaseRun(
                t,
                PhaseRun.Kind.PIPELINE,
                city,
                mqtt.serverUri(),
                kafka.bootstrapServers(),
                influx.url(),
                pids,
                cityDir,
                oooMs,
                shape,
                "b" + blocks);
        Results.Phase phase = run.run();
        phases.add(phase);
        Point p = point(city, rate, phase, run.jobProcess(), run.endOfRun());
        points.add(p);
        LoadTest.progress("scale: %s", line(p));
      }
    }
    String loadAtEnd = ProcStats.loadAverage();
    Path json = writeJson(points, phases, cities, services, loadAtEnd);
    Path html = writeHtml(points, shape, rate, loadAtEnd);
    System.out.println();
    System.out.println(table(points));
    System.out.printf(Locale.ROOT, "load average at start %s, at end %s%n", loadAtStart, loadAtEnd);
    System.out.println("report: " + json.toAbsolutePath());
    System.out.println("charts: " + html.toAbsolutePath());
    return points.stream().anyMatch(p -> p.error() != null) ? 1 : 0;
  }

  private static Point point(
      CityMaps.City city, double rate, Results.Phase phase, String job, Map<String, Object> end) {
    Results.Step step =
        phase.steps().stream().filter(s -> s.kind().equals("fixed")).findFirst().orElse(null);
    Object error = phase.checks().get("error");
    Double checkpoint = number(end.get("lastCheckpointSizeBytes"));
    // Flink reports -1 (or nothing) until a checkpoint completed.
    if (checkpoint != null && checkpoint < 0) {
      checkpoint = null;
    }
    Double full = number(end.get("lastCheckpointFullSizeBytes"));
    if (full != null && full < 0) {
      full = null;
    }
    Double state = full != null ? full : checkpoint;
    Double checkpointMs = number(end.get("lastCheckpointDurationMs"));
    if (checkpointMs != null && checkpointMs < 0) {
      checkpointMs = null;
    }
    Double cores = step == null ? null : step.cpuCores().get(job);
    Double micros =
        cores == null || step.flinkRate() <= 0 ? null : round(cores * 1e6 / step.flinkRate());
    return new Point(
        city.blocks(),
        city.zones(),
        city.cameras(),
        city.sensors(),
        rate,
        step == null ? 0 : step.offeredRate(),
        step == null ? 0 : step.bridgeRate(),
        step == null ? 0 : step.flinkRate(),
        step != null && step.sustainable(),
        step == null ? "no step" : step.verdict(),
        job,
        step == null ? null : step.heapMaxMb().get(job),
        number(end.get("heapAtEndMb")),
        number(end.get("heapAfterGcMb")),
        step == null ? null : step.gcPercent().get(job),
        step == null ? null : step.rssMaxMb().get(job),
        cores,
        micros,
        checkpoint,
        full,
        checkpointMs,
        state == null || city.zones() == 0 ? null : round(state / city.zones()),
        phase.sutStartSeconds(),
        error == null ? null : error.toString());
  }

  private static Double number(Object o) {
    return o instanceof Number n ? n.doubleValue() : null;
  }

  private static double round(double v) {
    return PhaseRun.round(v);
  }

  private static String line(Point p) {
    return String.format(
        Locale.ROOT,
        "%d blocks (%,d zones): %s at %.0f msgs/s (job fetched %.0f); job heap max %s / end %s /"
            + " after GC %s MB, GC %s %%, checkpoint %s in %s ms (%s B per zone), job %s µs per"
            + " message%s",
        p.blocks(),
        p.zones(),
        p.sustained() ? "sustained" : "NOT sustained",
        p.targetRate(),
        p.flinkRate(),
        f(p.jobHeapMaxMb()),
        f(p.jobHeapAtEndMb()),
        f(p.jobHeapAfterGcMb()),
        f(p.jobGcPercent()),
        p.checkpointBytes() == null ? "-" : mb(p.checkpointBytes()) + " MB",
        f(p.checkpointMs()),
        f(p.stateBytesPerZone()),
        f(p.jobCpuMicrosPerMessage()),
        p.error() == null ? "" : "; ERROR " + p.error());
  }

  static String table(List<Point> points) {
    StringBuilder b = new StringBuilder("== scale curve\n");
    b.append(
        String.format(
            Locale.ROOT,
            "%7s %8s %7s %8s %4s %9s %9s %9s %6s %9s %8s %9s %9s%n",
            "blocks",
            "zones",
            "cameras",
            "job/s",
            "ok",
            "heap max",
            "heap end",
            "after GC",
            "GC %",
            "ckpt MB",
            "ckpt ms",
            "B/zone",
            "µs/msg"));
    for (Point p : points) {
      b.append(
          String.format(
              Locale.ROOT,
              "%7d %8d %7d %8.0f %4s %9s %9s %9s %6s %9s %8s %9s %9s%n",
              p.blocks(),
              p.zones(),
              p.cameras(),
              p.flinkRate(),
              p.sustained() ? "yes" : "NO",
              f(p.jobHeapMaxMb()),
              f(p.jobHeapAtEndMb()),
              f(p.jobHeapAfterGcMb()),
              f(p.jobGcPercent()),
              p.checkpointBytes() == null ? "-" : mb(p.checkpointBytes()),
              f(p.checkpointMs()),
              f(p.stateBytesPerZone()),
              f(p.jobCpuMicrosPerMessage())));
    }
    b.append("heap and GC are the ")
        .append(points.isEmpty() ? "job" : points.get(0).jobProcess())
        .append(" JVM's (MB); checkpoint: the last completed one; B/zone: checkpoint bytes per")
        .append(" zone; µs/msg: that JVM's CPU per message the job fetched\n");
    for (Point p : points) {
      if (p.error() != null) {
        b.append(p.blocks()).append(" blocks: ERROR ").append(p.error()).append('\n');
      }
    }
    return b.toString();
  }

  private static String f(Double v) {
    if (v == null || !Double.isFinite(v)) {
      return "-";
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String mb(double bytes) {
    return f(bytes / 1048576.0);
  }

  private String fileBase() {
    return "load-" + LocalDate.ofInstant(started, ZoneOffset.UTC) + "-" + t.scenario;
  }

  private Path writeJson(
      List<Point> points,
      List<Results.Phase> phases,
      List<Map<String, Object>> cities,
      Map<String, Object> services,
      String loadAtEnd)
      throws IOException {
    Files.createDirectories(t.out);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "load test: scale curve (one fixed rate on cities of growing size)");
    doc.put("startedAt", started.toString());
    doc.put("finishedAt", Instant.now().toString());
    doc.put("command", command);
    Map<String, Object> machine = new LinkedHashMap<>();
    machine.put("cores", LoadTest.cores());
    machine.put("java", System.getProperty("java.version"));
    machine.put("loadAverageAtStart", loadAtStart);
    machine.put("loadAverageAtEnd", loadAtEnd);
    doc.put("machine", machine);
    doc.put("settings", t.settingsForReport());
    doc.put("services", services);
    Map<String, String> d = new LinkedHashMap<>();
    d.put(
        "jobProcess",
        "the JVM the job figures are read from: 'job' in the split shape (the Flink job alone),"
            + " 'bridge+flink' in the combined shape (bridge included)");
    d.put("jobHeapMaxMb", "most heap in use in the step's counted part (hsperfdata, 1 s samples)");
    d.put("jobHeapAtEndMb", "heap in use at the last sample of the step");
    d.put(
        "jobHeapAfterGcMb",
        "heap in use right after a full GC asked for with jcmd GC.run at the end of the step: the"
            + " live data (state on the heap, maps, buffers)");
    d.put("jobGcPercent", "GC time (hsperfdata) as a share of the counted part's wall time");
    d.put(
        "checkpointBytes",
        "Flink's lastCheckpointSize of the last completed checkpoint at the end of the step");
    d.put(
        "checkpointFullBytes",
        "Flink's lastCheckpointFullSize of that checkpoint: the whole state (differs from"
            + " checkpointBytes only with incremental checkpoints)");
    d.put("checkpointMs", "Flink's lastCheckpointDuration of that checkpoint");
    d.put("stateBytesPerZone", "checkpointFullBytes (else checkpointBytes) / zones in the city");
    d.put(
        "jobCpuMicrosPerMessage",
        "the job JVM's CPU (/proc) in the counted part per message its Kafka sources fetched");
    d.put(
        "sustained",
        "lag slope after the step's warm-up <= 1 % of the rate, and the generator published >= 97"
            + " % of it");
    doc.put("definitions", d);
    doc.put("points", points);
    doc.put("cities", cities);
    doc.put("phases", phases);
    Path file = t.out.resolve(fileBase() + ".json");
    JSON.writeValue(file.toFile(), doc);
    return file;
  }

  private Path writeHtml(List<Point> points, PhaseRun.Shape shape, double rate, String loadAtEnd)
      throws IOException {
    Files.createDirectories(t.out);
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>StreetSense scale curve ")
        .append(SvgChart.esc(fileBase()))
        .append("</title><style>body{font-family:sans-serif;margin:20px;max-width:1200px}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;")
        .append("padding:3px 6px;font-size:12px;text-align:right}th{background:#f0f0f0}")
        .append("p.small{font-size:12px;color:#444}</style></head><body>");
    h.append("<h1>StreetSense load test: ").append(SvgChart.esc(t.scenario)).append("</h1>");
    h.append("<p class='small'>")
        .append(
            SvgChart.esc(
                String.format(
                    Locale.ROOT,
                    "Scale curve: %.0f msgs/s on cities of %s blocks, %s shape (job figures from"
                        + " the '%s' JVM). Each city: a fresh system under test on fresh topics,"
                        + " a %d s warm-up at half the rate, then %d s of which the first %d s are"
                        + " not counted. %d cores; load average at start %s, at end %s.",
                    rate,
                    t.scaleBlocks,
                    shape.label(),
                    points.isEmpty() ? "job" : points.get(0).jobProcess(),
                    t.initialWarmup.toSeconds(),
                    t.duration.toSeconds(),
                    t.warmup.toSeconds(),
                    LoadTest.cores(),
                    loadAtStart,
                    loadAtEnd)))
        .append("<br>")
        .append(SvgChart.esc(command))
        .append("</p>");
    h.append("<pre>").append(SvgChart.esc(table(points))).append("</pre>");
    double[] x = points.stream().mapToDouble(Point::blocks).toArray();
    chart(
        h,
        "Job JVM heap in use",
        "MB",
        x,
        points,
        List.of(
            new Figure("most in the step", Point::jobHeapMaxMb),
            new Figure("at the end", Point::jobHeapAtEndMb),
            new Figure("after a full GC", Point::jobHeapAfterGcMb)));
    chart(
        h,
        "Job JVM GC share of wall time",
        "%",
        x,
        points,
        List.of(new Figure("GC", Point::jobGcPercent)));
    chart(
        h,
        "Last checkpoint size",
        "MB",
        x,
        points,
        List.of(
            new Figure(
                "checkpoint",
                p -> p.checkpointBytes() == null ? null : p.checkpointBytes() / 1048576.0)));
    chart(
        h,
        "Last checkpoint duration",
        "ms",
        x,
        points,
        List.of(new Figure("checkpoint", Point::checkpointMs)));
    chart(
        h,
        "State per zone (checkpoint bytes / zones)",
        "bytes",
        x,
        points,
        List.of(new Figure("per zone", Point::stateBytesPerZone)));
    chart(
        h,
        "Job CPU per message",
        "µs",
        x,
        points,
        List.of(new Figure("job JVM", Point::jobCpuMicrosPerMessage)));
    chart(
        h,
        "Rate (sustained when the job keeps up with the target)",
        "msgs/s",
        x,
        points,
        List.of(
            new Figure("target", Point::targetRate), new Figure("job fetched", Point::flinkRate)));
    h.append("<p class='small'>x axis: blocks in the city. Missing points: no value (e.g. no")
        .append(" checkpoint completed in the step).</p></body></html>");
    Path file = t.out.resolve(fileBase() + ".html");
    Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private record Figure(String name, Function<Point, Double> value) {}

  private static void chart(
      StringBuilder h,
      String title,
      String unit,
      double[] x,
      List<Point> points,
      List<Figure> figures) {
    List<SvgChart.Series> series = new ArrayList<>();
    int i = 0;
    for (Figure f : figures) {
      double[] y = new double[points.size()];
      for (int k = 0; k < points.size(); k++) {
        Double v = f.value().apply(points.get(k));
        y[k] = v == null ? Double.NaN : v;
      }
      series.add(
          new SvgChart.Series(
              f.name(), SvgChart.PALETTE[i++ % SvgChart.PALETTE.length], x, y, false));
    }
    h.append(SvgChart.render(title + " against blocks", unit, false, series, List.of()));
  }
}

package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.streetsense.benchmarks.ProcStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The load test's report: JSON (every figure and the 1-second samples), a static HTML page with
 * inline SVG charts, and a plain-text summary for the console.
 */
final class LoadReport {
  private static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  // The targets of the issue "City scale on two cores" (the product goal is 15 000 msgs/s).
  static final double TARGET_SUSTAINED = 12_000;
  static final double TARGET_DRAIN = 15_000;
  static final double TARGET_P99_MS = 500;
  static final double TARGET_SHARE = 0.85;
  static final double TARGET_HEAP_MB = 512;
  static final double TARGET_GC_PERCENT = 3;

  private final LoadTest t;
  private final Instant started;
  private final Instant finished = Instant.now();
  private final String command;
  private final String loadAtStart;
  private final String loadAtEnd;
  private final CityMaps.City city;
  private final Map<String, Object> services;
  private final List<Results.Phase> phases;
  private final long oooMs;
  private final String fileBase;

  LoadReport(
      LoadTest t,
      Instant started,
      String command,
      String loadAtStart,
      String loadAtEnd,
      CityMaps.City city,
      Map<String, Object> services,
      List<Results.Phase> phases,
      long oooMs) {
    this.t = t;
    this.started = started;
    this.command = command;
    this.loadAtStart = loadAtStart;
    this.loadAtEnd = loadAtEnd;
    this.city = city;
    this.services = services;
    this.phases = phases;
    this.oooMs = oooMs;
    this.fileBase = "load-" + LocalDate.ofInstant(started, ZoneOffset.UTC) + "-" + t.scenario;
  }

  /**
   * The phase of that kind: the combined shape's when there is one (its targets are the issue's),
   * else the split shape's.
   */
  private Results.Phase phase(String name) {
    return phases.stream()
        .filter(p -> p.name().equals(name))
        .findFirst()
        .or(() -> phases.stream().filter(p -> p.name().equals(name + "-split")).findFirst())
        .orElse(null);
  }

  static boolean isPassthrough(Results.Phase p) {
    return p.name().startsWith("passthrough");
  }

  /** The targets of the issue against what this run measured. */
  List<Map<String, Object>> targets() {
    List<Map<String, Object>> out = new ArrayList<>();
    Results.Phase pipeline = phase("pipeline");
    Results.Phase passthrough = phase("passthrough");
    Double best = pipeline == null ? null : pipeline.maxSustainableRate();
    out.add(
        target(
            "sustained rate end to end, all detectors and work orders (msgs/s)",
            ">= 12 000 (product goal 15 000)",
            best,
            best == null ? null : best >= TARGET_SUSTAINED,
            best == null ? "needs --mode search or full" : boundNote(pipeline)));
    Double drain =
        pipeline == null || pipeline.drain() == null ? null : pipeline.drain().endToEndRate();
    out.add(
        target(
            "draining a backlog, end to end (msgs/s)",
            ">= 15 000",
            drain,
            drain == null ? null : drain >= TARGET_DRAIN,
            drain == null ? "needs --backlog > 0" : "bridge + job, from resume to all fetched"));
    Results.Step at80 =
        pipeline == null
            ? null
            : pipeline.steps().stream()
                .filter(s -> s.kind().equals("at-80%"))
                .findFirst()
                .orElse(null);
    LatencyBook.Summary p99 = at80 == null ? null : at80.latency().get("violation");
    LatencyBook.Summary wo = at80 == null ? null : at80.latency().get("workOrder");
    out.add(
        target(
            "p99 processing latency at 80 % of the sustained rate (ms)",
            "<= 500",
            p99 == null ? null : p99.p99(),
            p99 == null ? null : p99.p99() <= TARGET_P99_MS,
            p99 == null
                ? "needs the search's 80 % step"
                : String.format(
                    Locale.ROOT,
                    "violation records, %d samples at %.0f msgs/s; work orders p99 %s ms",
                    p99.count(),
                    at80.targetRate(),
                    wo == null ? "n/a" : String.format(Locale.ROOT, "%.0f", wo.p99()))));
    Double ptBest = passthrough == null ? null : passthrough.maxSustainableRate();
    Double share = best == null || ptBest == null || ptBest == 0 ? null : best / ptBest;
    out.add(
        target(
            "pipeline's sustained rate as a share of the passthrough's",
            ">= 85 %",
            share == null ? null : Math.round(share * 1000) / 10.0,
            share == null ? null : share >= TARGET_SHARE,
            share == null
                ? "needs both phases searched"
                : String.format(Locale.ROOT, "%.0f of %.0f msgs/s", best, ptBest)));
    // The job's JVM: the combined process, or the job's own in the split shape.
    String jvm =
        at80 == null ? null : at80.heapMaxMb().containsKey("bridge+flink") ? "bridge+flink" : "job";
    Double heap = at80 == null ? null : at80.heapMaxMb().get(jvm);
    Double gc = at80 == null ? null : at80.gcPercent().get(jvm);
    out.add(
        target(
            "job JVM at 80 %: heap in use, max (MB)",
            "<= 512",
            heap,
            heap == null ? null : heap <= TARGET_HEAP_MB,
            heap == null ? "needs the search's 80 % step" : jvm + " JVM, --sut-heap " + t.sutHeap));
    out.add(
        target(
            "job JVM at 80 %: time in GC (%)",
            "<= 3",
            gc,
            gc == null ? null : gc <= TARGET_GC_PERCENT,
            gc == null ? "needs the search's 80 % step" : jvm + " JVM"));
    return out;
  }

  private static String boundNote(Results.Phase p) {
    if (p.lowestFailedRate() == null) {
      return "no rate failed up to the search's maximum or step budget";
    }
    return String.format(Locale.ROOT, "lowest failed rate %.0f msgs/s", p.lowestFailedRate());
  }

  private static Map<String, Object> target(
      String what, String goal, Double measured, Boolean met, String note) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("target", what);
    m.put("goal", goal);
    m.put("measured", measured);
    m.put("met", met);
    m.put("note", note);
    return m;
  }

  Path writeJson(Path dir) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("benchmark", "load test: open-loop load into the whole pipeline, passthrough baseline");
    doc.put("startedAt", started.toString());
    doc.put("finishedAt", finished.toString());
    doc.put("command", command);
    doc.put("machine", machine());
    doc.put("settings", t.settingsForReport());
    doc.put("city", city.describe());
    doc.put("services", services);
    doc.put("definitions", definitions());
    doc.put("targets", targets());
    doc.put("phases", phases);
    Path file = dir.resolve(fileBase + ".json");
    JSON.writeValue(file.toFile(), doc);
    return file;
  }

  private Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", LoadTest.cores());
    m.put("java", System.getProperty("java.version"));
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
    m.put("memoryGb", memoryGb());
    m.put("loadAverageAtStart", loadAtStart);
    m.put("loadAverageAtEnd", loadAtEnd);
    m.put(
        "note",
        "generator, Mosquitto, the system under test (bridge+Flink in one JVM, or bridge and job"
            + " in one each when split), Kafka, InfluxDB and the measurement all on this"
            + " machine; 'other' CPU is everything else running on it");
    return m;
  }

  private static double memoryGb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          return Math.round(Long.parseLong(line.replaceAll("\\D", "")) / 1048576.0 * 10) / 10.0;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  private Map<String, String> definitions() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put(
        "intended time",
        "when the generator was to publish a message: the city's event time mapped to the wall"
            + " clock by the step's rate (open loop); latencies count from it, so a late generator"
            + " or a queue in front of it is not hidden (coordinated omission)");
    d.put(
        "violation",
        "processing latency: Kafka append time of a violation record (opened, updated, cleared)"
            + " minus the intended time of the message with event time E + "
            + oooMs
            + " ms, E being the record's event time: the earliest message that lets the"
            + " watermark pass E. Excludes the rule's dwell and the configured out-of-orderness");
    d.put(
        "violationFromObservation",
        "append time minus the intended time of the observation that completed the rule (E):"
            + " adds the out-of-orderness, which in wall time is "
            + oooMs
            + " ms divided by the step's speed-up");
    d.put(
        "violationVisible",
        "like violation, to when a read_committed consumer had it (the sink's transaction commits"
            + " on the next checkpoint)");
    d.put("workOrder", "like violation, for work-order records made by the detector or the system");
    d.put(
        "forward",
        "passthrough: append time of a forwarded record minus its message's intended time");
    d.put("generatorAck", "publish → PUBACK from Mosquitto, from the intended time");
    d.put("generatorSendDelay", "how late the generator published, from the intended time");
    d.put(
        "lag",
        "messages acknowledged to the generator and not yet fetched by the job's Kafka sources:"
            + " MQTT part (not yet in Kafka) + Kafka part (Flink's currentOffset metric)");
    return d;
  }

  // ---------------------------------------------------------------------------------------------
  // Text

  String summaryText() {
    StringBuilder b = new StringBuilder();
    for (Results.Phase p : phases) {
      b.append(
          String.format(
              Locale.ROOT,
              "== %s (natural city rate %.0f msgs per event-second)%n",
              p.name(),
              p.naturalRate()));
      b.append(
          String.format(
              Locale.ROOT,
              "%-16s %8s %8s %8s %8s %7s %-4s %9s %9s %9s  %s%n",
              "step",
              "target",
              "offered",
              "kafka",
              "job",
              "lag%/s",
              "ok",
              "p50 ms",
              "p99 ms",
              "max ms",
              "cpu (cores)"));
      String metric = isPassthrough(p) ? "forward" : "violation";
      for (Results.Step s : p.steps()) {
        LatencyBook.Summary l = s.latency().get(metric);
        b.append(
            String.format(
                Locale.ROOT,
                "%-16s %8.0f %8.0f %8.0f %8.0f %7.2f %-4s %9s %9s %9s  %s%n",
                s.label().length() > 16 ? s.label().substring(0, 16) : s.label(),
                s.targetRate(),
                s.offeredRate(),
                s.bridgeRate(),
                s.flinkRate(),
                100 * s.lagSlopeShare(),
                s.sustainable() ? "yes" : "NO",
                l == null ? "-" : fmt(l.p50()),
                l == null ? "-" : fmt(l.p99()),
                l == null ? "-" : fmt(l.max()),
                cpu(s.cpuCores())));
        String memory = sutMemory(s);
        if (!memory.isEmpty()) {
          b.append("  ").append(memory).append('\n');
        }
      }
      if (p.maxSustainableRate() != null) {
        b.append(
            String.format(
                Locale.ROOT, "highest sustained rate: %.0f msgs/s%n", p.maxSustainableRate()));
      }
      if (p.drain() != null) {
        Results.Drain d = p.drain();
        b.append(
            String.format(
                Locale.ROOT,
                "drain: %,d msgs, bridge %.0f msgs/s, end to end %.0f msgs/s (peak %.0f)%s; cpu %s%n",
                d.backlog(),
                d.bridgeRate(),
                d.endToEndRate(),
                d.flinkPeakRate(),
                d.completed() ? "" : " INCOMPLETE",
                cpu(d.cpuCores())));
      }
      if (p.accuracy() != null) {
        Results.Accuracy a = p.accuracy();
        b.append(
            String.format(
                Locale.ROOT,
                "accuracy: expected %d, opened %d, matched %d, precision %.3f, recall %.3f%n",
                a.expected(),
                a.opened(),
                a.matched(),
                a.precision(),
                a.recall()));
      }
      checkpointGrowth(b, p);
      if (p.checks().containsKey("error")) {
        b.append("ERROR: ").append(p.checks().get("error")).append('\n');
      }
    }
    b.append("== targets\n");
    for (Map<String, Object> m : targets()) {
      Object met = m.get("met");
      b.append(
          String.format(
              Locale.ROOT,
              "%-4s %s %s: %s (%s)%n",
              met == null ? "n/a" : (Boolean) met ? "MET" : "MISS",
              m.get("target"),
              m.get("goal"),
              m.get("measured") == null ? "-" : fmt((Double) m.get("measured")),
              m.get("note")));
    }
    return b.toString();
  }

  /**
   * The system under test's per-process figures in a step, one JVM after another: heap max, RSS
   * max, GC share of wall time, and its three busiest thread groups.
   */
  static String sutMemory(Results.Step s) {
    StringBuilder b = new StringBuilder();
    for (String proc :
        List.of(PhaseRun.COMBINED_PROCESS, PhaseRun.BRIDGE_PROCESS, PhaseRun.JOB_PROCESS)) {
      if (!s.rssMaxMb().containsKey(proc)) {
        continue;
      }
      Double heap = s.heapMaxMb().get(proc);
      Double gc = s.gcPercent().get(proc);
      b.append(
          String.format(
              Locale.ROOT,
              "%s%s: heap max %s MB, RSS max %s MB, GC %s %%",
              b.length() == 0 ? "" : "; ",
              proc,
              heap == null ? "-" : fmt(heap),
              fmt(s.rssMaxMb().get(proc)),
              gc == null ? "-" : String.format(Locale.ROOT, "%.1f", gc)));
      String pre = proc.equals(PhaseRun.COMBINED_PROCESS) ? "" : proc + ": ";
      List<String> top =
          s.sutThreadCores().entrySet().stream()
              .filter(e -> e.getKey().startsWith(pre) && !e.getKey().startsWith(pre + "("))
              .limit(3)
              .map(
                  e ->
                      String.format(
                          Locale.ROOT, "%s %.2f", e.getKey().substring(pre.length()), e.getValue()))
              .toList();
      if (!top.isEmpty()) {
        b.append(" (threads: ").append(String.join(", ", top)).append(')');
      }
    }
    return b.toString();
  }

  private static String fmt(double v) {
    return v >= 100 ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String cpu(Map<String, Double> cores) {
    StringBuilder b = new StringBuilder();
    cores.forEach(
        (k, v) ->
            b.append(LoadTest.shortName(k))
                .append(' ')
                .append(String.format(Locale.ROOT, "%.2f", v))
                .append(' '));
    return b.toString().trim();
  }

  // ---------------------------------------------------------------------------------------------
  // HTML

  Path writeHtml(Path dir) throws IOException {
    Files.createDirectories(dir);
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html><html><head><meta charset='utf-8'><title>StreetSense load test ")
        .append(esc(fileBase))
        .append("</title><style>body{font-family:sans-serif;margin:20px;max-width:1200px}")
        .append("table{border-collapse:collapse;margin:8px 0 16px}td,th{border:1px solid #ccc;")
        .append("padding:3px 6px;font-size:12px;text-align:right}th{background:#f0f0f0}")
        .append("td.l,th.l{text-align:left}.ok{color:#070}.bad{color:#b00}h2{margin-top:28px}")
        .append("p.small{font-size:12px;color:#444}</style></head><body>");
    h.append("<h1>StreetSense load test: ").append(esc(t.scenario)).append("</h1>");
    h.append("<p class='small'>Deployment shape: ")
        .append(esc(t.shapeLabel()))
        .append(
            " (combined: the bridge and the Flink job in one JVM, as 'streetsense run'; split:"
                + " the bridge in one JVM and the job in another, as 'streetsense bridge' and"
                + " 'streetsense job'; per-process figures name each JVM).</p>");
    h.append("<p class='small'>")
        .append(esc(started.toString()))
        .append(" → ")
        .append(esc(finished.toString()))
        .append("<br>")
        .append(
            esc(
                String.format(
                    Locale.ROOT,
                    "%d cores, %.1f GB, Java %s; load average at start %s, at end %s. Everything"
                        + " co-located on this machine.",
                    LoadTest.cores(),
                    memoryGb(),
                    System.getProperty("java.version"),
                    loadAtStart,
                    loadAtEnd)))
        .append("<br>Command: <code>")
        .append(esc(command))
        .append("</code><br>")
        .append(
            esc(
                String.format(
                    Locale.ROOT,
                    "City: %d blocks (%d real, %d synthetic), %,d cameras, %,d sensors, %,d zones;"
                        + " violations per block and event hour: %s.",
                    city.blocks(),
                    city.realBlocks(),
                    city.syntheticBlocks(),
                    city.cameras(),
                    city.sensors(),
                    city.zones(),
                    t.mix)))
        .append("</p>");
    h.append("<h2>Targets</h2><table><tr><th class='l'>target</th><th>goal</th><th>measured</th>")
        .append("<th>met</th><th class='l'>note</th></tr>");
    for (Map<String, Object> m : targets()) {
      Object met = m.get("met");
      h.append("<tr><td class='l'>")
          .append(esc(String.valueOf(m.get("target"))))
          .append("</td><td>")
          .append(esc(String.valueOf(m.get("goal"))))
          .append("</td><td>")
          .append(m.get("measured") == null ? "–" : fmt((Double) m.get("measured")))
          .append("</td><td class='")
          .append(met == null ? "" : (Boolean) met ? "ok" : "bad")
          .append("'>")
          .append(met == null ? "n/a" : (Boolean) met ? "met" : "missed")
          .append("</td><td class='l'>")
          .append(esc(String.valueOf(m.get("note"))))
          .append("</td></tr>");
    }
    h.append("</table>");
    for (Results.Phase p : phases) {
      phaseHtml(h, p);
    }
    h.append("<h2>Definitions</h2><table>");
    definitions()
        .forEach(
            (k, v) ->
                h.append("<tr><th class='l'>")
                    .append(esc(k))
                    .append("</th><td class='l'>")
                    .append(esc(v))
                    .append("</td></tr>"));
    h.append("</table></body></html>\n");
    Path file = dir.resolve(fileBase + ".html");
    Files.writeString(file, h.toString(), StandardCharsets.UTF_8);
    return file;
  }

  private void phaseHtml(StringBuilder h, Results.Phase p) {
    boolean pt = isPassthrough(p);
    String metric = pt ? "forward" : "violation";
    h.append("<h2>")
        .append(pt ? "Baseline: passthrough job" : "Pipeline: all detectors and work orders")
        .append("</h2><p class='small'>")
        .append(
            esc(
                String.format(
                    Locale.ROOT,
                    "Topics %s*; the city plays %.0f msgs per event-second (mean payload %.0f B),"
                        + " so a rate R runs event time R/%.0f times the wall clock. Bridge and"
                        + " Flink job up in %.1f s.",
                    p.topicPrefix(),
                    p.naturalRate(),
                    p.meanPayloadBytes(),
                    p.naturalRate(),
                    p.sutStartSeconds())))
        .append("</p>");
    if (p.checks().containsKey("error")) {
      h.append("<p class='bad'>Error: ")
          .append(esc(String.valueOf(p.checks().get("error"))))
          .append("</p>");
    }
    h.append("<table><tr><th class='l'>step</th><th>target</th><th>offered</th><th>Kafka in</th>")
        .append("<th>job</th><th>lag slope (% of rate)</th><th>lag at end</th><th>sustained</th>")
        .append("<th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>samples</th>")
        .append(pt ? "" : "<th>work order p99 ms</th><th>viol/s</th>")
        .append("<th>gen. ack p99 ms</th><th>machine busy %</th><th class='l'>verdict</th></tr>");
    for (Results.Step s : p.steps()) {
      LatencyBook.Summary l = s.latency().get(metric);
      LatencyBook.Summary wo = s.latency().get("workOrder");
      LatencyBook.Summary ack = s.latency().get("generatorAck");
      h.append("<tr><td class='l'>")
          .append(esc(s.label()))
          .append("</td><td>")
          .append(fmt(s.targetRate()))
          .append("</td><td>")
          .append(fmt(s.offeredRate()))
          .append("</td><td>")
          .append(fmt(s.bridgeRate()))
          .append("</td><td>")
          .append(fmt(s.flinkRate()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.2f", 100 * s.lagSlopeShare()))
          .append("</td><td>")
          .append(s.lagEnd())
          .append("</td><td class='")
          .append(s.sustainable() ? "ok'>yes" : "bad'>no")
          .append("</td><td>")
          .append(l == null ? "–" : fmt(l.p50()))
          .append("</td><td>")
          .append(l == null ? "–" : fmt(l.p99()))
          .append("</td><td>")
          .append(l == null ? "–" : fmt(l.p999()))
          .append("</td><td>")
          .append(l == null ? "–" : fmt(l.max()))
          .append("</td><td>")
          .append(l == null ? 0 : l.count());
      if (!pt) {
        h.append("</td><td>")
            .append(wo == null ? "–" : fmt(wo.p99()))
            .append("</td><td>")
            .append(String.format(Locale.ROOT, "%.1f", s.violationsRate()));
      }
      h.append("</td><td>")
          .append(ack == null ? "–" : fmt(ack.p99()))
          .append("</td><td>")
          .append(String.format(Locale.ROOT, "%.0f", s.machineBusyPercent()))
          .append("</td><td class='l'>")
          .append(esc(s.verdict()))
          .append("</td></tr>");
    }
    h.append("</table>");
    if (p.drain() != null) {
      Results.Drain d = p.drain();
      h.append("<p>")
          .append(
              esc(
                  String.format(
                      Locale.ROOT,
                      "Drain: %,d messages queued in Mosquitto while the bridge was paused"
                          + " (published at %.0f msgs/s). After resuming: the bridge wrote them to"
                          + " Kafka in %.1f s (%.0f msgs/s), the job fetched them all %.1f s after"
                          + " the resume: %.0f msgs/s end to end (peak 5-s job rate %.0f)%s. CPU: %s.",
                      d.backlog(),
                      d.publishRate(),
                      d.bridgeSeconds(),
                      d.bridgeRate(),
                      d.endToEndSeconds(),
                      d.endToEndRate(),
                      d.flinkPeakRate(),
                      d.completed() ? "" : " — INCOMPLETE",
                      cpu(d.cpuCores()))))
          .append("</p>");
    }
    if (p.accuracy() != null) {
      Results.Accuracy a = p.accuracy();
      h.append("<p>")
          .append(
              esc(
                  String.format(
                      Locale.ROOT,
                      "Detection accuracy over the %.2f h of event time played: expected %d,"
                          + " opened %d, matched %d: precision %.3f, recall %.3f (%d violations due"
                          + " in the last 3 minutes of the played window not counted). By type: %s",
                      a.playedEventHours(),
                      a.expected(),
                      a.opened(),
                      a.matched(),
                      a.precision(),
                      a.recall(),
                      a.pendingAtEnd(),
                      a.byType())))
          .append("</p>");
    }
    cpuTable(h, p);
    stageTable(h, p);
    Results.Step focus = focusStep(p);
    if (focus != null) {
      h.append("<p class='small'>Inside the system under test's JVM")
          .append(p.name().endsWith("-split") ? "s (bridge: and job: prefix each JVM's rows)" : "")
          .append(" in step '")
          .append(esc(focus.label()))
          .append("' (CPU time of its threads by name; Flink's busy time is wall-clock time a task")
          .append(" was not idle or back-pressured, which on a saturated machine includes waiting")
          .append(" for a core):</p><table><tr><th class='l'>thread group</th><th>cores</th></tr>");
      focus
          .sutThreadCores()
          .forEach(
              (k, v) ->
                  h.append("<tr><td class='l'>")
                      .append(esc(k))
                      .append("</td><td>")
                      .append(String.format(Locale.ROOT, "%.2f", v))
                      .append("</td></tr>"));
      h.append("</table><table><tr><th class='l'>Flink task</th><th>busy (cores)</th>")
          .append("<th>back-pressured (cores)</th></tr>");
      focus
          .flinkTasks()
          .forEach(
              (k, v) ->
                  h.append("<tr><td class='l'>")
                      .append(esc(k))
                      .append("</td><td>")
                      .append(String.format(Locale.ROOT, "%.2f", v.getOrDefault("busyCores", 0.0)))
                      .append("</td><td>")
                      .append(
                          String.format(
                              Locale.ROOT, "%.2f", v.getOrDefault("backPressuredCores", 0.0)))
                      .append("</td></tr>"));
      h.append("</table><table><tr><th class='l'>process</th><th>heap max MB</th>")
          .append("<th>RSS max MB</th><th>GC % of wall time</th></tr>");
      for (String proc : focus.rssMaxMb().keySet()) {
        Double heap = focus.heapMaxMb().get(proc);
        Double gc = focus.gcPercent().get(proc);
        h.append("<tr><td class='l'>")
            .append(esc(proc))
            .append("</td><td>")
            .append(heap == null ? "–" : fmt(heap))
            .append("</td><td>")
            .append(fmt(focus.rssMaxMb().get(proc)))
            .append("</td><td>")
            .append(gc == null ? "–" : String.format(Locale.ROOT, "%.1f", gc))
            .append("</td></tr>");
      }
      h.append("</table>");
    }
    charts(h, p, metric);
  }

  /** CPU cores per process (rows) in each step and the drain (columns). */
  private static void cpuTable(StringBuilder h, Results.Phase p) {
    List<String> columns = new ArrayList<>();
    List<Map<String, Double>> cores = new ArrayList<>();
    for (Results.Step s : p.steps()) {
      columns.add(s.label());
      cores.add(s.cpuCores());
    }
    if (p.drain() != null) {
      columns.add("drain");
      cores.add(p.drain().cpuCores());
    }
    Set<String> procs = new LinkedHashSet<>();
    cores.forEach(c -> procs.addAll(c.keySet()));
    if (procs.isEmpty()) {
      return;
    }
    h.append("<p class='small'>CPU per process, cores (CPU seconds per second, from /proc; 'other'")
        .append(" is the rest of the machine):</p><table><tr><th class='l'>process</th>");
    columns.forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("</tr>");
    for (String proc : procs) {
      h.append("<tr><td class='l'>").append(esc(proc)).append("</td>");
      for (Map<String, Double> c : cores) {
        Double v = c.get(proc);
        h.append("<td>")
            .append(v == null ? "–" : String.format(Locale.ROOT, "%.2f", v))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  /**
   * CPU microseconds per device message by pipeline stage (rows) in each step ({@code --profile}).
   */
  private static void stageTable(StringBuilder h, Results.Phase p) {
    Map<String, Map<String, Double>> byStep = p.cpuMicrosPerMessageByStage();
    if (byStep == null || byStep.isEmpty()) {
      return;
    }
    Set<String> stages = new LinkedHashSet<>();
    byStep.values().forEach(m -> stages.addAll(m.keySet()));
    h.append("<p class='small'>CPU microseconds per device message by stage, from the system under")
        .append(" test's flight recording (execution samples of its Java threads, shared out over")
        .append(" their measured CPU; the JVM's own threads as one row):</p>")
        .append("<table><tr><th class='l'>stage</th>");
    byStep.keySet().forEach(c -> h.append("<th>").append(esc(c)).append("</th>"));
    h.append("</tr>");
    for (String stage : stages) {
      h.append("<tr><td class='l'>").append(esc(stage)).append("</td>");
      for (Map<String, Double> m : byStep.values()) {
        Double v = m.get(stage);
        h.append("<td>")
            .append(v == null ? "–" : String.format(Locale.ROOT, "%.1f", v))
            .append("</td>");
      }
      h.append("</tr>");
    }
    h.append("</table>");
  }

  /** The step to break CPU down for: the 80 % step, else the last sustained one, else the last. */
  private static Results.Step focusStep(Results.Phase p) {
    Results.Step out = null;
    for (Results.Step s : p.steps()) {
      if (s.kind().equals("at-80%")) {
        return s;
      }
      if (s.sustainable() || out == null) {
        out = s;
      }
    }
    return out;
  }

  private void charts(StringBuilder h, Results.Phase p, String metric) {
    List<Results.Sample> s = p.samples();
    if (s.size() < 3) {
      return;
    }
    int n = s.size();
    double[] x = new double[n];
    double[] target = new double[n];
    for (int i = 0; i < n; i++) {
      x[i] = s.get(i).t();
      target[i] = s.get(i).targetRate();
    }
    List<SvgChart.Band> bands = new ArrayList<>();
    for (Results.Step st : p.steps()) {
      bands.add(
          new SvgChart.Band(
              st.startSeconds(),
              st.endSeconds(),
              st.label(),
              st.sustainable() ? "#2ca02c" : "#d62728"));
    }
    if (p.drain() != null) {
      double from = p.drain().startSeconds();
      double to =
          from + (Double.isFinite(p.drain().endToEndSeconds()) ? p.drain().endToEndSeconds() : 10);
      bands.add(new SvgChart.Band(from, to, "drain", "#1f77b4"));
    }
    List<SvgChart.Series> rates = new ArrayList<>();
    rates.add(new SvgChart.Series("target", "#000", x, target, true));
    rates.add(
        new SvgChart.Series(
            "generator sent", SvgChart.PALETTE[0], x, rate(s, Results.Sample::genSent), false));
    rates.add(
        new SvgChart.Series(
            "Kafka in (bridge)",
            SvgChart.PALETTE[2],
            x,
            rate(s, Results.Sample::deviceRecords),
            false));
    rates.add(
        new SvgChart.Series(
            "job fetched", SvgChart.PALETTE[1], x, rate(s, Results.Sample::flinkConsumed), false));
    if (isPassthrough(p)) {
      rates.add(
          new SvgChart.Series(
              "forwarded", SvgChart.PALETTE[3], x, rate(s, Results.Sample::forwarded), false));
    }
    h.append(SvgChart.render("Throughput per stage (5-s average)", "msgs/s", false, rates, bands));
    if (!isPassthrough(p)) {
      List<SvgChart.Series> out = new ArrayList<>();
      out.add(
          new SvgChart.Series(
              "violation records",
              SvgChart.PALETTE[4],
              x,
              rate(s, Results.Sample::violations),
              false));
      out.add(
          new SvgChart.Series(
              "work-order records",
              SvgChart.PALETTE[5],
              x,
              rate(s, Results.Sample::workOrders),
              false));
      h.append(
          SvgChart.render(
              "Output records (committed, 5-s average)", "records/s", false, out, bands));
    }
    double[] lag = new double[n];
    double[] mqtt = new double[n];
    double[] kafka = new double[n];
    for (int i = 0; i < n; i++) {
      lag[i] = s.get(i).lag();
      mqtt[i] = s.get(i).bridgeLag();
      kafka[i] = s.get(i).flinkLag();
    }
    h.append(
        SvgChart.render(
            "Consumer lag: acknowledged to the generator, not yet fetched by the job",
            "messages",
            false,
            List.of(
                new SvgChart.Series("total", "#000", x, lag, false),
                new SvgChart.Series("in MQTT (bridge behind)", SvgChart.PALETTE[3], x, mqtt, false),
                new SvgChart.Series("in Kafka (job behind)", SvgChart.PALETTE[1], x, kafka, false)),
            bands));
    List<SvgChart.Series> lat = new ArrayList<>();
    addLatency(lat, p, metric, "p50", 0, false);
    addLatency(lat, p, metric, "p99", 1, false);
    addLatency(lat, p, metric, "max", 2, true);
    addLatency(lat, p, "generatorAck", "p99", 3, false);
    if (!isPassthrough(p)) {
      addLatency(lat, p, "violationVisible", "p99", 4, true);
    }
    h.append(
        SvgChart.render(
            "Latency by intended send time (5-s windows, log scale)", "ms", true, lat, bands));
    Set<String> procs = new LinkedHashSet<>();
    s.forEach(x2 -> procs.addAll(x2.cpuTicks().keySet()));
    List<SvgChart.Series> cpu = new ArrayList<>();
    int c = 0;
    for (String proc : procs) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        int j = Math.max(0, i - 5);
        Long a = s.get(j).cpuTicks().get(proc);
        Long b = s.get(i).cpuTicks().get(proc);
        double dt = (s.get(i).wallMs() - s.get(j).wallMs()) / 1000.0;
        y[i] =
            a == null || b == null || dt <= 0 || a < 0 || b < 0
                ? Double.NaN
                : (b - a) / ProcStats.TICKS_PER_SECOND / dt;
      }
      cpu.add(
          new SvgChart.Series(proc, SvgChart.PALETTE[c++ % SvgChart.PALETTE.length], x, y, false));
    }
    double[] machine = new double[n];
    for (int i = 0; i < n; i++) {
      int j = Math.max(0, i - 5);
      long busy = s.get(i).machineBusyTicks() - s.get(j).machineBusyTicks();
      long total = s.get(i).machineTotalTicks() - s.get(j).machineTotalTicks();
      machine[i] = total <= 0 ? Double.NaN : (double) busy / total * LoadTest.cores();
    }
    cpu.add(new SvgChart.Series("whole machine", "#000", x, machine, true));
    h.append(SvgChart.render("CPU per process (5-s average)", "cores", false, cpu, bands));
    Set<String> jvms = new LinkedHashSet<>();
    s.forEach(x2 -> jvms.addAll(x2.heapUsed().keySet()));
    List<SvgChart.Series> heap = new ArrayList<>();
    c = 0;
    for (String jvm : jvms) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        Long v = s.get(i).heapUsed().get(jvm);
        y[i] = v == null ? Double.NaN : v / 1048576.0;
      }
      heap.add(
          new SvgChart.Series(jvm, SvgChart.PALETTE[c++ % SvgChart.PALETTE.length], x, y, false));
    }
    h.append(SvgChart.render("Heap in use per JVM (hsperfdata)", "MB", false, heap, bands));
    List<SvgChart.Series> gc = new ArrayList<>();
    c = 0;
    for (String jvm : jvms) {
      double[] y = new double[n];
      for (int i = 0; i < n; i++) {
        int j = Math.max(0, i - 5);
        Double a = s.get(j).gcMillis().get(jvm);
        Double b = s.get(i).gcMillis().get(jvm);
        double dtMs = s.get(i).wallMs() - s.get(j).wallMs();
        y[i] = a == null || b == null || dtMs <= 0 ? Double.NaN : 100.0 * (b - a) / dtMs;
      }
      gc.add(
          new SvgChart.Series(jvm, SvgChart.PALETTE[c++ % SvgChart.PALETTE.length], x, y, false));
    }
    h.append(
        SvgChart.render("Time in GC per JVM (5-s average)", "% of wall time", false, gc, bands));
    if (!isPassthrough(p) || s.stream().anyMatch(x2 -> x2.lastCheckpointFullBytes() > 0)) {
      double[] size = new double[n];
      double[] took = new double[n];
      for (int i = 0; i < n; i++) {
        size[i] = s.get(i).lastCheckpointFullBytes() / 1048576.0;
        took[i] = s.get(i).lastCheckpointMs();
      }
      h.append(
          SvgChart.render(
              "Job state: the last completed checkpoint's full size",
              "MB",
              false,
              List.of(new SvgChart.Series("checkpoint size", SvgChart.PALETTE[0], x, size, false)),
              bands));
      h.append(
          SvgChart.render(
              "Job state: the last completed checkpoint's duration",
              "ms",
              false,
              List.of(new SvgChart.Series("duration", SvgChart.PALETTE[1], x, took, false)),
              bands));
    }
  }

  private static void addLatency(
      List<SvgChart.Series> out,
      Results.Phase p,
      String metric,
      String which,
      int color,
      boolean dashed) {
    Map<Long, LatencyBook.Summary> tl = p.latencyTimeline().get(metric);
    if (tl == null || tl.isEmpty()) {
      return;
    }
    double[] x = new double[tl.size()];
    double[] y = new double[tl.size()];
    int i = 0;
    for (Map.Entry<Long, LatencyBook.Summary> e : tl.entrySet()) {
      x[i] = e.getKey() + LatencyBook.TIMELINE_WINDOW_MS / 2000.0;
      y[i] =
          switch (which) {
            case "p50" -> e.getValue().p50();
            case "p99" -> e.getValue().p99();
            default -> e.getValue().max();
          };
      i++;
    }
    out.add(new SvgChart.Series(metric + " " + which, SvgChart.PALETTE[color], x, y, dashed));
  }

  private static double[] rate(
      List<Results.Sample> s, java.util.function.ToLongFunction<Results.Sample> f) {
    double[] y = new double[s.size()];
    for (int i = 0; i < s.size(); i++) {
      int j = Math.max(0, i - 5);
      double dt = (s.get(i).wallMs() - s.get(j).wallMs()) / 1000.0;
      y[i] = dt <= 0 ? Double.NaN : (f.applyAsLong(s.get(i)) - f.applyAsLong(s.get(j))) / dt;
    }
    return y;
  }

  private static String esc(String s) {
    return SvgChart.esc(s);
  }

  /** Per fixed step, the checkpoint's state by operator at its start and end (MB). */
  private static void checkpointGrowth(StringBuilder b, Results.Phase p) {
    if (p.checkpointByOperator() == null) {
      return;
    }
    p.checkpointByOperator()
        .forEach(
            (step, ends) -> {
              Map<String, Long> start = ends.getOrDefault("start", Map.of());
              Map<String, Long> end = ends.getOrDefault("end", Map.of());
              b.append(
                  String.format(
                      Locale.ROOT,
                      "checkpoint state by operator, step '%s' (MB, start -> end):%n",
                      step));
              end.forEach(
                  (operator, bytes) -> {
                    if (bytes >= 10_000 || start.getOrDefault(operator, 0L) >= 10_000) {
                      b.append(
                          String.format(
                              Locale.ROOT,
                              "  %-44s %7.2f -> %7.2f%n",
                              operator,
                              start.getOrDefault(operator, 0L) / 1e6,
                              bytes / 1e6));
                    }
                  });
              b.append(
                  String.format(
                      Locale.ROOT,
                      "  %-44s %7.2f -> %7.2f%n",
                      "(whole job)",
                      start.values().stream().mapToLong(Long::longValue).sum() / 1e6,
                      end.values().stream().mapToLong(Long::longValue).sum() / 1e6));
            });
  }
}

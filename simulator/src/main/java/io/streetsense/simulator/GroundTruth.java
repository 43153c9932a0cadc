package io.streetsense.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The violations a scenario scripted: what a perfect pipeline would report. A scorer matches the
 * pipeline's opened violations against the {@link Violation#detectable() detectable} entries
 * (precision and recall); entries that are not detectable are scripted near-misses (a stall that
 * leaves before the rule's dwell) that must not open a violation.
 *
 * <p>JSON form ({@link #toJson()}):
 *
 * <pre>{@code
 * {"start":"2026-11-23T02:00:00Z","end":"2026-11-23T02:30:00Z","violations":[
 *   {"block":"jiashan-lane","zone":"JS-Z-NV1","shop":null,"type":"ILLEGAL_STALL",
 *    "from":"2026-11-23T02:03:00Z","to":"2026-11-23T02:13:00Z",
 *    "cameras":["JS-C-01","JS-C-02"],"classes":["stall"],"detectable":true}]}
 * }</pre>
 *
 * @param start the simulated start of the scenario(s)
 * @param end the simulated end
 * @param violations ordered by {@code from}, then block and zone
 */
public record GroundTruth(Instant start, Instant end, List<Violation> violations) {

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * One scripted violation.
   *
   * @param block block id
   * @param zone the zone the violation is filed for (for a parking overflow: the parking zone)
   * @param shop the shop concerned (frontage zones), or {@code null}
   * @param type the violation type's service code, e.g. {@code ILLEGAL_STALL}
   * @param from event time at which the violating situation starts
   * @param to event time at which it ends
   * @param cameras cameras that see it (for a parking overflow: those seeing its no-parking zones)
   * @param classes detector classes of the objects involved
   * @param detectable whether it lasts at least the zone rule's dwell, so the pipeline must open a
   *     violation for it
   * @param excluded {@code null} when scored; else why it is left out of scoring (its truth is too
   *     close to call, e.g. its cameras were out for all but a few minutes of it): a detection
   *     matching it is neither a hit nor a false positive, and missing it is no miss
   */
  public record Violation(
      String block,
      String zone,
      String shop,
      String type,
      Instant from,
      Instant to,
      List<String> cameras,
      List<String> classes,
      boolean detectable,
      String excluded) {
    /** A scored violation. */
    public Violation(
        String block,
        String zone,
        String shop,
        String type,
        Instant from,
        Instant to,
        List<String> cameras,
        List<String> classes,
        boolean detectable) {
      this(block, zone, shop, type, from, to, cameras, classes, detectable, null);
    }

    /** The same violation, left out of scoring for {@code reason}. */
    public Violation excludedFor(String reason) {
      return new Violation(block, zone, shop, type, from, to, cameras, classes, detectable, reason);
    }

    /** Whether it is scored: detectable and not excluded. */
    public boolean expected() {
      return detectable && excluded == null;
    }

    public Violation {
      Objects.requireNonNull(block, "block");
      Objects.requireNonNull(zone, "zone");
      Objects.requireNonNull(type, "type");
      Objects.requireNonNull(from, "from");
      Objects.requireNonNull(to, "to");
      cameras = List.copyOf(cameras);
      classes = List.copyOf(classes);
    }
  }

  public GroundTruth {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    List<Violation> sorted = new ArrayList<>(violations);
    sorted.sort(
        Comparator.comparing(Violation::from)
            .thenComparing(Violation::block)
            .thenComparing(Violation::zone)
            .thenComparing(Violation::type));
    violations = List.copyOf(sorted);
  }

  /** The violations expected to be reported. */
  public List<Violation> detectable() {
    return violations.stream().filter(Violation::detectable).toList();
  }

  /** This ground truth and another's (e.g. of another block of the same city run). */
  public GroundTruth plus(GroundTruth other) {
    List<Violation> all = new ArrayList<>(violations);
    all.addAll(other.violations);
    Instant s = start.isBefore(other.start) ? start : other.start;
    Instant e = end.isAfter(other.end) ? end : other.end;
    return new GroundTruth(s, e, all);
  }

  /** The JSON form, see the class comment. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("start", start.toString());
    root.put("end", end.toString());
    ArrayNode list = root.putArray("violations");
    for (Violation v : violations) {
      ObjectNode n = list.addObject();
      n.put("block", v.block());
      n.put("zone", v.zone());
      n.put("shop", v.shop());
      n.put("type", v.type());
      n.put("from", v.from().toString());
      n.put("to", v.to().toString());
      ArrayNode cameras = n.putArray("cameras");
      v.cameras().forEach(cameras::add);
      ArrayNode classes = n.putArray("classes");
      v.classes().forEach(classes::add);
      n.put("detectable", v.detectable());
      if (v.excluded() != null) {
        n.put("excluded", v.excluded());
      }
    }
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes {@link #toJson()} to {@code file}, creating its parent directories. */
  public void writeJson(Path file) throws IOException {
    Path parent = file.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Files.writeString(file, toJson() + "\n");
  }

  /** Reads the JSON form back. */
  public static GroundTruth fromJson(String json) throws IOException {
    JsonNode root = JSON.readTree(json);
    List<Violation> violations = new ArrayList<>();
    for (JsonNode n : root.path("violations")) {
      List<String> cameras = new ArrayList<>();
      n.path("cameras").forEach(c -> cameras.add(c.asText()));
      List<String> classes = new ArrayList<>();
      n.path("classes").forEach(c -> classes.add(c.asText()));
      violations.add(
          new Violation(
              n.path("block").asText(),
              n.path("zone").asText(),
              n.path("shop").isNull() ? null : n.path("shop").asText(),
              n.path("type").asText(),
              Instant.parse(n.path("from").asText()),
              Instant.parse(n.path("to").asText()),
              cameras,
              classes,
              n.path("detectable").asBoolean(),
              n.hasNonNull("excluded") ? n.path("excluded").asText() : null));
    }
    return new GroundTruth(
        Instant.parse(root.path("start").asText()),
        Instant.parse(root.path("end").asText()),
        violations);
  }
}

package io.streetsense.detectors.explain;

import io.streetsense.schemas.ViolationEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link ZoneExplainer} found: the rule, the zone's condition over time (a line when something
 * changes, a summary every period, the violation events at their instants) and a verdict computed
 * from the replay. {@link #toText()} is for people, {@link #toJson()} one JSON object a line.
 *
 * @param header the zone, its rule and devices, the replay's input
 * @param lines within the asked window, in event-time order
 * @param events every violation event of the zone the replay produced, also before the window
 * @param verdict one paragraph: why an order was filed, or why none was
 */
public record Explanation(
    String blockId,
    String zoneId,
    ZoneId timezone,
    Instant from,
    Instant to,
    List<String> header,
    List<Line> lines,
    List<ViolationEvent> events,
    String verdict) {

  /** What kind of line. */
  public enum Kind {
    /** The zone's condition, every {@code --every} of event time. */
    SUMMARY,
    /** Something changed: a camera went offline, a candidate crossed the presence, … */
    CHANGE,
    /** A violation event the detector produced (OPENED, UPDATED, CLEARED). */
    EVENT
  }

  /** One line at one instant; {@code fields} are the same facts for machines. */
  public record Line(Instant at, Kind kind, String text, Map<String, Object> fields) {}

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  /** The explanation as people read it: header, one line per instant, verdict. */
  public String toText() {
    StringBuilder out = new StringBuilder();
    for (String line : header) {
      out.append(line).append('\n');
    }
    for (Line line : lines) {
      String time = CLOCK.format(line.at().atZone(timezone));
      String kind =
          switch (line.kind()) {
            case SUMMARY -> "summary";
            case CHANGE -> "change ";
            case EVENT -> "EVENT  ";
          };
      String[] parts = line.text().split("\n");
      out.append(time).append(' ').append(kind).append(' ').append(parts[0]).append('\n');
      for (int i = 1; i < parts.length; i++) {
        out.append("                 ").append(parts[i]).append('\n');
      }
    }
    out.append("verdict: ").append(verdict).append('\n');
    return out.toString();
  }

  /**
   * One JSON object a line: first {@code {"kind":"header",…}}, then one per line ({@code at} in the
   * block's timezone with its offset), finally {@code {"kind":"verdict",…}}.
   */
  public String toJson() {
    StringBuilder out = new StringBuilder();
    Map<String, Object> head = new LinkedHashMap<>();
    head.put("kind", "header");
    head.put("block", blockId);
    head.put("zone", zoneId);
    head.put("timezone", timezone.getId());
    head.put("from", Json.time(from, timezone));
    head.put("to", Json.time(to, timezone));
    head.put("text", header);
    Json.write(out, head);
    out.append('\n');
    for (Line line : lines) {
      Map<String, Object> object = new LinkedHashMap<>();
      object.put("at", Json.time(line.at(), timezone));
      object.put("kind", line.kind().name().toLowerCase(java.util.Locale.ROOT));
      object.put("text", line.text());
      object.putAll(line.fields());
      Json.write(out, object);
      out.append('\n');
    }
    Map<String, Object> end = new LinkedHashMap<>();
    end.put("kind", "verdict");
    end.put("text", verdict);
    Json.write(out, end);
    out.append('\n');
    return out.toString();
  }
}

package io.streetsense.detectors.explain;

import io.streetsense.detectors.explain.Explanation.Kind;
import io.streetsense.detectors.explain.Explanation.Line;
import io.streetsense.schemas.ViolationEvent;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Turns the replay's states into lines: a summary at the window's start and every period, a change
 * line when a fact's signature differs from the previous state's, the events at their instants.
 */
final class Recorder {
  /**
   * One fact of a state: {@code signature} decides whether it changed (a share of frames is not a
   * change, crossing the rule's threshold is), {@code text} says it.
   */
  record Fact(String signature, String text) {}

  /** A state of the zone at one instant: its facts in print order, and the same for machines. */
  record State(Map<String, Fact> facts, Map<String, Object> fields) {}

  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

  final long from;
  final long to;
  private final long every;
  private final ZoneId timezone;
  final List<Line> lines = new ArrayList<>();
  final List<ViolationEvent> events = new ArrayList<>();
  private long nextTick;
  private Map<String, Fact> last;
  // The facts the last change line says, in print order.
  private final java.util.LinkedHashSet<String> changedKeys = new java.util.LinkedHashSet<>();

  Recorder(long from, long to, long every, ZoneId timezone) {
    this.from = from;
    this.to = to;
    this.every = every;
    this.timezone = timezone;
    this.nextTick = from;
  }

  boolean inWindow(long t) {
    return t >= from && t <= to;
  }

  /** The next summary instant, or {@code Long.MAX_VALUE} after the window. */
  long nextTick() {
    return nextTick <= to ? nextTick : Long.MAX_VALUE;
  }

  String clock(long t) {
    return CLOCK.format(Instant.ofEpochMilli(t).atZone(timezone));
  }

  void event(long t, ViolationEvent event, String text, Map<String, Object> fields) {
    events.add(event);
    if (inWindow(t)) {
      lines.add(new Line(Instant.ofEpochMilli(t), Kind.EVENT, text, fields));
    }
  }

  /** The state after the instant {@code t}; {@code tick}: a summary is due at {@code t}. */
  void state(long t, boolean tick, State state) {
    if (tick) {
      lines.add(
          new Line(
              Instant.ofEpochMilli(t),
              Kind.SUMMARY,
              String.join("\n", state.facts().values().stream().map(Fact::text).toList()),
              state.fields()));
      nextTick += every;
    } else if (inWindow(t) && last != null) {
      List<String> changed = new ArrayList<>();
      for (Map.Entry<String, Fact> fact : state.facts().entrySet()) {
        Fact before = last.get(fact.getKey());
        if (before == null || !Objects.equals(before.signature(), fact.getValue().signature())) {
          changed.add(fact.getValue().text());
        }
      }
      if (!changed.isEmpty()) {
        Line previous = lines.isEmpty() ? null : lines.get(lines.size() - 1);
        if (previous != null
            && previous.kind() == Kind.CHANGE
            && t / 1000 == previous.at().toEpochMilli() / 1000) {
          // Several instants within one second (berth messages a few ms apart): one line, saying
          // every fact that changed in that second as it stands at its end.
          lines.remove(lines.size() - 1);
          for (Map.Entry<String, Fact> fact : state.facts().entrySet()) {
            if (!changedKeys.contains(fact.getKey()) && changed.contains(fact.getValue().text())) {
              changedKeys.add(fact.getKey());
            }
          }
          changed = new ArrayList<>();
          for (String key : changedKeys) {
            Fact fact = state.facts().get(key);
            if (fact != null) {
              changed.add(fact.text());
            }
          }
        } else {
          changedKeys.clear();
          for (Map.Entry<String, Fact> fact : state.facts().entrySet()) {
            if (changed.contains(fact.getValue().text())) {
              changedKeys.add(fact.getKey());
            }
          }
        }
        lines.add(
            new Line(
                Instant.ofEpochMilli(t), Kind.CHANGE, String.join("\n", changed), state.fields()));
      }
    }
    last = new LinkedHashMap<>(state.facts());
  }
}

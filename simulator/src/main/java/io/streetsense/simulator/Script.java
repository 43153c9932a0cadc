package io.streetsense.simulator;

import java.util.ArrayList;
import java.util.List;

/**
 * The scripted events of a scenario, in the order given.
 *
 * <pre>{@code
 * Script script = Script.of(
 *     IllegalStall.seenByAll("JS-Z-NV1", Duration.ofMinutes(3), Duration.ofMinutes(13), "stall"),
 *     new ZoneFull("JS-Z-P1", Duration.ofMinutes(8), Duration.ofMinutes(24)));
 * }</pre>
 */
public record Script(List<ScriptedEvent> events) {
  /** Nothing scripted: background traffic only. */
  public static final Script EMPTY = new Script(List.of());

  public Script {
    events = List.copyOf(events);
  }

  public static Script of(ScriptedEvent... events) {
    return new Script(List.of(events));
  }

  /** This script with one more event. */
  public Script with(ScriptedEvent event) {
    List<ScriptedEvent> more = new ArrayList<>(events);
    more.add(event);
    return new Script(more);
  }

  /** The events of one type, in order. */
  public <T extends ScriptedEvent> List<T> eventsOf(Class<T> type) {
    return events.stream().filter(type::isInstance).map(type::cast).toList();
  }
}

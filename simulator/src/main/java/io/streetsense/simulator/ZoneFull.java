package io.streetsense.simulator;

import java.time.Duration;

/**
 * Every berth of a {@code parking} zone occupied from {@code from} to {@code to}. Cars arrive at
 * the free berths during the few minutes before {@code from}; no car leaves before {@code to}.
 *
 * @param zoneId the parking zone
 */
public record ZoneFull(String zoneId, Duration from, Duration to) implements ScriptedEvent {
  public ZoneFull {
    ScriptedEvent.checkSpan(zoneId, from, to);
  }
}

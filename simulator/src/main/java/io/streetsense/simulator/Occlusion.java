package io.streetsense.simulator;

import java.time.Duration;

/**
 * Something big (a bus, a lorry) between the cameras and a zone for a short while: every camera
 * with a view of {@code zoneId} misses every scripted object standing in that zone from {@code
 * from} to {@code to} (correlated misses, unlike the independent per-frame misses of {@link
 * CameraNoise}). Passers-by are not hidden. Adds nothing to the ground truth: what stands there
 * still stands there.
 *
 * @param zoneId the zone hidden
 */
public record Occlusion(String zoneId, Duration from, Duration to) implements ScriptedEvent {
  public Occlusion {
    ScriptedEvent.checkSpan(zoneId, from, to);
  }
}

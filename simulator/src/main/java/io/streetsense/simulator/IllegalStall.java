package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A stall, cart or tricycle standing still in a {@code no_vending} zone (or in a market pitch
 * outside its schedule): 占道经营. Each camera that sees it reports one object at a fixed ground point
 * inside the zone's polygon of its view, with box jitter far below the rule's {@code max_drift}.
 *
 * @param zoneId the no-vending or market zone
 * @param cameraId the one camera that sees it, or {@code null}: every camera with a view of the
 *     zone (one physical stall seen from several sides)
 * @param from offset from the scenario start at which it stands there
 * @param to offset at which it is gone
 * @param cls the detector class: {@code stall}, {@code cart} or {@code tricycle}
 */
public record IllegalStall(String zoneId, String cameraId, Duration from, Duration to, String cls)
    implements ScriptedEvent {
  public IllegalStall {
    ScriptedEvent.checkSpan(zoneId, from, to);
    Objects.requireNonNull(cls, "cls");
  }

  /** A stall seen by every camera with a view of the zone. */
  public static IllegalStall seenByAll(String zoneId, Duration from, Duration to, String cls) {
    return new IllegalStall(zoneId, null, from, to, cls);
  }
}

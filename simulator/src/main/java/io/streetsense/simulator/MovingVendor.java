package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * A vendor on the move (游商): a stall, cart or tricycle that crosses a {@code no_vending} or {@code
 * market} zone, stops once for a while and moves on. Every camera with a view of the zone sees it
 * walk along a line through the zone's polygon, stand at one point from {@code stopFrom} to {@code
 * stopTo}, and walk on until it leaves the view at {@code to}.
 *
 * <p>Only the stop can be a violation: the ground truth lists it as an {@code ILLEGAL_STALL} for
 * the stop (outside a market's schedule), detectable only when the stop lasts the rule's dwell. A
 * vendor who stops for a minute is a scripted near-miss that must not open a violation.
 *
 * @param zoneId the no-vending or market zone
 * @param from offset from the scenario start at which it enters the view
 * @param stopFrom offset at which it stops; after {@code from}
 * @param stopTo offset at which it moves on; after {@code stopFrom}
 * @param to offset at which it has left the view; after {@code stopTo}
 * @param cls the detector class: {@code stall}, {@code cart} or {@code tricycle}
 */
public record MovingVendor(
    String zoneId, Duration from, Duration stopFrom, Duration stopTo, Duration to, String cls)
    implements ScriptedEvent {
  public MovingVendor {
    ScriptedEvent.checkSpan(zoneId, from, to);
    Objects.requireNonNull(stopFrom, "stopFrom");
    Objects.requireNonNull(stopTo, "stopTo");
    Objects.requireNonNull(cls, "cls");
    if (stopFrom.compareTo(from) <= 0
        || stopTo.compareTo(stopFrom) <= 0
        || to.compareTo(stopTo) <= 0) {
      throw new IllegalArgumentException(
          "expected from < stopFrom < stopTo < to, got "
              + from
              + " < "
              + stopFrom
              + " < "
              + stopTo
              + " < "
              + to);
    }
  }

  /** How long it stands still. */
  public Duration stop() {
    return stopTo.minus(stopFrom);
  }
}

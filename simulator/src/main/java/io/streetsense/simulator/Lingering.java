package io.streetsense.simulator;

import java.time.Duration;
import java.util.Objects;

/**
 * Someone or something standing still in a zone for a while that no rule of the zone counts: people
 * chatting on the pavement or waiting at a shop, a delivery van unloading in the no-vending lane or
 * in front of a shop, a parked bicycle. Seen by every camera with a view of the zone, at one ground
 * point, through the camera's noise. Never a violation, so it adds nothing to the ground truth: it
 * is there to tempt a detector that counts the wrong classes or any standing object.
 *
 * <p>{@link StreetScenario} rejects a lingering object that the zone's rules would count (a stall
 * in a no-vending lane is an {@link IllegalStall}, goods on a frontage are {@link
 * OutOfDoorwayGoods}, a vehicle in a no-parking zone is {@link VehiclesInNoParking}).
 *
 * @param zoneId the zone
 * @param cls the detector class, e.g. {@code person}, {@code vehicle}, {@code bicycle}
 */
public record Lingering(String zoneId, String cls, Duration from, Duration to)
    implements ScriptedEvent {
  public Lingering {
    ScriptedEvent.checkSpan(zoneId, from, to);
    Objects.requireNonNull(cls, "cls");
  }
}

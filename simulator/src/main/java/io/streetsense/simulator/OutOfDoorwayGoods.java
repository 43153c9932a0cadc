package io.streetsense.simulator;

import java.time.Duration;
import java.util.List;

/**
 * Goods, racks, tables, chairs, umbrellas or signs standing in a shop's {@code frontage} zone:
 * 店外经营. One standing object per class, seen by every camera with a view of the zone. Whether it is
 * a violation depends on the shop's outdoor permit: the ground truth lists only the parts outside
 * the permit windows.
 *
 * @param zoneId the frontage zone
 * @param classes detector classes of the objects put out, one object each; not empty
 */
public record OutOfDoorwayGoods(String zoneId, Duration from, Duration to, List<String> classes)
    implements ScriptedEvent {
  public OutOfDoorwayGoods {
    ScriptedEvent.checkSpan(zoneId, from, to);
    classes = List.copyOf(classes);
    if (classes.isEmpty()) {
      throw new IllegalArgumentException("classes must not be empty");
    }
  }
}

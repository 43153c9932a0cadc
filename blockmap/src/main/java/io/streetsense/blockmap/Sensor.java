package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Objects;

/**
 * A geomagnetic berth sensor: one per berth of a {@link ZoneKind#PARKING parking} zone.
 *
 * @param id the sensor id; also the last level of {@code blocks/{blockId}/parking/{sensorId}}
 * @param zone id of the parking zone the berth belongs to
 * @param berth the berth's label as painted on the street
 */
public record Sensor(String id, String zone, String berth) implements Serializable {
  public Sensor {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(berth, "berth");
  }
}

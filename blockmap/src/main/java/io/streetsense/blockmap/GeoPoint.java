package io.streetsense.blockmap;

import java.io.Serializable;

/**
 * A WGS-84 position in degrees, as reported in work orders and Open311 requests.
 *
 * @param lat latitude, -90..90
 * @param lon longitude, -180..180
 */
public record GeoPoint(double lat, double lon) implements Serializable {
  public GeoPoint {
    if (!(lat >= -90 && lat <= 90)) {
      throw new IllegalArgumentException("latitude must be within -90..90, got " + lat);
    }
    if (!(lon >= -180 && lon <= 180)) {
      throw new IllegalArgumentException("longitude must be within -180..180, got " + lon);
    }
  }
}

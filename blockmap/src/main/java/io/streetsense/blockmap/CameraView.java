package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Objects;

/**
 * The part of one camera's image that shows one zone.
 *
 * @param zone id of the zone seen
 * @param polygon where the zone lies in the image; an object is in the zone when its ground point
 *     (bottom-centre of its box) is in the polygon
 */
public record CameraView(String zone, Polygon polygon) implements Serializable {
  public CameraView {
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(polygon, "polygon");
  }
}

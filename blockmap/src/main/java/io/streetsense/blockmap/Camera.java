package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A street camera with edge analytics, and the zones it sees.
 *
 * @param id the camera id; also the last level of {@code blocks/{blockId}/camera/{cameraId}}
 * @param views the zones it sees, in the order of the map; never empty
 */
public record Camera(String id, List<CameraView> views) implements Serializable {
  public Camera {
    Objects.requireNonNull(id, "id");
    views = List.copyOf(views);
    if (views.isEmpty()) {
      throw new IllegalArgumentException("a camera needs at least one view");
    }
  }

  /**
   * The views whose polygon contains the image point ({@code x}, {@code y}) — usually an object's
   * ground point. Views may overlap, and a point on a shared edge lies in both.
   */
  public List<CameraView> viewsContaining(double x, double y) {
    List<CameraView> hits = new ArrayList<>(2);
    for (CameraView view : views) {
      if (view.polygon().contains(x, y)) {
        hits.add(view);
      }
    }
    return hits;
  }
}

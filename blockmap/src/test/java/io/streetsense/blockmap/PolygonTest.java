package io.streetsense.blockmap;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class PolygonTest {
  /** The frontage of JS-Z-F01 as seen by JS-C-01. */
  private static final Polygon RECTANGLE = polygon(0.00, 0.55, 0.25, 0.55, 0.25, 0.72, 0.00, 0.72);

  /** An L: the square 0..1 without its top-right quarter. */
  private static final Polygon L_SHAPE =
      polygon(0.0, 0.0, 0.5, 0.0, 0.5, 0.5, 1.0, 0.5, 1.0, 1.0, 0.0, 1.0);

  private static Polygon polygon(double... xy) {
    ImagePoint[] points = new ImagePoint[xy.length / 2];
    for (int i = 0; i < points.length; i++) {
      points[i] = new ImagePoint(xy[2 * i], xy[2 * i + 1]);
    }
    return new Polygon(List.of(points));
  }

  @Test
  void contains_pointInside() {
    assertTrue(RECTANGLE.contains(0.1, 0.6));
    assertTrue(RECTANGLE.contains(new ImagePoint(0.2, 0.7)));
  }

  @Test
  void contains_pointOutside_isFalse() {
    assertFalse(RECTANGLE.contains(0.3, 0.6));
    assertFalse(RECTANGLE.contains(0.1, 0.5));
    assertFalse(RECTANGLE.contains(0.1, 0.73));
  }

  @Test
  void contains_pointOnAnEdge_isInside() {
    assertTrue(RECTANGLE.contains(0.1, 0.55), "top edge");
    assertTrue(RECTANGLE.contains(0.1, 0.72), "bottom edge");
    assertTrue(RECTANGLE.contains(0.0, 0.6), "left edge, also the image border");
    assertTrue(RECTANGLE.contains(0.25, 0.6), "right edge");
  }

  @Test
  void contains_vertex_isInside() {
    assertTrue(RECTANGLE.contains(0.25, 0.72));
    assertTrue(RECTANGLE.contains(0.0, 0.55));
  }

  @Test
  void contains_pointOnASharedEdge_isInBothNeighbours() {
    Polygon right = polygon(0.25, 0.55, 0.50, 0.55, 0.50, 0.72, 0.25, 0.72);
    assertTrue(RECTANGLE.contains(0.25, 0.63));
    assertTrue(right.contains(0.25, 0.63));
  }

  @Test
  void contains_onTheLineOfAnEdgeButBeyondIt_isOutside() {
    assertFalse(RECTANGLE.contains(0.3, 0.55));
  }

  @Test
  void contains_concaveNotch_isOutside() {
    assertFalse(L_SHAPE.contains(0.75, 0.25));
    assertTrue(L_SHAPE.contains(0.25, 0.25));
    assertTrue(L_SHAPE.contains(0.75, 0.75));
    assertTrue(L_SHAPE.contains(0.75, 0.5), "on the inner edge");
    assertTrue(L_SHAPE.contains(0.5, 0.5), "on the reflex vertex");
  }

  @Test
  void contains_rayThroughAVertex_countsOnce() {
    // The ray from (0.25, 0.5) to the right passes exactly through the vertex (0.5, 0.5).
    assertTrue(L_SHAPE.contains(0.25, 0.5));
    Polygon diamond = polygon(0.5, 0.1, 0.9, 0.5, 0.5, 0.9, 0.1, 0.5);
    assertTrue(diamond.contains(0.5, 0.5));
    assertFalse(diamond.contains(0.05, 0.5), "ray passes through two vertices");
  }

  @Test
  void contains_triangle() {
    Polygon triangle = polygon(0.1, 0.1, 0.9, 0.1, 0.5, 0.9);
    assertTrue(triangle.contains(0.5, 0.5));
    assertFalse(triangle.contains(0.15, 0.8));
    assertTrue(triangle.contains(0.3, 0.5), "on the slanted edge");
  }

  @Test
  void constructor_refusesFewerThanThreePoints() {
    assertThrows(IllegalArgumentException.class, () -> polygon(0.1, 0.1, 0.5, 0.5));
  }

  @Test
  void constructor_refusesPointsInLine() {
    assertThrows(IllegalArgumentException.class, () -> polygon(0.1, 0.1, 0.2, 0.2, 0.3, 0.3));
  }

  @Test
  void imagePoint_refusesCoordinatesOutsideTheImage() {
    assertThrows(IllegalArgumentException.class, () -> new ImagePoint(1.01, 0.5));
    assertThrows(IllegalArgumentException.class, () -> new ImagePoint(0.5, -0.01));
    assertThrows(IllegalArgumentException.class, () -> new ImagePoint(Double.NaN, 0.5));
  }

  @Test
  void points_areUnmodifiable() {
    assertThrows(
        UnsupportedOperationException.class,
        () -> RECTANGLE.points().add(new ImagePoint(0.5, 0.5)));
  }
}

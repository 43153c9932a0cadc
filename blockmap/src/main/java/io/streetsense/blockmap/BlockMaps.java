package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The block maps the pipeline serves, by block id. Immutable and serializable.
 *
 * <pre>{@code
 * BlockMaps maps = BlockMapLoader.loadDirectory(Path.of("blockmaps"));
 * Optional<Sensor> sensor = maps.sensor("lingyan-south", "LY-P-0012");
 * }</pre>
 */
public final class BlockMaps implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, BlockMap> byId;

  private BlockMaps(Map<String, BlockMap> byId) {
    this.byId = byId;
  }

  /**
   * The given maps, in the given order.
   *
   * @throws IllegalArgumentException when two maps declare the same block id
   */
  public static BlockMaps of(BlockMap... maps) {
    Map<String, BlockMap> byId = new LinkedHashMap<>();
    for (BlockMap map : maps) {
      BlockMap earlier = byId.putIfAbsent(map.id(), map);
      if (earlier != null) {
        throw new IllegalArgumentException(
            "block id "
                + map.id()
                + " is declared by both "
                + earlier.source()
                + " and "
                + map.source());
      }
    }
    return new BlockMaps(Collections.unmodifiableMap(byId));
  }

  public Optional<BlockMap> block(String blockId) {
    return Optional.ofNullable(byId.get(blockId));
  }

  /** All maps, in load order (file names, sorted). */
  public Collection<BlockMap> all() {
    return byId.values();
  }

  /** The block ids, in load order. */
  public Set<String> ids() {
    return byId.keySet();
  }

  public Optional<Sensor> sensor(String blockId, String sensorId) {
    return block(blockId).flatMap(map -> map.sensor(sensorId));
  }

  public Optional<Camera> camera(String blockId, String cameraId) {
    return block(blockId).flatMap(map -> map.camera(cameraId));
  }

  public Optional<Zone> zone(String blockId, String zoneId) {
    return block(blockId).flatMap(map -> map.zone(zoneId));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockMaps other && byId.equals(other.byId);
  }

  @Override
  public int hashCode() {
    return byId.hashCode();
  }

  @Override
  public String toString() {
    return "BlockMaps" + byId.keySet();
  }
}

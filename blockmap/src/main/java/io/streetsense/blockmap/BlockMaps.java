package io.streetsense.blockmap;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
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

  /**
   * The copy of each content this JVM has deserialized, by digest. Every operator of the job
   * carries the block maps in its serialized function, so each operator subtask would otherwise
   * keep a copy of its own: ~19 MB each for a 100-block city, ~18 of them in the job — 3.6 GB of a
   * 1 000-block city's heap, measured. Weak: a job that ends lets its maps go.
   */
  private static final Map<String, WeakReference<BlockMaps>> DESERIALIZED = new HashMap<>();

  private final Map<String, BlockMap> byId;

  /** SHA-256 of the maps' serialized content: which deserialized copies are the same maps. */
  private final String digest;

  private BlockMaps(Map<String, BlockMap> byId) {
    this.byId = byId;
    this.digest = digestOf(byId);
  }

  private static String digestOf(Map<String, BlockMap> byId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (ObjectOutputStream out =
          new ObjectOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), sha))) {
        out.writeObject(new ArrayList<>(byId.values()));
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException("cannot digest the block maps", e);
    }
  }

  /** On deserialization: the copy already in this JVM when there is one (see DESERIALIZED). */
  private Object readResolve() {
    if (digest == null) {
      return this;
    }
    synchronized (DESERIALIZED) {
      DESERIALIZED.values().removeIf(ref -> ref.get() == null);
      WeakReference<BlockMaps> ref = DESERIALIZED.get(digest);
      BlockMaps earlier = ref == null ? null : ref.get();
      if (earlier != null) {
        return earlier;
      }
      DESERIALIZED.put(digest, new WeakReference<>(this));
      return this;
    }
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

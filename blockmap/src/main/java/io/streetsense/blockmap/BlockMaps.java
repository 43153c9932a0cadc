package io.streetsense.blockmap;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InvalidObjectException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.ObjectStreamClass;
import java.io.ObjectStreamException;
import java.io.Serializable;
import java.lang.ref.WeakReference;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

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

  /** The compressed form shipped in every serialized operator, made once (see {@link Shipped}). */
  private transient Shipped shipped;

  private BlockMaps(Map<String, BlockMap> byId) {
    this.byId = byId;
    this.digest = HexFormat.of().formatHex(sha256(serialized(new ArrayList<>(byId.values()))));
  }

  private BlockMaps(Map<String, BlockMap> byId, String digest) {
    this.byId = byId;
    this.digest = digest;
  }

  private static byte[] serialized(Object value) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize the block maps", e);
    }
    return bytes.toByteArray();
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Serialized as {@link Shipped}: compressed, and resolved to this JVM's copy when there is one.
   */
  private Object writeReplace() {
    synchronized (this) {
      if (shipped == null) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(new GZIPOutputStream(bytes))) {
          out.writeObject(new ArrayList<>(byId.values()));
        } catch (IOException e) {
          throw new IllegalStateException("cannot serialize the block maps", e);
        }
        shipped = new Shipped(digest, bytes.toByteArray());
      }
      return shipped;
    }
  }

  /**
   * The block maps as they travel inside every serialized operator of a job: the maps compressed (a
   * 1 000-block city's maps are ~44 MB serialized plainly, and Flink keeps each operator's
   * serialized function in memory for as long as the job runs: ~18 copies) and their digest, so
   * that a JVM that already has these maps uses them without inflating the bytes again.
   */
  private static final class Shipped implements Serializable {
    private static final long serialVersionUID = 1L;

    private final String digest;
    private final byte[] compressed;

    Shipped(String digest, byte[] compressed) {
      this.digest = digest;
      this.compressed = compressed;
    }

    private Object readResolve() throws ObjectStreamException {
      synchronized (DESERIALIZED) {
        DESERIALIZED.values().removeIf(ref -> ref.get() == null);
        WeakReference<BlockMaps> ref = DESERIALIZED.get(digest);
        BlockMaps earlier = ref == null ? null : ref.get();
        if (earlier != null) {
          return earlier;
        }
        BlockMaps maps = new BlockMaps(inflate(), digest);
        DESERIALIZED.put(digest, new WeakReference<>(maps));
        return maps;
      }
    }

    private Map<String, BlockMap> inflate() throws ObjectStreamException {
      // Classes from the loader that loaded the maps' own classes: under a Flink cluster that is
      // the job's user-code class loader, whichever loader started the deserialization.
      ClassLoader loader = BlockMaps.class.getClassLoader();
      try (ObjectInputStream in =
          new ObjectInputStream(new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            @Override
            protected Class<?> resolveClass(ObjectStreamClass desc)
                throws IOException, ClassNotFoundException {
              try {
                return Class.forName(desc.getName(), false, loader);
              } catch (ClassNotFoundException e) {
                return super.resolveClass(desc);
              }
            }
          }) {
        Map<String, BlockMap> byId = new LinkedHashMap<>();
        for (Object map : (List<?>) in.readObject()) {
          BlockMap block = (BlockMap) map;
          byId.put(block.id(), block);
        }
        return Collections.unmodifiableMap(byId);
      } catch (IOException | ClassNotFoundException e) {
        InvalidObjectException invalid =
            new InvalidObjectException("block maps that cannot be read back: " + e);
        invalid.initCause(e);
        throw invalid;
      }
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

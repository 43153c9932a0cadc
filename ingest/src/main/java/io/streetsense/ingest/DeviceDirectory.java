package io.streetsense.ingest;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Sensor;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The devices the bridge accepts messages from: which blocks exist, which sensors (with their
 * parking zone) and which cameras each has. Backed by the loaded block maps in production ({@link
 * #of(BlockMaps)}); {@link #builder()} makes a small one by hand.
 */
public interface DeviceDirectory {

  boolean knowsBlock(String blockId);

  /** The parking zone of the sensor's berth, or empty when the block has no such sensor. */
  Optional<String> sensorZone(String blockId, String sensorId);

  boolean knowsCamera(String blockId, String cameraId);

  /** A directory over the loaded block maps. */
  static DeviceDirectory of(BlockMaps maps) {
    Objects.requireNonNull(maps, "maps");
    return new DeviceDirectory() {
      @Override
      public boolean knowsBlock(String blockId) {
        return maps.block(blockId).isPresent();
      }

      @Override
      public Optional<String> sensorZone(String blockId, String sensorId) {
        return maps.sensor(blockId, sensorId).map(Sensor::zone);
      }

      @Override
      public boolean knowsCamera(String blockId, String cameraId) {
        return maps.camera(blockId, cameraId).isPresent();
      }

      @Override
      public String toString() {
        return "DeviceDirectory" + maps.ids();
      }
    };
  }

  static Builder builder() {
    return new Builder();
  }

  /** Builds an immutable in-memory directory. */
  final class Builder {
    private final Set<String> blocks = new HashSet<>();
    private final Map<String, String> sensorZones = new HashMap<>();
    private final Set<String> cameras = new HashSet<>();

    private Builder() {}

    public Builder block(String blockId) {
      blocks.add(Objects.requireNonNull(blockId, "blockId"));
      return this;
    }

    public Builder sensor(String blockId, String sensorId, String zoneId) {
      block(blockId);
      sensorZones.put(
          blockId + "/" + Objects.requireNonNull(sensorId, "sensorId"),
          Objects.requireNonNull(zoneId, "zoneId"));
      return this;
    }

    public Builder camera(String blockId, String cameraId) {
      block(blockId);
      cameras.add(blockId + "/" + Objects.requireNonNull(cameraId, "cameraId"));
      return this;
    }

    public DeviceDirectory build() {
      Set<String> blockSet = Set.copyOf(blocks);
      Map<String, String> zones = Map.copyOf(sensorZones);
      Set<String> cameraSet = Set.copyOf(cameras);
      return new DeviceDirectory() {
        @Override
        public boolean knowsBlock(String blockId) {
          return blockSet.contains(blockId);
        }

        @Override
        public Optional<String> sensorZone(String blockId, String sensorId) {
          return Optional.ofNullable(zones.get(blockId + "/" + sensorId));
        }

        @Override
        public boolean knowsCamera(String blockId, String cameraId) {
          return cameraSet.contains(blockId + "/" + cameraId);
        }

        @Override
        public String toString() {
          return "DeviceDirectory" + blockSet;
        }
      };
    }
  }
}

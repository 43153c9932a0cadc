package io.streetsense.ingest;

import java.util.Objects;
import java.util.Optional;

/**
 * A parsed device topic {@code blocks/{blockId}/{parking|camera}/{deviceId}}.
 *
 * @param blockId the block level
 * @param kind parking sensor or camera, from the third level
 * @param deviceId the last level: the device id the payload must repeat
 */
public record DeviceTopic(String blockId, DeviceKind kind, String deviceId) {
  public DeviceTopic {
    Objects.requireNonNull(blockId, "blockId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(deviceId, "deviceId");
  }

  /** The topic, or empty when it does not have exactly the device-topic shape. */
  public static Optional<DeviceTopic> parse(String topic) {
    if (topic == null) {
      return Optional.empty();
    }
    String[] levels = topic.split("/", -1);
    if (levels.length != 4 || !"blocks".equals(levels[0])) {
      return Optional.empty();
    }
    DeviceKind kind = DeviceKind.ofTopicLevel(levels[2]);
    if (kind == null || !isIdLevel(levels[1]) || !isIdLevel(levels[3])) {
      return Optional.empty();
    }
    return Optional.of(new DeviceTopic(levels[1], kind, levels[3]));
  }

  private static boolean isIdLevel(String level) {
    return !level.isEmpty() && !level.contains("+") && !level.contains("#");
  }

  /** The MQTT topic this was parsed from. */
  public String topic() {
    return "blocks/" + blockId + "/" + kind.topicLevel() + "/" + deviceId;
  }

  /** The Kafka record key: {@code blockId/deviceId}, so one device's records share a partition. */
  public String kafkaKey() {
    return blockId + "/" + deviceId;
  }
}

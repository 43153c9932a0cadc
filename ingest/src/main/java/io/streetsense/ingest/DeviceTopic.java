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
  private static final String PREFIX = "blocks/";

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
    // Every message passes here: indexOf rather than split (no regex, no array).
    if (!topic.startsWith(PREFIX)) {
      return Optional.empty();
    }
    int blockEnd = topic.indexOf('/', PREFIX.length());
    int kindEnd = blockEnd < 0 ? -1 : topic.indexOf('/', blockEnd + 1);
    if (kindEnd < 0 || topic.indexOf('/', kindEnd + 1) >= 0) {
      return Optional.empty();
    }
    String block = topic.substring(PREFIX.length(), blockEnd);
    DeviceKind kind = DeviceKind.ofTopicLevel(topic.substring(blockEnd + 1, kindEnd));
    String device = topic.substring(kindEnd + 1);
    if (kind == null || !isIdLevel(block) || !isIdLevel(device)) {
      return Optional.empty();
    }
    return Optional.of(new DeviceTopic(block, kind, device));
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

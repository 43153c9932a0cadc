package io.streetsense.schemas;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Names of the Kafka topics between the pipeline's stages. All share one prefix, so several
 * deployments (or test runs) can share a Kafka cluster.
 *
 * <ul>
 *   <li>{@code parking}, {@code camera}: validated device messages from the bridge, keyed by {@code
 *       blockId/deviceId} so each device's messages stay in order.
 *   <li>{@code deadletters}: everything rejected anywhere, byte for byte, with the reason.
 *   <li>{@code violations}: violation lifecycle events, keyed by {@code blockId/zoneId/type}.
 *   <li>{@code workorders}: the full state of each work order on every change; compacted, keyed by
 *       work-order id.
 *   <li>{@code actions}: commands from teams and the operations centre.
 * </ul>
 */
public record Topics(
    String parking,
    String camera,
    String deadLetters,
    String violations,
    String workOrders,
    String actions)
    implements Serializable {

  public static final String DEFAULT_PREFIX = "streetsense.";

  public Topics {
    Objects.requireNonNull(parking, "parking");
    Objects.requireNonNull(camera, "camera");
    Objects.requireNonNull(deadLetters, "deadLetters");
    Objects.requireNonNull(violations, "violations");
    Objects.requireNonNull(workOrders, "workOrders");
    Objects.requireNonNull(actions, "actions");
  }

  public static Topics withPrefix(String prefix) {
    return new Topics(
        prefix + "parking",
        prefix + "camera",
        prefix + "deadletters",
        prefix + "violations",
        prefix + "workorders",
        prefix + "actions");
  }

  public static Topics defaults() {
    return withPrefix(DEFAULT_PREFIX);
  }

  public List<String> all() {
    return List.of(parking, camera, deadLetters, violations, workOrders, actions);
  }

  /** Topics that keep only the latest record per key. */
  public List<String> compacted() {
    return List.of(workOrders);
  }
}

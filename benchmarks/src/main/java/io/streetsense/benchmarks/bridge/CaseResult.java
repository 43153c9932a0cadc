package io.streetsense.benchmarks.bridge;

/**
 * One measured case: one consumer (the bare subscriber or the bridge with one window) on one
 * payload kind in one mode.
 *
 * @param caseNo running number in the run (names the client ids and Kafka topics)
 * @param repeat which repeat of the case (0-based)
 * @param kind {@code parking} or {@code camera}
 * @param mode {@code live} or {@code drain}
 * @param consumer {@link #CEILING} or {@link #BRIDGE}
 * @param window the bridge window; for the ceiling its MQTT receive maximum
 * @param messages messages published and consumed
 * @param seconds from the first message consumed to the last one acknowledged (the bridge: after
 *     Kafka acknowledged it)
 * @param msgsPerSec {@code messages / seconds}
 * @param publishSeconds from the first publish to the last PUBACK the publishers got
 * @param publishMsgsPerSec {@code messages / publishSeconds}
 * @param latency publish → Kafka append (bridge only; null for the ceiling)
 * @param maxInFlightSeen most unacknowledged messages the bridge held at a sample (bridge only)
 * @param deadLetters messages the bridge rejected (must be 0: every payload is valid)
 * @param kafkaRecords records read back from the case's Kafka topic (bridge only)
 * @param meanPayloadBytes mean MQTT payload size
 * @param loadAverage the machine's load average (1, 5, 15 min) when the case started
 * @param cpu CPU use during the timed part
 * @param error why the case failed, or null
 */
record CaseResult(
    int caseNo,
    int repeat,
    String kind,
    String mode,
    String consumer,
    int window,
    long messages,
    double seconds,
    double msgsPerSec,
    double publishSeconds,
    double publishMsgsPerSec,
    Latency latency,
    int maxInFlightSeen,
    long deadLetters,
    long kafkaRecords,
    double meanPayloadBytes,
    String loadAverage,
    CpuMeter.Usage cpu,
    String error) {

  static final String CEILING = "bare-paho";
  static final String BRIDGE = "bridge";

  boolean ok() {
    return error == null;
  }

  boolean isBridge() {
    return BRIDGE.equals(consumer);
  }

  /**
   * Publish → Kafka append latency in milliseconds. In drain mode it includes the time the message
   * waited in the broker's backlog, so it says how old the backlog was, not how fast the bridge is.
   */
  record Latency(String meaning, long count, double p50Ms, double p99Ms, double maxMs) {}
}

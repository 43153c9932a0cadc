package io.streetsense.benchmarks.bridge;

/**
 * One message to publish: its own payload array (stamped in place with the publish time just before
 * {@code publish}, so arrays are never shared between messages in flight).
 */
record BenchMessage(String topic, byte[] payload, TimestampSlot ts) {
  void stamp(long epochMillis) {
    ts.stamp(payload, epochMillis);
  }
}

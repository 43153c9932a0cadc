package io.streetsense.simulator;

import java.time.Duration;

/**
 * Where a {@link StreetSimulator} sends device messages: MQTT ({@link MqttPublisher}) or, in tests,
 * a list.
 */
public interface MessageSink extends AutoCloseable {

  /**
   * Sends one message. May block while the sink is saturated (never drops a message to avoid
   * blocking).
   *
   * @throws IllegalStateException when an earlier send failed or the sink is closed
   */
  void send(DeviceMessage message) throws InterruptedException;

  /**
   * Waits until every message sent so far has been delivered.
   *
   * @return whether they were, within {@code timeout}
   * @throws IllegalStateException when a delivery failed
   */
  boolean flush(Duration timeout) throws InterruptedException;

  /** Messages whose delivery has been confirmed. */
  long delivered();

  @Override
  void close();
}

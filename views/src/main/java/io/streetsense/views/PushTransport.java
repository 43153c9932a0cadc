package io.streetsense.views;

/** Delivers one push; returns only when the broker acknowledged it (QoS 1 PUBACK). */
public interface PushTransport extends AutoCloseable {

  /**
   * @throws Exception when the message may not have been delivered: the pusher retries it
   */
  void publish(String topic, byte[] payload) throws Exception;

  @Override
  default void close() {}
}

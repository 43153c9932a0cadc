package io.streetsense.simulator;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** An in-memory {@link MessageSink}: keeps what it is sent, delivers at once. */
final class ListSink implements MessageSink {
  final List<DeviceMessage> messages = Collections.synchronizedList(new ArrayList<>());
  volatile boolean closed;

  @Override
  public void send(DeviceMessage message) {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    messages.add(message);
  }

  @Override
  public boolean flush(Duration timeout) {
    return true;
  }

  @Override
  public long delivered() {
    return messages.size();
  }

  @Override
  public void close() {
    closed = true;
  }
}

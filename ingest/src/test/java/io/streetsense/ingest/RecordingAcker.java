package io.streetsense.ingest;

import java.util.ArrayList;
import java.util.List;

/** Records the MQTT acknowledgements a {@link Forwarder} sends, in order. */
final class RecordingAcker implements Forwarder.Acker {
  private final List<Integer> acked = new ArrayList<>();

  @Override
  public synchronized void ack(int messageId, int qos, long generation) {
    acked.add(messageId);
  }

  synchronized List<Integer> acked() {
    return List.copyOf(acked);
  }
}

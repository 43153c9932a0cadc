package io.streetsense.views;

import io.streetsense.schemas.TeamAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** An {@link ActionSink} that keeps what it was given; can be told to fail like a Kafka outage. */
final class RecordingActionSink implements ActionSink {
  record Sent(String key, TeamAction action) {}

  private final List<Sent> sent = new ArrayList<>();
  volatile boolean failing;

  @Override
  public synchronized CompletableFuture<Void> send(String key, TeamAction action) {
    if (failing) {
      return CompletableFuture.failedFuture(new IllegalStateException("kafka down"));
    }
    sent.add(new Sent(key, action));
    return CompletableFuture.completedFuture(null);
  }

  synchronized List<Sent> sent() {
    return List.copyOf(sent);
  }
}

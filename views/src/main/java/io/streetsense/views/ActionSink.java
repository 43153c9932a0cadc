package io.streetsense.views;

import io.streetsense.schemas.TeamAction;
import java.util.concurrent.CompletableFuture;

/** Where commands go: the actions topic in production, a list in tests. */
public interface ActionSink extends AutoCloseable {

  /** Sends {@code action} under {@code key}; completes when it is durably stored. */
  CompletableFuture<Void> send(String key, TeamAction action);

  @Override
  default void close() {}
}

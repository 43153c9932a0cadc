package io.streetsense.services;

import io.streetsense.services.internal.ChildProcess;
import java.util.Objects;

/**
 * The lifecycle shared by the services that run as one child process: started by {@link #launch()},
 * taken down by {@link #stop()} (SIGTERM) or {@link #kill()} (SIGKILL), brought back by {@link
 * #start()} on the same ports with the same data, and closed for good by {@link #close()}.
 */
abstract class ChildProcessService implements ManagedService {
  protected final ChildProcess process;
  private boolean closed;

  ChildProcessService(ChildProcess process) {
    this.process = Objects.requireNonNull(process, "process");
  }

  /** Starts the process and waits until it serves. */
  protected abstract void launch();

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }
    if (!process.isAlive()) {
      launch();
    }
  }

  @Override
  public synchronized void stop() {
    process.stop();
  }

  @Override
  public synchronized void kill() {
    process.kill();
  }

  @Override
  public synchronized boolean isRunning() {
    return process.isAlive();
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      process.stop();
    }
  }
}

package io.streetsense.services;

/**
 * A broker or database that runs outside this JVM (a child process or a container) and can be taken
 * down and brought back with the same address and the same data.
 *
 * <p>Lifecycle: created running by its factory; {@link #stop()} or {@link #kill()} take it down,
 * {@link #start()} brings it back on the same port(s) with the same data. {@link #close()} stops it
 * for good and is idempotent; the work directory is left in place (it belongs to the caller).
 */
public interface ManagedService extends AutoCloseable {

  /** Starts the service again after {@link #stop()} or {@link #kill()}; same ports, same data. */
  void start();

  /** Graceful stop (SIGTERM, then SIGKILL after a timeout); waits until it is gone. */
  void stop();

  /** Abrupt stop (SIGKILL), as a crash would; waits until it is gone. */
  void kill();

  /** {@link #stop()} then {@link #start()}. */
  default void restart() {
    stop();
    start();
  }

  boolean isRunning();

  /** Stops the service for good. Idempotent; deletes nothing. */
  @Override
  void close();
}

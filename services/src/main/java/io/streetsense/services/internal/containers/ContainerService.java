package io.streetsense.services.internal.containers;

import com.github.dockerjava.api.DockerClient;
import io.streetsense.services.ManagedService;
import java.time.Duration;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * Lifecycle shared by the container variants. NOT EXERCISED on machines without a Docker engine
 * (such as the one this module was written on): it compiles, but has never run here.
 *
 * <p>To keep address and data across {@link #stop()}/{@link #kill()} and {@link #start()}, the
 * container is not removed (Testcontainers' own {@code stop()} would remove it): we stop, kill and
 * start it through the Docker API, and its port is bound to a fixed host port chosen up front, so
 * Docker does not hand out a new one on restart. Data lives in the container's file system, which
 * survives a container stop. {@link #close()} removes the container.
 */
abstract class ContainerService implements ManagedService {
  protected final GenericContainer<?> container;
  private boolean closed;

  protected ContainerService(GenericContainer<?> container) {
    this.container = container;
  }

  /** Waits until the service inside the container answers again after {@link #start()}. */
  protected abstract void awaitReady(Duration timeout);

  private static DockerClient docker() {
    return DockerClientFactory.instance().client();
  }

  @Override
  public synchronized void start() {
    if (closed) {
      throw new IllegalStateException(getClass().getSimpleName() + " is closed");
    }
    if (!isRunning()) {
      docker().startContainerCmd(container.getContainerId()).exec();
      awaitReady(Duration.ofSeconds(60));
    }
  }

  @Override
  public synchronized void stop() {
    if (isRunning()) {
      docker().stopContainerCmd(container.getContainerId()).withTimeout(30).exec();
    }
  }

  @Override
  public synchronized void kill() {
    if (isRunning()) {
      docker().killContainerCmd(container.getContainerId()).exec();
    }
  }

  @Override
  public synchronized boolean isRunning() {
    if (closed || container.getContainerId() == null) {
      return false;
    }
    Boolean running =
        docker().inspectContainerCmd(container.getContainerId()).exec().getState().getRunning();
    return Boolean.TRUE.equals(running);
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      container.stop();
    }
  }

  /** Polls {@code check} until true or {@code timeout}; exceptions count as "not yet". */
  static void await(Duration timeout, String what, Check check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (check.ok()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      } catch (Exception e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
    throw new IllegalStateException("timed out after " + timeout + " waiting for " + what, last);
  }

  @FunctionalInterface
  interface Check {
    boolean ok() throws Exception;
  }
}

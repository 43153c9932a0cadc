package io.streetsense.benchmarks.bridge;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Device-side load: {@code connections} MQTT 3.1.1 clients (as most street devices speak), QoS 1,
 * each with a window of {@code window} unacknowledged publishes and its own thread, publishing its
 * share of the messages as fast as the broker acknowledges them (closed loop). Each payload is
 * stamped with the wall-clock time right before {@code publish}.
 */
final class LoadPublisher implements AutoCloseable {
  private final List<MqttAsyncClient> clients = new ArrayList<>();
  private final int window;
  private final AtomicLong acked = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  LoadPublisher(String serverUri, String clientIdPrefix, int connections, int window)
      throws MqttException {
    this.window = window;
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(true);
    options.setMaxInflight(window);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setKeepAliveInterval(60);
    options.setConnectionTimeout(10);
    try {
      for (int i = 0; i < connections; i++) {
        MqttAsyncClient client =
            new MqttAsyncClient(serverUri, clientIdPrefix + "-" + i, new MemoryPersistence());
        clients.add(client);
        client.connect(options).waitForCompletion(15_000);
      }
    } catch (MqttException e) {
      close();
      throw e;
    }
  }

  /** Publishes acknowledged by the broker so far. */
  long acked() {
    return acked.get();
  }

  /** Starts publishing {@code messages}, split round-robin over the connections. */
  Run start(List<BenchMessage> messages) {
    acked.set(0);
    Run run = new Run(messages.size());
    for (int c = 0; c < clients.size(); c++) {
      int first = c;
      MqttAsyncClient client = clients.get(c);
      Thread t =
          new Thread(
              () -> publishShare(client, messages, first, clients.size(), run), "bench-pub-" + c);
      t.setDaemon(true);
      run.threads.add(t);
    }
    run.startNanos = System.nanoTime();
    run.threads.forEach(Thread::start);
    return run;
  }

  private void publishShare(
      MqttAsyncClient client, List<BenchMessage> messages, int first, int step, Run run) {
    Semaphore slots = new Semaphore(window);
    IMqttActionListener listener =
        new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            acked.incrementAndGet();
            slots.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            failure.compareAndSet(null, error);
            slots.release();
          }
        };
    try {
      for (int i = first; i < messages.size() && failure.get() == null; i += step) {
        if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
          throw new IllegalStateException("broker acknowledged no publish for 60 s");
        }
        BenchMessage m = messages.get(i);
        m.stamp(System.currentTimeMillis());
        client.publish(m.topic(), m.payload(), 1, false, null, listener);
      }
      if (!slots.tryAcquire(window, 120, TimeUnit.SECONDS)) {
        throw new IllegalStateException("publishes not acknowledged within 120 s");
      }
    } catch (MqttException | RuntimeException e) {
      failure.compareAndSet(null, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure.compareAndSet(null, e);
    } finally {
      run.finished(System.nanoTime());
    }
    // Stay alive until the run is collected, so that a CPU reading taken before still sees this
    // thread's CPU time.
    try {
      run.release.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One publishing run. */
  final class Run {
    final long messages;
    final List<Thread> threads = new ArrayList<>();
    final CountDownLatch release = new CountDownLatch(1);
    private final AtomicLong lastFinish = new AtomicLong(Long.MIN_VALUE);
    private final AtomicLong running = new AtomicLong();
    long startNanos;
    long endNanos;

    Run(long messages) {
      this.messages = messages;
    }

    void finished(long nanos) {
      lastFinish.accumulateAndGet(nanos, Math::max);
      running.incrementAndGet();
    }

    /** True once every connection had all its publishes acknowledged (or failed). */
    boolean done() {
      return running.get() >= threads.size();
    }

    /**
     * Waits until every publish was acknowledged, lets the threads end; returns the seconds from
     * the first publish to the last acknowledgement.
     */
    double await() throws InterruptedException {
      while (!done()) {
        Thread.sleep(1);
      }
      release.countDown();
      for (Thread t : threads) {
        t.join();
      }
      endNanos = lastFinish.get();
      if (failure.get() != null) {
        throw new IllegalStateException("publishing failed: " + failure.get(), failure.get());
      }
      return (endNanos - startNanos) / 1e9;
    }
  }

  @Override
  public void close() {
    for (MqttAsyncClient client : clients) {
      try {
        if (client.isConnected()) {
          client.disconnect(5_000).waitForCompletion(10_000);
        }
      } catch (MqttException e) {
        // a benchmark client; the broker drops its clean session anyway
      }
      try {
        client.close();
      } catch (MqttException e) {
        // already closed
      }
    }
  }
}

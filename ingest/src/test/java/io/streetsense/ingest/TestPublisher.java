package io.streetsense.ingest;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device-side publisher: MQTT 3.1.1 (as most street devices speak), QoS 1, a persistent session
 * and a large in-flight window. {@link #publish} blocks only while the window is full; {@link
 * #flush} waits until the broker acknowledged everything.
 */
final class TestPublisher implements AutoCloseable {
  private final MqttAsyncClient client;
  private final int window;
  private final Semaphore inFlight;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  TestPublisher(String serverUri, String clientId, int window) throws MqttException {
    this.window = window;
    this.inFlight = new Semaphore(window);
    this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setCleanSession(false);
    options.setMaxInflight(window);
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setKeepAliveInterval(30);
    client.connect(options).waitForCompletion(10_000);
  }

  void publish(String topic, byte[] payload) throws MqttException, InterruptedException {
    if (failure.get() != null) {
      throw new IllegalStateException("an earlier publish failed", failure.get());
    }
    if (!inFlight.tryAcquire(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("broker did not acknowledge publishes for 60 s");
    }
    client.publish(
        topic,
        payload,
        1,
        false,
        null,
        new IMqttActionListener() {
          @Override
          public void onSuccess(IMqttToken token) {
            inFlight.release();
          }

          @Override
          public void onFailure(IMqttToken token, Throwable error) {
            failure.compareAndSet(null, error);
            inFlight.release();
          }
        });
  }

  void flush() throws InterruptedException {
    if (!inFlight.tryAcquire(window, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("publishes not acknowledged within 60 s");
    }
    inFlight.release(window);
    if (failure.get() != null) {
      throw new IllegalStateException("a publish failed", failure.get());
    }
  }

  @Override
  public void close() throws MqttException {
    try {
      flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      client.disconnect().waitForCompletion(10_000);
      client.close();
    }
  }
}

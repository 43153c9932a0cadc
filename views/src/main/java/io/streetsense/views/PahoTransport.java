package io.streetsense.views;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * Pushes over MQTT 5 with Paho at QoS 1. Connects lazily and again after a failure (the pusher
 * retries with backoff); clean start, in-memory persistence: the pusher itself keeps what is not
 * yet acknowledged, so nothing depends on the client's or the broker's session.
 */
public final class PahoTransport implements PushTransport {
  private static final long TIMEOUT_MS = 10_000;

  private final MqttAsyncClient client;
  private final MqttConnectionOptions options;

  /**
   * @param username null for anonymous
   * @param password null for none; never logged
   */
  public PahoTransport(String serverUri, String clientId, String username, String password)
      throws MqttException {
    Objects.requireNonNull(serverUri, "serverUri");
    Objects.requireNonNull(clientId, "clientId");
    this.client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    this.options = new MqttConnectionOptions();
    options.setCleanStart(true);
    options.setAutomaticReconnect(false);
    options.setConnectionTimeout(10);
    options.setKeepAliveInterval(30);
    if (username != null) {
      options.setUserName(username);
    }
    if (password != null) {
      options.setPassword(password.getBytes(StandardCharsets.UTF_8));
    }
  }

  @Override
  public synchronized void publish(String topic, byte[] payload) throws MqttException {
    if (!client.isConnected()) {
      client.connect(options).waitForCompletion(TIMEOUT_MS);
    }
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    message.setRetained(false);
    MqttProperties properties = new MqttProperties();
    properties.setContentType("application/json");
    properties.setPayloadFormat(true);
    message.setProperties(properties);
    IMqttToken token = client.publish(topic, message);
    token.waitForCompletion(TIMEOUT_MS);
    if (token.getException() != null) {
      throw token.getException();
    }
    if (!token.isComplete()) {
      throw new IllegalStateException("no PUBACK within " + TIMEOUT_MS + " ms");
    }
  }

  @Override
  public synchronized void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(5_000);
      }
    } catch (MqttException e) {
      // Closing anyway.
    }
    try {
      client.close(true);
    } catch (MqttException e) {
      // Closing anyway.
    }
  }
}

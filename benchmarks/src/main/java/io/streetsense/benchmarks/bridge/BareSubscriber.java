package io.streetsense.benchmarks.bridge;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * The ceiling for any Paho-based bridge: the bridge's subscription settings (MQTT 5, QoS 1,
 * persistent session, manual acknowledgements, callback set before connect, in-memory persistence)
 * with nothing behind them: each message is acknowledged at once and counted.
 */
final class BareSubscriber implements AutoCloseable {
  private final MqttAsyncClient client;
  private final AtomicLong count = new AtomicLong();
  private volatile Throwable error;

  private BareSubscriber(MqttAsyncClient client) {
    this.client = client;
  }

  /**
   * Connects on a persistent session. With {@code subscribe} it subscribes (live mode: a new
   * session); without, it resumes an existing session whose backlog flows right after CONNACK.
   */
  static BareSubscriber connect(
      String serverUri,
      String clientId,
      List<String> filters,
      int receiveMaximum,
      boolean subscribe)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    BareSubscriber s = new BareSubscriber(client);
    // Both before connect(): Paho 1.2.5 drops messages arriving before a callback is set.
    client.setManualAcks(true);
    client.setCallback(s.new Callback());
    MqttConnectionOptions o = new MqttConnectionOptions();
    o.setCleanStart(false);
    o.setSessionExpiryInterval(MqttSessions.EXPIRY_SECONDS);
    o.setReceiveMaximum(receiveMaximum);
    o.setKeepAliveInterval(30);
    o.setAutomaticReconnect(false);
    client.connect(o).waitForCompletion(15_000);
    if (subscribe) {
      client
          .subscribe(MqttSessions.subscriptions(filters), null, null, new MqttProperties())
          .waitForCompletion(15_000);
    }
    return s;
  }

  long count() {
    if (error != null) {
      throw new IllegalStateException("bare subscriber failed: " + error, error);
    }
    return count.get();
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect().waitForCompletion(15_000);
      }
    } catch (MqttException e) {
      // the session is removed afterwards anyway
    }
    try {
      client.close();
    } catch (MqttException e) {
      // already closed
    }
  }

  private final class Callback implements MqttCallback {
    @Override
    public void messageArrived(String topic, MqttMessage message) throws MqttException {
      client.messageArrivedComplete(message.getId(), message.getQos());
      count.incrementAndGet();
    }

    @Override
    public void disconnected(MqttDisconnectResponse response) {
      error =
          response.getException() != null
              ? response.getException()
              : new IllegalStateException("disconnected: " + response.getReturnCode());
    }

    @Override
    public void mqttErrorOccurred(MqttException exception) {
      error = exception;
    }

    @Override
    public void deliveryComplete(IMqttToken token) {}

    @Override
    public void connectComplete(boolean reconnect, String serverUri) {}

    @Override
    public void authPacketArrived(int reasonCode, MqttProperties properties) {}
  }
}

package io.streetsense.benchmarks.bridge;

import java.util.List;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** Persistent MQTT 5 sessions for the consumers: create one offline, and remove it after a case. */
final class MqttSessions {
  static final long EXPIRY_SECONDS = 86_400;

  private MqttSessions() {}

  /**
   * Leaves a persistent session with QoS 1 subscriptions to {@code filters} on the broker, with no
   * client connected: what a consumer that is down finds when it comes back (drain mode).
   */
  static void createOffline(String serverUri, String clientId, List<String> filters)
      throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    try {
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(true);
      o.setSessionExpiryInterval(EXPIRY_SECONDS);
      client.connect(o).waitForCompletion(15_000);
      client
          .subscribe(subscriptions(filters), null, null, new MqttProperties())
          .waitForCompletion(15_000);
      client.disconnect().waitForCompletion(15_000);
    } finally {
      client.close();
    }
  }

  /** Removes a client id's session (and anything still queued for it). */
  static void remove(String serverUri, String clientId) throws MqttException {
    MqttAsyncClient client = new MqttAsyncClient(serverUri, clientId, new MemoryPersistence());
    try {
      MqttConnectionOptions o = new MqttConnectionOptions();
      o.setCleanStart(true);
      o.setSessionExpiryInterval(0L);
      client.connect(o).waitForCompletion(15_000);
      client.disconnect().waitForCompletion(15_000);
    } finally {
      client.close();
    }
  }

  static MqttSubscription[] subscriptions(List<String> filters) {
    MqttSubscription[] subs = new MqttSubscription[filters.size()];
    for (int i = 0; i < subs.length; i++) {
      subs[i] = new MqttSubscription(filters.get(i), 1);
    }
    return subs;
  }
}

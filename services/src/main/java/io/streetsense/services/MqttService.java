package io.streetsense.services;

/** An MQTT broker: {@link MosquittoBroker} (child process) or a container. */
public interface MqttService extends ManagedService {

  /** {@code tcp://127.0.0.1:PORT}, for Paho; stable across stop and start. */
  String serverUri();

  int port();
}

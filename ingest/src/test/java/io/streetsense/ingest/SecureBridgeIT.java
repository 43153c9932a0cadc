package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.Topics;
import io.streetsense.services.NativePackages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge and the devices on a broker that refuses anonymous clients, speaks only TLS and lets
 * each device publish to its own topic only (Mosquitto password file and {@code pattern} ACL).
 */
class SecureBridgeIT {
  private static final String BRIDGE_USER = "streetsense-bridge";
  private static final String BRIDGE_PASSWORD = "bridge-secret-7f3a";
  private static final String DEVICE = "JS-P-01";
  private static final String DEVICE_PASSWORD = "device-secret-91c2";

  @TempDir static Path work;
  static Brokers brokers;
  static Path trustStore;

  @BeforeAll
  static void startSecuredBrokers() throws Exception {
    Path certs = Files.createDirectories(work.resolve("certs"));
    run(
        NativePackages.require("openssl", "openssl").toString(),
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        certs.resolve("key.pem").toString(),
        "-out",
        certs.resolve("cert.pem").toString());
    trustStore = certs.resolve("trust.p12");
    run(
        Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-importcert",
        "-noprompt",
        "-alias",
        "broker",
        "-file",
        certs.resolve("cert.pem").toString(),
        "-keystore",
        trustStore.toString(),
        "-storetype",
        "PKCS12",
        "-storepass",
        "changeit");

    Path passwords = work.resolve("passwd");
    String mosquittoPasswd = NativePackages.require("mosquitto_passwd", "mosquitto").toString();
    run(mosquittoPasswd, "-c", "-b", passwords.toString(), BRIDGE_USER, BRIDGE_PASSWORD);
    run(mosquittoPasswd, "-b", passwords.toString(), DEVICE, DEVICE_PASSWORD);
    Path acl = work.resolve("acl");
    Files.writeString(
        acl,
        String.join(
            "\n",
            "user " + BRIDGE_USER,
            "topic read blocks/#",
            "# every device (user name = device id) writes to its own topics only",
            "pattern write blocks/+/parking/%u",
            "pattern write blocks/+/camera/%u",
            ""));
    // Mosquitto drops root and reads these as its own user when not run as root.
    for (Path file : List.of(passwords, acl, certs.resolve("key.pem"), certs.resolve("cert.pem"))) {
      file.toFile().setReadable(true, false);
    }
    brokers =
        new Brokers(
            work,
            builder ->
                builder
                    .passwordFile(passwords)
                    .aclFile(acl)
                    .tls(certs.resolve("cert.pem"), certs.resolve("key.pem")));
  }

  @AfterAll
  static void stopBrokers() {
    if (brokers != null) {
      brokers.close();
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IllegalStateException(String.join(" ", command) + " failed: " + output);
    }
  }

  private static MqttClient device(String user, String password) throws Exception {
    MqttClient client =
        new MqttClient(brokers.mqtt.serverUri(), "device-" + user, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setSocketFactory(trustingBroker().getSocketFactory());
    if (user != null) {
      options.setUserName(user);
      options.setPassword(password.toCharArray());
    }
    client.connect(options);
    return client;
  }

  private static SSLContext trustingBroker() throws Exception {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(trustStore)) {
      store.load(in, "changeit".toCharArray());
    }
    TrustManagerFactory trust =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trust.init(store);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, trust.getTrustManagers(), null);
    return context;
  }

  @Test
  void bridgeWithCredentialsOverTls_forwardsADevicesOwnMessages_andTheAclStopsSpoofing()
      throws Exception {
    Topics topics = brokers.freshTopics();
    BridgeConfig config =
        BridgeConfig.builder()
            .mqttServerUri(brokers.mqtt.serverUri())
            .mqttClientId("secure-bridge")
            .blocks(List.of(Devices.BLOCK))
            .mqttUsername(BRIDGE_USER)
            .mqttPassword(Secret.of(BRIDGE_PASSWORD))
            .mqttTrustStore(trustStore, Secret.of("changeit"))
            .mqttTrustStoreType("PKCS12")
            .kafkaBootstrapServers(brokers.kafka.bootstrapServers())
            .topics(topics)
            .build();
    try (MqttKafkaBridge bridge =
            MqttKafkaBridge.start(config, DeviceDirectory.of(TestMaps.jiashanLane()));
        AutoCloseableClient device = new AutoCloseableClient(device(DEVICE, DEVICE_PASSWORD))) {
      // JS-P-01 tries to speak for JS-P-02 first, then sends its own message.
      device.client.publish(
          Devices.parkingTopic("JS-P-02"), Devices.parking("JS-P-02", 5, Instant.now()), 1, false);
      device.client.publish(
          Devices.parkingTopic(DEVICE), Devices.parking(DEVICE, 6, Instant.now()), 1, false);

      List<ConsumerRecord<byte[], byte[]>> arrived =
          KafkaReader.readAtLeast(
              brokers.kafka.bootstrapServers(), topics.parking(), 1, Duration.ofSeconds(60));
      // Same connection, in order: had the spoofed message passed the ACL, it would be here now.
      assertEquals(1, arrived.size(), "only the device's own message reaches Kafka");
      assertEquals(
          Devices.BLOCK + "/" + DEVICE, new String(arrived.get(0).key(), StandardCharsets.UTF_8));
      assertEquals(1, bridge.metrics().snapshot().events());
    }
  }

  @Test
  void anonymousDevice_isRefused() {
    MqttException refused = assertThrows(MqttException.class, () -> device(null, null));
    assertEquals(MqttException.REASON_CODE_NOT_AUTHORIZED, refused.getReasonCode());
  }

  @Test
  void deviceWithAWrongPassword_isRefused() {
    MqttException refused =
        assertThrows(MqttException.class, () -> device(DEVICE, "not-the-password"));
    // Mosquitto answers a bad password with "not authorized" (5) rather than 4; either refuses.
    assertTrue(
        refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
            || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED,
        "refused with " + refused.getReasonCode());
  }

  /** Disconnects a device client at the end of a test. */
  private record AutoCloseableClient(MqttClient client) implements AutoCloseable {
    @Override
    public void close() throws MqttException {
      client.disconnect();
      client.close();
    }
  }
}

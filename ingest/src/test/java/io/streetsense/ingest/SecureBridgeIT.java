package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bridge and the devices on a broker that refuses anonymous clients, speaks only TLS and lets
 * each device publish to its own topic only (Mosquitto password file and {@code pattern} ACL).
 *
 * <p>What Mosquitto 2.0.11 does with a device that publishes to another device's topic, as seen
 * here: over MQTT 3.1.1 it acknowledges and silently drops the message; over MQTT 5 it answers the
 * PUBACK with reason code 0x87 (not authorized). Either way the message never reaches the bridge. A
 * subscription outside the ACL is granted all the same, but nothing is delivered on it. A device
 * that uses its own id where the pattern allows it but the block maps do not (another block, the
 * other device kind) passes the broker and is dead-lettered by the bridge.
 */
class SecureBridgeIT {
  private static final String BRIDGE_USER = "streetsense-bridge";
  private static final String BRIDGE_PASSWORD = "bridge-secret-7f3a";
  private static final String DEVICE = "JS-P-01";
  private static final String DEVICE_PASSWORD = "device-secret-91c2";
  private static final String OTHER_DEVICE = "JS-P-02";
  private static final String OTHER_PASSWORD = "device-secret-0b7e";
  private static final String CAMERA = "JS-C-01";
  private static final String CAMERA_PASSWORD = "camera-secret-4d18";

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
    run(mosquittoPasswd, "-b", passwords.toString(), OTHER_DEVICE, OTHER_PASSWORD);
    run(mosquittoPasswd, "-b", passwords.toString(), CAMERA, CAMERA_PASSWORD);
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
        new MqttClient(brokers.mqtt().serverUri(), "device-" + user, new MemoryPersistence());
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
            .mqttServerUri(brokers.mqtt().serverUri())
            .mqttClientId("secure-bridge")
            .blocks(List.of(Devices.BLOCK))
            .mqttUsername(BRIDGE_USER)
            .mqttPassword(Secret.of(BRIDGE_PASSWORD))
            .mqttTrustStore(trustStore, Secret.of("changeit"))
            .mqttTrustStoreType("PKCS12")
            .kafkaBootstrapServers(brokers.kafka().bootstrapServers())
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
              brokers.kafka().bootstrapServers(), topics.parking(), 1, Duration.ofSeconds(60));
      // Same connection, in order: had the spoofed message passed the ACL, it would be here now.
      assertEquals(1, arrived.size(), "only the device's own message reaches Kafka");
      assertEquals(
          Devices.BLOCK + "/" + DEVICE, new String(arrived.get(0).key(), StandardCharsets.UTF_8));
      assertEquals(1, bridge.metrics().snapshot().events());
    }
  }

  private BridgeConfig bridgeConfig(Topics topics, String clientId) {
    // All blocks (blocks/+/parking/+, blocks/+/camera/+): what the block maps do not know is
    // dead-lettered rather than left unread.
    return BridgeConfig.builder()
        .mqttServerUri(brokers.mqtt().serverUri())
        .mqttClientId(clientId)
        .mqttUsername(BRIDGE_USER)
        .mqttPassword(Secret.of(BRIDGE_PASSWORD))
        .mqttTrustStore(trustStore, Secret.of("changeit"))
        .mqttTrustStoreType("PKCS12")
        .kafkaBootstrapServers(brokers.kafka().bootstrapServers())
        .topics(topics)
        .build();
  }

  private static MqttAsyncClient deviceV5(String user, String password) throws Exception {
    MqttAsyncClient client =
        new MqttAsyncClient(
            brokers.mqtt().serverUri(),
            "device-v5-" + user,
            new org.eclipse.paho.mqttv5.client.persist.MemoryPersistence());
    MqttConnectionOptions options = new MqttConnectionOptions();
    options.setSocketFactory(trustingBroker().getSocketFactory());
    options.setUserName(user);
    options.setPassword(password.getBytes(StandardCharsets.UTF_8));
    client.connect(options).waitForCompletion(30_000);
    return client;
  }

  private static IMqttToken publishV5(MqttAsyncClient client, String topic, byte[] payload)
      throws Exception {
    MqttMessage message = new MqttMessage(payload);
    message.setQos(1);
    IMqttToken token = client.publish(topic, message);
    token.waitForCompletion(30_000);
    return token;
  }

  @Test
  void mqtt5_publishToAnotherDevicesTopic_isRefusedWithNotAuthorized_andNeverReachesKafka()
      throws Exception {
    Topics topics = brokers.freshTopics();
    MqttAsyncClient device = deviceV5(DEVICE, DEVICE_PASSWORD);
    try (MqttKafkaBridge bridge =
        MqttKafkaBridge.start(
            bridgeConfig(topics, "secure-bridge-v5"), DeviceDirectory.of(TestMaps.jiashanLane()))) {
      // A valid message for JS-P-02 in every respect but who sends it.
      IMqttToken spoofed =
          publishV5(
              device,
              Devices.parkingTopic(OTHER_DEVICE),
              Devices.parking(OTHER_DEVICE, 5, Instant.now()));
      assertEquals(1, spoofed.getReasonCodes().length);
      assertEquals(0x87, spoofed.getReasonCodes()[0], "PUBACK reason code: not authorized");

      IMqttToken own =
          publishV5(
              device, Devices.parkingTopic(DEVICE), Devices.parking(DEVICE, 6, Instant.now()));
      assertTrue(own.getReasonCodes()[0] < 0x80, "accepted: " + own.getReasonCodes()[0]);

      List<ConsumerRecord<byte[], byte[]>> arrived =
          KafkaReader.readQuiet(brokers.kafka().bootstrapServers(), topics.parking());
      assertEquals(1, arrived.size(), "only the device's own message reaches Kafka");
      assertEquals(
          Devices.BLOCK + "/" + DEVICE, new String(arrived.get(0).key(), StandardCharsets.UTF_8));
      assertEquals(1, bridge.metrics().snapshot().received(), "the bridge never saw the spoof");
    } finally {
      device.disconnect().waitForCompletion(10_000);
      device.close();
    }
  }

  @Test
  void ownIdOutsideTheBlockMaps_passesTheAcl_andIsDeadLettered_andDevicesReadNothing()
      throws Exception {
    Topics topics = brokers.freshTopics();
    List<String> overheard = new CopyOnWriteArrayList<>();
    try (MqttKafkaBridge bridge =
            MqttKafkaBridge.start(
                bridgeConfig(topics, "secure-bridge-dl"),
                DeviceDirectory.of(TestMaps.jiashanLane()));
        AutoCloseableClient sensor = new AutoCloseableClient(device(DEVICE, DEVICE_PASSWORD));
        AutoCloseableClient camera = new AutoCloseableClient(device(CAMERA, CAMERA_PASSWORD))) {
      // Mosquitto grants a subscription outside the ACL (it checks read access per message) ...
      int[] granted =
          camera
              .client
              .subscribeWithResponse("blocks/#", 1, (topic, message) -> overheard.add(topic))
              .getGrantedQos();
      assertEquals(1, granted[0]);

      // The pattern lets JS-P-01 write blocks/+/parking/JS-P-01 and blocks/+/camera/JS-P-01.
      sensor.client.publish(
          "blocks/no-such-block/parking/" + DEVICE,
          Devices.parking(DEVICE, 7, Instant.now()),
          1,
          false);
      sensor.client.publish(
          Devices.cameraTopic(DEVICE), Devices.camera(DEVICE, 1, Instant.now()), 1, false);
      sensor.client.publish(
          Devices.parkingTopic(DEVICE), Devices.parking(DEVICE, 8, Instant.now()), 1, false);
      camera.client.publish(
          Devices.cameraTopic(CAMERA), Devices.camera(CAMERA, 2, Instant.now()), 1, false);

      AvroCodec<DeadLetter> codec = AvroCodec.of(DeadLetter.class);
      Set<String> reasons = new java.util.HashSet<>();
      for (ConsumerRecord<byte[], byte[]> letter :
          KafkaReader.readAtLeast(
              brokers.kafka().bootstrapServers(),
              topics.deadLetters(),
              2,
              Duration.ofSeconds(60))) {
        reasons.add(codec.decode(letter.value()).getReason());
      }
      assertEquals(Set.of("UNKNOWN_BLOCK", "WRONG_DEVICE_KIND"), reasons);
      assertEquals(
          1,
          KafkaReader.readAtLeast(
                  brokers.kafka().bootstrapServers(), topics.parking(), 1, Duration.ofSeconds(60))
              .size());
      assertEquals(
          1,
          KafkaReader.readAtLeast(
                  brokers.kafka().bootstrapServers(), topics.camera(), 1, Duration.ofSeconds(60))
              .size());
      // ... but delivers nothing on it: the bridge got all four messages, the camera none.
      Thread.sleep(1000);
      assertEquals(List.of(), overheard, "a device read other devices' messages");
    }
  }

  @Test
  void plainTcp_toTheTlsListener_isRefused() throws Exception {
    MqttClient client =
        new MqttClient(
            brokers.mqtt().serverUri().replace("ssl://", "tcp://"),
            "device-plain",
            new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName(DEVICE);
    options.setPassword(DEVICE_PASSWORD.toCharArray());
    options.setConnectionTimeout(5);
    assertThrows(MqttException.class, () -> client.connect(options));
    client.close();
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

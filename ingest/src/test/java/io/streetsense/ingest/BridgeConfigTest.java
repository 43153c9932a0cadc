package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BridgeConfigTest {

  static BridgeConfig.Builder minimal() {
    return BridgeConfig.builder()
        .mqttServerUri("tcp://localhost:1883")
        .mqttClientId("bridge-1")
        .kafkaBootstrapServers("localhost:9092");
  }

  @Test
  void defaults_subscribeToAllBlocks_withTheProducerGuarantees() {
    BridgeConfig config = minimal().build();
    assertEquals(BridgeConfig.ALL_BLOCKS, config.subscriptionFilters());
    Map<String, Object> props = config.kafkaProducerProperties();
    assertEquals("all", props.get("acks"));
    assertEquals("true", props.get("enable.idempotence"));
    assertEquals(1000, config.window());
    assertEquals(Duration.ofDays(1), config.sessionExpiry());
  }

  @Test
  void sharedGroup_prefixesEveryFilter() {
    BridgeConfig config =
        minimal().sharedSubscriptionGroup("ingest").blocks(List.of("jiashan-lane")).build();
    assertEquals(
        List.of(
            "$share/ingest/blocks/jiashan-lane/parking/+",
            "$share/ingest/blocks/jiashan-lane/camera/+"),
        config.subscriptionFilters());
  }

  @Test
  void guaranteeWeakeningKafkaProperties_areRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> minimal().kafkaProperty("acks", "1").build());
    assertTrue(e.getMessage().contains("acks"), e.getMessage());
  }

  @Test
  void badValues_areRefused_naming_theSetting() {
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> minimal().window(0).build())
            .getMessage()
            .startsWith("window"));
    assertTrue(
        assertThrows(
                IllegalArgumentException.class,
                () -> minimal().mqttServerUri("localhost:1883").build())
            .getMessage()
            .contains("localhost:1883"));
    assertThrows(
        IllegalArgumentException.class,
        () -> minimal().topicFilters(List.of("$share/g/blocks/+/parking/+")).build());
    assertThrows(
        IllegalArgumentException.class, () -> minimal().sharedSubscriptionGroup("a/b").build());
    assertThrows(NullPointerException.class, () -> BridgeConfig.builder().build());
  }

  @Test
  void toString_hidesSecrets() {
    String text =
        minimal()
            .mqttPassword(Secret.of("hunter2"))
            .kafkaProperty("sasl.jaas.config", "secret-jaas")
            .kafkaProperty("ssl.truststore.password", "secret-ts")
            .kafkaProperty("compression.type", "lz4")
            .build()
            .toString();
    assertFalse(text.contains("hunter2"), text);
    assertFalse(text.contains("secret-"), text);
    assertTrue(text.contains("lz4"), text);
    assertFalse(Secret.of("hunter2").toString().contains("hunter2"));
  }

  @Test
  void propertiesFile_isRead_withSecretsFromFiles(@TempDir Path dir) throws Exception {
    Path secret = dir.resolve("mqtt-password");
    Files.writeString(secret, "s3cret\n");
    Path file = dir.resolve("bridge.properties");
    Files.writeString(
        file,
        String.join(
            "\n",
            "mqtt.uris=tcp://a:1883, tcp://b:1883",
            "mqtt.client.id=bridge-7",
            "mqtt.shared.group=ingest",
            "mqtt.blocks=jiashan-lane",
            "mqtt.username=bridge",
            "mqtt.password=${file:" + secret + "}",
            "kafka.bootstrap.servers=k:9092",
            "kafka.topic.prefix=x.",
            "kafka.producer.compression.type=lz4",
            "bridge.window=64",
            "mqtt.session.expiry=PT2H",
            "blockmaps=/tmp/maps"));
    BridgeProperties props = BridgeProperties.load(file);
    BridgeConfig config = props.toConfig();
    assertEquals(List.of("tcp://a:1883", "tcp://b:1883"), config.mqttServerUris());
    assertEquals("s3cret", config.mqttPassword().reveal());
    assertEquals("x.parking", config.topics().parking());
    assertEquals("lz4", config.kafkaProducerProperties().get("compression.type"));
    assertEquals(64, config.window());
    assertEquals(Duration.ofHours(2), config.sessionExpiry());
    assertEquals(List.of(Path.of("/tmp/maps")), props.blockMaps());
    assertEquals(2, config.subscriptionFilters().size());
  }

  @Test
  void propertiesFile_errorsNameFileKeyAndValue(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.properties");
    Files.writeString(file, "mqtt.uris=tcp://a:1883\nmqtt.client.id=b\nbridge.windw=5\n");
    String unknown =
        assertThrows(IllegalArgumentException.class, () -> BridgeProperties.load(file))
            .getMessage();
    assertTrue(unknown.contains(file.toString()) && unknown.contains("bridge.windw"), unknown);

    Files.writeString(
        file,
        "mqtt.uris=tcp://a:1883\nmqtt.client.id=b\nkafka.bootstrap.servers=k:1\nbridge.window=lots\n");
    String bad =
        assertThrows(IllegalArgumentException.class, () -> BridgeProperties.load(file).toConfig())
            .getMessage();
    assertTrue(bad.contains("bridge.window") && bad.contains("lots"), bad);

    Files.writeString(file, "mqtt.password=${env:STREETSENSE_SURELY_UNSET_VARIABLE}\n");
    String env =
        assertThrows(IllegalArgumentException.class, () -> BridgeProperties.load(file))
            .getMessage();
    assertTrue(env.contains("STREETSENSE_SURELY_UNSET_VARIABLE"), env);
  }

  @Test
  void main_printsHelp_andRefusesBadUsage() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
    PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
    assertEquals(0, BridgeMain.run(new String[] {"--help"}, o, e));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String key : BridgeProperties.KEYS.keySet()) {
      assertTrue(help.contains(key), key);
    }
    assertEquals(2, BridgeMain.run(new String[] {}, o, e));
    assertEquals(2, BridgeMain.run(new String[] {"--password", "x"}, o, e));
    assertEquals(2, BridgeMain.run(new String[] {"--config", "/nonexistent/file"}, o, e));
  }
}

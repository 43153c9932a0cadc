package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Properties;
import org.junit.jupiter.api.Test;

class ViewsConfigTest {
  static final String KAFKA_PASSWORD = "kafka-views-secret-5d1e";
  static final String MQTT_PASSWORD = "mqtt-views-secret-83af";

  static Properties scram() {
    Properties kafka = new Properties();
    kafka.setProperty("security.protocol", "SASL_SSL");
    kafka.setProperty("sasl.mechanism", "SCRAM-SHA-512");
    kafka.setProperty(
        "sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required"
            + " username=\"streetsense-views\" password=\""
            + KAFKA_PASSWORD
            + "\";");
    kafka.setProperty("ssl.truststore.password", "truststore-secret-11");
    return kafka;
  }

  static ViewsConfig.Builder builder() {
    return ViewsConfig.builder()
        .kafkaBootstrap("kafka-1:9093")
        .kafkaProperties(scram())
        .tokens(TokenRegistryTest.registry())
        .mqttUri("ssl://mqtt:8883")
        .mqttCredentials("streetsense-views", MQTT_PASSWORD);
  }

  @Test
  void toString_namesTheKafkaProtocolAndLimits_butNoSecret() {
    String text = builder().writeRateLimit(30, 5).build().toString();
    assertTrue(text.contains("kafka-1:9093 (SASL_SSL/SCRAM-SHA-512)"), text);
    assertTrue(text.contains("writeLimit=30/min, burst 5"), text);
    for (String secret :
        new String[] {
          KAFKA_PASSWORD,
          MQTT_PASSWORD,
          "truststore-secret-11",
          "ScramLoginModule",
          TokenRegistryTest.A,
          TokenRegistryTest.B,
          TokenRegistryTest.OPS
        }) {
      assertFalse(text.contains(secret), "leaks " + secret + ": " + text);
    }
  }

  @Test
  void kafkaSettings_arePassedToTheClients() {
    Properties kafka = builder().build().kafka();
    assertEquals("kafka-1:9093", kafka.getProperty("bootstrap.servers"));
    assertEquals("SASL_SSL", kafka.getProperty("security.protocol"));
    assertEquals("SCRAM-SHA-512", kafka.getProperty("sasl.mechanism"));
    assertTrue(kafka.getProperty("sasl.jaas.config").contains("streetsense-views"));
  }

  @Test
  void saslSettingsWithoutASaslProtocol_areRefused() {
    Properties plain = scram();
    plain.remove("security.protocol");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                ViewsConfig.builder()
                    .kafkaBootstrap("kafka-1:9093")
                    .kafkaProperties(plain)
                    .tokens(TokenRegistryTest.registry())
                    .build());
    assertTrue(e.getMessage().contains("security.protocol is PLAINTEXT"), e.getMessage());
    assertFalse(e.getMessage().contains(KAFKA_PASSWORD), e.getMessage());
  }

  @Test
  void writeLimitDefaults_andOff() {
    assertEquals(WriteRateLimiter.Limit.defaults(), builder().build().http().writeLimit());
    assertFalse(builder().writeRateLimit(0, 0).build().http().writeLimit().enabled());
    assertThrows(IllegalArgumentException.class, () -> builder().writeRateLimit(10, 0));
  }
}

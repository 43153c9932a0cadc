package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class MqttKafkaBridgeTest {

  @Test
  void start_failsWithOneClearLine_whenAKafkaTopicIsMissing() {
    ControllableProducer producer = new ControllableProducer(); // knows no topics
    BridgeConfig config = BridgeConfigTest.minimal().startupTimeout(Duration.ofMillis(300)).build();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () -> MqttKafkaBridge.start(config, MessageValidatorTest.DIRECTORY, producer));
    assertTrue(e.getMessage().contains(config.topics().parking()), e.getMessage());
    assertTrue(e.getMessage().contains("create it first"), e.getMessage());
    assertTrue(producer.closed(), "the producer is closed when start fails");
  }
}

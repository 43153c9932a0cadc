package io.streetsense.app;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.WorkOrder;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the committed work orders and violations on Kafka from the beginning, the way the
 * operations centre's views do, and hands each record to a listener. Reads {@code read_committed}:
 * it sees exactly what the job committed, never a record of an aborted transaction.
 */
public final class WorkOrderFeed implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkOrderFeed.class);

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Thread poller;
  private final Topics topics;
  private volatile boolean running = true;

  private WorkOrderFeed(
      String bootstrapServers,
      Properties clientProperties,
      Topics topics,
      Consumer<WorkOrder> onWorkOrder,
      Consumer<ViolationEvent> onViolation) {
    this.topics = topics;
    Properties properties = new Properties();
    properties.putAll(clientProperties);
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    properties.put(ConsumerConfig.GROUP_ID_CONFIG, "streetsense-feed-" + UUID.randomUUID());
    properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Never let a read create a topic with the broker's defaults: the pipeline creates them.
    properties.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    AvroCodec<WorkOrder> orders = AvroCodec.of(WorkOrder.class);
    AvroCodec<ViolationEvent> violations = AvroCodec.of(ViolationEvent.class);
    poller =
        new Thread(
            () -> {
              consumer.subscribe(List.of(topics.workOrders(), topics.violations()));
              try {
                while (running) {
                  for (ConsumerRecord<byte[], byte[]> record :
                      consumer.poll(Duration.ofMillis(200))) {
                    try {
                      if (record.topic().equals(topics.workOrders())) {
                        onWorkOrder.accept(orders.decode(record.value()));
                      } else {
                        onViolation.accept(violations.decode(record.value()));
                      }
                    } catch (IOException e) {
                      LOG.warn("undecodable record on {}: {}", record.topic(), e.getMessage());
                    }
                  }
                }
              } catch (WakeupException e) {
                // closing
              } finally {
                consumer.close();
              }
            },
            "work-order-feed");
    poller.setDaemon(true);
  }

  public static WorkOrderFeed start(
      String bootstrapServers,
      Properties clientProperties,
      Topics topics,
      Consumer<WorkOrder> onWorkOrder,
      Consumer<ViolationEvent> onViolation) {
    WorkOrderFeed feed =
        new WorkOrderFeed(bootstrapServers, clientProperties, topics, onWorkOrder, onViolation);
    feed.poller.start();
    return feed;
  }

  public Topics topics() {
    return topics;
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    consumer.wakeup();
    poller.join(10_000);
  }
}

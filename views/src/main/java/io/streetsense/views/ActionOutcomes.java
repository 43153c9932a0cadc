package io.streetsense.views;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderTransition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What became of an action: applied (a transition of the order names its action id), refused (the
 * work-order operator wrote a dead letter {@code ACTION_REFUSED} for it) or still pending. The API
 * answers 202 before the operator has decided; this lets a team app ask afterwards.
 *
 * <p>Applied actions come from the work-order view (every order's history). Refusals come from the
 * dead-letter topic, read from 24 hours back at start (that topic also holds every rejected device
 * message, so it is not replayed whole) and kept for the last {@value #MAX_REFUSALS} refusals.
 */
public final class ActionOutcomes implements WorkOrderView.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ActionOutcomes.class);
  static final int MAX_REFUSALS = 100_000;
  static final Duration REFUSALS_LOOKBACK = Duration.ofHours(24);
  static final String REFUSED_STAGE = "workorders";
  static final String REFUSED_REASON = DeadLetterReason.ACTION_REFUSED.name();

  /** The state of one action. {@code code} and {@code reason} are set for refusals. */
  public record Outcome(
      String actionId,
      String state,
      String workOrderId,
      String actor,
      Instant at,
      String code,
      String reason) {}

  private final Map<String, Outcome> applied = new HashMap<>();
  private final Map<String, Outcome> refused =
      new LinkedHashMap<>() {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Outcome> eldest) {
          return size() > MAX_REFUSALS;
        }
      };
  private final AvroCodec<DeadLetter> deadLetters = AvroCodec.of(DeadLetter.class);
  private final AvroCodec<TeamAction> actions = AvroCodec.of(TeamAction.class);
  private KafkaConsumer<String, byte[]> consumer;
  private Thread thread;
  private volatile boolean closed;

  /** Starts following refusals on {@code deadLetterTopic}; without a call, only applied ones. */
  public synchronized ActionOutcomes followRefusals(Properties kafka, String deadLetterTopic) {
    if (closed) {
      return this;
    }
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    // Reading must never create the topic with the broker's defaults: the pipeline creates it.
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    props.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "streetsense-views-refusals");
    consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    thread = new Thread(() -> follow(deadLetterTopic), "action-refusals");
    thread.setDaemon(true);
    thread.start();
    return this;
  }

  @Override
  public synchronized void onRecord(
      int partition, long offset, WorkOrder previous, WorkOrder current) {
    if (current == null) {
      return;
    }
    List<WorkOrderTransition> history = current.getHistory();
    int from = previous == null ? 0 : Math.min(previous.getHistory().size(), history.size());
    for (int i = from; i < history.size(); i++) {
      WorkOrderTransition t = history.get(i);
      if (t.getActionId() != null) {
        applied.put(
            t.getActionId(),
            new Outcome(
                t.getActionId(),
                "applied",
                current.getId(),
                t.getActor(),
                t.getRecordedAt(),
                t.getKind().name(),
                t.getReason()));
      }
    }
  }

  /** The outcome of {@code actionId}, if the operator has decided. */
  public synchronized Optional<Outcome> get(String actionId) {
    Outcome outcome = applied.get(actionId);
    return Optional.ofNullable(outcome != null ? outcome : refused.get(actionId));
  }

  synchronized void refused(DeadLetter letter) {
    if (!REFUSED_STAGE.equals(letter.getStage()) || !REFUSED_REASON.equals(letter.getReason())) {
      return;
    }
    // detail: "<CODE> <actionId>: <why>"
    String detail = letter.getDetail();
    int space = detail.indexOf(' ');
    int colon = detail.indexOf(": ", space + 1);
    if (space < 0 || colon < 0) {
      return;
    }
    String code = detail.substring(0, space);
    String actionId = detail.substring(space + 1, colon);
    String why = detail.substring(colon + 2);
    String orderId = null;
    String actor = null;
    try {
      ByteBuffer payload = letter.getPayload().duplicate();
      byte[] bytes = new byte[payload.remaining()];
      payload.get(bytes);
      TeamAction action = actions.decode(bytes);
      orderId = action.getWorkOrderId();
      actor = action.getActor();
    } catch (IOException e) {
      // Keep the refusal; it just cannot say whose it was, so only the operations centre sees it.
    }
    refused.put(
        actionId,
        new Outcome(actionId, "refused", orderId, actor, letter.getReceivedAt(), code, why));
  }

  private void follow(String topic) {
    try {
      List<TopicPartition> partitions = new ArrayList<>();
      while (!closed && partitions.isEmpty()) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(10));
        if (infos == null || infos.isEmpty()) {
          Thread.sleep(1000);
          continue;
        }
        infos.forEach(i -> partitions.add(new TopicPartition(topic, i.partition())));
      }
      if (closed) {
        return;
      }
      consumer.assign(partitions);
      long since = System.currentTimeMillis() - REFUSALS_LOOKBACK.toMillis();
      Map<TopicPartition, Long> query = new HashMap<>();
      partitions.forEach(p -> query.put(p, since));
      Map<TopicPartition, OffsetAndTimestamp> start = consumer.offsetsForTimes(query);
      for (TopicPartition p : partitions) {
        OffsetAndTimestamp at = start.get(p);
        if (at == null) {
          consumer.seekToEnd(List.of(p));
        } else {
          consumer.seek(p, at.offset());
        }
      }
      while (!closed) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          try {
            refused(deadLetters.decode(record.value()));
          } catch (IOException | RuntimeException e) {
            // Not a dead letter we can read: not ours to judge here.
          }
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      LOG.error("following action refusals stopped: {}", e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
    }
    if (consumer != null) {
      consumer.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

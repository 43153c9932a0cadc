package io.streetsense.views;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.ViolationEvent;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;
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
 * Which zones have a violation standing, for the console's map: a view of the detectors' violations
 * topic ({@code ViolationEvent}). A violation stands from its OPENED (or any UPDATED, which carries
 * its {@code detectedAt}) until its CLEARED; it is shown with how long it has stood.
 *
 * <p><b>Bounded</b>: at most {@code maxStanding} violations are held (the oldest seen are dropped
 * beyond), and one not heard of (no OPENED or UPDATED) for {@code forgetAfter} is dropped — its
 * CLEARED was lost, or it is older than anything the topic still holds. <b>Resumable</b>: on start
 * it reads the topic back by {@code forgetAfter} (Kafka's offsets for a time), so after a restart
 * the map shows what stands again; the browser gets the whole current state on every (re)connect
 * and on every change, as it gets the device health, so it never needs a position.
 *
 * <p>Publishing is at most once a second, and only when the set of standing violations changed.
 */
public final class ViolationStanding implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ViolationStanding.class);

  /** One standing violation: zone, type, since when (first evidence) and last heard of. */
  public record Standing(
      String block, String zone, String type, String violationId, Instant since, Instant lastAt) {}

  /** Every standing violation, with a version that grows on every change. */
  public record Snapshot(long version, Instant at, List<Standing> standing) {}

  /** Limits. */
  public record Settings(Duration forgetAfter, int maxStanding) {
    public static Settings defaults() {
      return new Settings(Duration.ofHours(24), 20_000);
    }
  }

  private final Settings settings;
  private final Clock clock;
  private final Consumer<Snapshot> onChange;
  private final AvroCodec<ViolationEvent> events = AvroCodec.of(ViolationEvent.class);
  private final Map<String, Standing> standing = new HashMap<>(); // violationId -> standing
  private final String topic;
  private final KafkaConsumer<String, byte[]> consumer;
  private final Thread thread;
  private volatile boolean closed;
  private volatile Snapshot snapshot;
  private boolean changed;

  /** Without Kafka: for {@link #apply} and {@link #publishIfChanged} in tests. */
  ViolationStanding(Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.topic = null;
    this.consumer = null;
    this.thread = null;
    this.snapshot = new Snapshot(0, clock.instant(), List.of());
  }

  private ViolationStanding(
      Properties kafka, String topic, Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.topic = Objects.requireNonNull(topic, "topic");
    Properties props = new Properties();
    props.putAll(kafka);
    props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    props.put(ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false");
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.CLIENT_ID_CONFIG, "streetsense-views-violations");
    props.remove(ConsumerConfig.GROUP_ID_CONFIG);
    this.consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    this.snapshot = new Snapshot(0, clock.instant(), List.of());
    this.thread = new Thread(this::run, "violation-standing-view");
    this.thread.setDaemon(true);
  }

  public static ViolationStanding start(
      Properties kafka, String topic, Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    ViolationStanding view = new ViolationStanding(kafka, topic, settings, clock, onChange);
    onChange.accept(view.snapshot);
    view.thread.start();
    return view;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  private void run() {
    try {
      if (!assign()) {
        return;
      }
      long lastEval = 0;
      while (!closed) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          if (r.value() == null) {
            continue;
          }
          try {
            apply(events.decode(r.value()));
          } catch (IOException | RuntimeException e) {
            LOG.debug("violation view skips an undecodable record: {}", e.toString());
          }
        }
        long now = System.currentTimeMillis();
        if (now - lastEval >= 1000) {
          lastEval = now;
          publishIfChanged();
        }
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      LOG.error("violation view stopped: {}", e.toString(), e);
    } finally {
      consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  /** Waits for the topic, then starts {@code forgetAfter} back. False if closed meanwhile. */
  private boolean assign() {
    long warnedAt = 0;
    while (!closed) {
      List<PartitionInfo> parts = consumer.partitionsFor(topic, Duration.ofSeconds(10));
      if (parts != null && !parts.isEmpty()) {
        Map<TopicPartition, Long> from = new HashMap<>();
        long since = clock.millis() - settings.forgetAfter().toMillis();
        parts.forEach(p -> from.put(new TopicPartition(topic, p.partition()), since));
        consumer.assign(from.keySet());
        Map<TopicPartition, OffsetAndTimestamp> offsets = consumer.offsetsForTimes(from);
        List<TopicPartition> toEnd = new ArrayList<>();
        offsets.forEach(
            (tp, o) -> {
              if (o == null) {
                toEnd.add(tp);
              } else {
                consumer.seek(tp, o.offset());
              }
            });
        consumer.seekToEnd(toEnd);
        LOG.info("violation view reading {} from {} back", topic, settings.forgetAfter());
        return true;
      }
      if (System.currentTimeMillis() - warnedAt > 60_000) {
        warnedAt = System.currentTimeMillis();
        LOG.info("violation view waiting for Kafka topic {}", topic);
      }
      try {
        Thread.sleep(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** One violation event: OPENED or UPDATED makes it stand, CLEARED ends it. */
  synchronized void apply(ViolationEvent e) {
    String id = e.getViolationId();
    switch (e.getKind()) {
      case OPENED:
      case UPDATED:
        {
          Standing before = standing.get(id);
          Instant last =
              before != null && before.lastAt().isAfter(e.getEventTime())
                  ? before.lastAt()
                  : e.getEventTime();
          standing.put(
              id,
              new Standing(
                  e.getBlockId(), e.getZoneId(), e.getType().name(), id, e.getDetectedAt(), last));
          changed |= before == null;
          if (standing.size() > settings.maxStanding()) {
            standing.values().stream()
                .min(Comparator.comparing(Standing::lastAt))
                .ifPresent(oldest -> standing.remove(oldest.violationId()));
          }
          break;
        }
      case CLEARED:
        changed |= standing.remove(id) != null;
        break;
      default:
        break;
    }
  }

  /** Forgets violations not heard of for too long; publishes when the standing set changed. */
  synchronized void publishIfChanged() {
    Instant cutoff = clock.instant().minus(settings.forgetAfter());
    changed |= standing.values().removeIf(s -> s.lastAt().isBefore(cutoff));
    if (!changed) {
      return;
    }
    changed = false;
    List<Standing> list = new ArrayList<>(standing.values());
    list.sort(Comparator.comparing(Standing::since).thenComparing(Standing::violationId));
    snapshot = new Snapshot(snapshot.version() + 1, clock.instant(), List.copyOf(list));
    onChange.accept(snapshot);
  }

  @Override
  public void close() {
    if (closed || consumer == null) {
      closed = true;
      return;
    }
    closed = true;
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

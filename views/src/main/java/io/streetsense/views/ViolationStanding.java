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
import org.apache.kafka.clients.consumer.ConsumerRecord;
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
  private final RecentTopicReader reader; // null without Kafka (tests)
  private volatile Snapshot snapshot;
  private boolean changed;

  /** Without Kafka: for {@link #apply} and {@link #publishIfChanged} in tests. */
  ViolationStanding(Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.reader = null;
    this.snapshot = new Snapshot(0, clock.instant(), List.of());
  }

  private ViolationStanding(
      Properties kafka, String topic, Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.onChange = Objects.requireNonNull(onChange, "onChange");
    this.snapshot = new Snapshot(0, clock.instant(), List.of());
    this.reader =
        new RecentTopicReader(
            "violation view",
            kafka,
            "streetsense-views-violations",
            Map.of(Objects.requireNonNull(topic, "topic"), settings.forgetAfter()),
            true,
            clock,
            this::applyRecord,
            this::publishIfChanged);
  }

  public static ViolationStanding start(
      Properties kafka, String topic, Settings settings, Clock clock, Consumer<Snapshot> onChange) {
    ViolationStanding view = new ViolationStanding(kafka, topic, settings, clock, onChange);
    onChange.accept(view.snapshot);
    view.reader.start();
    return view;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  private void applyRecord(ConsumerRecord<String, byte[]> r) {
    if (r.value() == null) {
      return;
    }
    try {
      apply(events.decode(r.value()));
    } catch (IOException | RuntimeException e) {
      LOG.debug("violation view skips an undecodable record: {}", e.toString());
    }
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
    if (reader != null) {
      reader.close();
    }
  }
}

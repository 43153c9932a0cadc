package io.streetsense.ingest;

import io.streetsense.schemas.DeadLetterReason;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one bridge, read by the metrics sink for the {@code pipeline} measurement (stage
 * {@code ingest}). Cheap to update from any thread; {@link #snapshot()} gives a consistent-enough
 * immutable copy (each counter is read once; counters are monotonic except {@code inFlight}).
 *
 * <p>Events and dead letters are counted when Kafka acknowledged the record, so a record re-sent
 * after a Kafka failure counts once. The bridge does not deduplicate: a message redelivered by the
 * MQTT broker after a reconnect or crash is counted (and written) again; the detectors count
 * duplicates.
 */
public final class BridgeMetrics {
  /** Latency buckets: bucket i holds latencies in [2^(i-1), 2^i) microseconds. */
  private static final int BUCKETS = 40;

  private final Clock clock;
  private final LongAdder received = new LongAdder();
  private final LongAdder parkingEvents = new LongAdder();
  private final LongAdder cameraEvents = new LongAdder();
  private final Map<DeadLetterReason, LongAdder> deadLetters =
      new EnumMap<>(DeadLetterReason.class);
  private final LongAdder inFlight = new LongAdder();
  private final LongAdder kafkaRetries = new LongAdder();
  private final LongAdder mqttAcks = new LongAdder();
  private final LongAdder staleAcksSkipped = new LongAdder();
  private final LongAdder mqttConnects = new LongAdder();
  private final LongAdder kafkaSends = new LongAdder();
  private final LongAdder kafkaLatencyMicrosTotal = new LongAdder();
  private final AtomicLong kafkaLatencyMicrosMax = new AtomicLong();
  private final AtomicLongArray latencyBuckets = new AtomicLongArray(BUCKETS);

  public BridgeMetrics(Clock clock) {
    this.clock = clock;
    for (DeadLetterReason code : DeadLetterReason.BRIDGE) {
      deadLetters.put(code, new LongAdder());
    }
  }

  void received() {
    received.increment();
  }

  void forwarded(DeviceKind kind) {
    (kind == DeviceKind.CAMERA ? cameraEvents : parkingEvents).increment();
  }

  void deadLettered(DeadLetterReason reason) {
    deadLetters.get(reason).increment();
  }

  void inFlightChanged(int delta) {
    inFlight.add(delta);
  }

  void kafkaRetry() {
    kafkaRetries.increment();
  }

  void mqttAcked() {
    mqttAcks.increment();
  }

  void staleAckSkipped() {
    staleAcksSkipped.increment();
  }

  void mqttConnected() {
    mqttConnects.increment();
  }

  void kafkaAcked(long latencyNanos) {
    long micros = Math.max(0, latencyNanos / 1_000);
    kafkaSends.increment();
    kafkaLatencyMicrosTotal.add(micros);
    kafkaLatencyMicrosMax.accumulateAndGet(micros, Math::max);
    int bucket = Math.min(BUCKETS - 1, 64 - Long.numberOfLeadingZeros(micros));
    latencyBuckets.incrementAndGet(bucket);
  }

  public Snapshot snapshot() {
    Map<DeadLetterReason, Long> dead = new EnumMap<>(DeadLetterReason.class);
    long deadTotal = 0;
    for (Map.Entry<DeadLetterReason, LongAdder> e : deadLetters.entrySet()) {
      long n = e.getValue().sum();
      if (n > 0) {
        dead.put(e.getKey(), n);
        deadTotal += n;
      }
    }
    long[] buckets = new long[BUCKETS];
    for (int i = 0; i < BUCKETS; i++) {
      buckets[i] = latencyBuckets.get(i);
    }
    long sends = kafkaSends.sum();
    return new Snapshot(
        clock.instant(),
        received.sum(),
        parkingEvents.sum(),
        cameraEvents.sum(),
        deadTotal,
        Collections.unmodifiableMap(dead),
        inFlight.intValue(),
        kafkaRetries.sum(),
        mqttAcks.sum(),
        staleAcksSkipped.sum(),
        mqttConnects.sum(),
        sends,
        sends == 0 ? 0 : kafkaLatencyMicrosTotal.sum() / 1000.0 / sends,
        percentileMillis(buckets, sends, 0.50),
        percentileMillis(buckets, sends, 0.99),
        kafkaLatencyMicrosMax.get() / 1000.0);
  }

  /** Upper bound of the bucket holding the percentile: at most 2x the true value. */
  private static double percentileMillis(long[] buckets, long total, double p) {
    if (total == 0) {
      return 0;
    }
    long rank = (long) Math.ceil(p * total);
    long seen = 0;
    for (int i = 0; i < buckets.length; i++) {
      seen += buckets[i];
      if (seen >= rank) {
        return (1L << i) / 1000.0;
      }
    }
    return (1L << (buckets.length - 1)) / 1000.0;
  }

  /**
   * An immutable reading of the counters.
   *
   * @param at when it was taken (the bridge's clock)
   * @param received MQTT messages handed to the bridge
   * @param parkingEvents valid parking messages acknowledged by Kafka
   * @param cameraEvents valid camera frames acknowledged by Kafka
   * @param deadLetters rejected messages acknowledged by Kafka on the dead-letter topic
   * @param deadLettersByReason the same per reason code (codes with zero left out)
   * @param inFlight messages received but not yet acknowledged to MQTT
   * @param kafkaRetries re-sends by the bridge after Kafka gave up on a record
   * @param mqttAcks PUBACKs sent
   * @param staleAcksSkipped acknowledgements not sent because the MQTT connection they belonged to
   *     was gone (the broker redelivers those messages: duplicates, never loss)
   * @param mqttConnects successful MQTT connects, the first included
   * @param kafkaSends records acknowledged by Kafka
   * @param kafkaMeanMs mean send-to-acknowledgement latency
   * @param kafkaP50Ms median latency (power-of-two bucket upper bound)
   * @param kafkaP99Ms 99th percentile latency (power-of-two bucket upper bound)
   * @param kafkaMaxMs maximum latency
   */
  public record Snapshot(
      Instant at,
      long received,
      long parkingEvents,
      long cameraEvents,
      long deadLetters,
      Map<DeadLetterReason, Long> deadLettersByReason,
      int inFlight,
      long kafkaRetries,
      long mqttAcks,
      long staleAcksSkipped,
      long mqttConnects,
      long kafkaSends,
      double kafkaMeanMs,
      double kafkaP50Ms,
      double kafkaP99Ms,
      double kafkaMaxMs) {

    /** Valid events of both kinds. */
    public long events() {
      return parkingEvents + cameraEvents;
    }
  }
}

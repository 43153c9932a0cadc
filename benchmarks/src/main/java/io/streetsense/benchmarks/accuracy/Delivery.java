package io.streetsense.benchmarks.accuracy;

import io.streetsense.simulator.DeviceMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The network between the street and the bridge: each message arrives a random delay after it was
 * sent, so messages of different devices arrive out of event-time order, while each device's own
 * messages keep their order (one MQTT connection per device, QoS 1). A share of the parking
 * messages arrives twice (a sensor resending after a reconnect, docs/interfaces.md).
 *
 * <p>Wraps the simulator's time-ordered stream lazily: it holds only the messages still "in
 * flight", a few seconds' worth.
 */
public final class Delivery implements Iterator<Delivery.Arrival> {

  /** A message and the time it reached the bridge. */
  public record Arrival(DeviceMessage message, long arrivedAtMillis) {}

  private record InFlight(Arrival arrival, long order) {}

  private final Iterator<DeviceMessage> sent;
  private final long maxDelayMillis;
  private final double duplicateShare;
  private final double cameraDuplicateShare;
  private final long maxCopyLagMillis;
  private final boolean keepDeviceOrder;
  private final Random random;
  private final Map<String, Long> lastArrival = new HashMap<>();
  private final PriorityQueue<InFlight> inFlight =
      new PriorityQueue<>(
          (a, b) -> {
            int c = Long.compare(a.arrival().arrivedAtMillis(), b.arrival().arrivedAtMillis());
            return c != 0 ? c : Long.compare(a.order(), b.order());
          });
  private final ArrayDeque<Arrival> ready = new ArrayDeque<>();
  private long order;
  private long duplicates;
  private long cameraDuplicates;

  /**
   * @param sent messages in event-time order
   * @param maxDelay each message is delayed uniformly by 0..maxDelay; zero keeps the order
   * @param duplicateShare share of parking messages delivered a second time, 0..1
   * @param seed for the delays and duplicates
   */
  public Delivery(
      Iterator<DeviceMessage> sent, Duration maxDelay, double duplicateShare, long seed) {
    this(sent, maxDelay, duplicateShare, 0, Duration.ZERO, true, seed);
  }

  /**
   * A network that also redelivers camera frames and may reorder a device's own messages.
   *
   * @param parkingDuplicateShare share of parking messages delivered a second time, 0..1
   * @param cameraDuplicateShare share of camera frames delivered a second time (MQTT QoS 1
   *     redelivery, a bridge restarted between Kafka's ack and the broker's), 0..1
   * @param maxCopyLag a second copy arrives up to this long after the first (uniform); it may
   *     overtake nothing and is overtaken by the device's later messages
   * @param keepDeviceOrder false: each message is delayed on its own, so a device's messages are
   *     reordered within {@code maxDelay} too
   */
  public Delivery(
      Iterator<DeviceMessage> sent,
      Duration maxDelay,
      double parkingDuplicateShare,
      double cameraDuplicateShare,
      Duration maxCopyLag,
      boolean keepDeviceOrder,
      long seed) {
    double duplicateShare = parkingDuplicateShare;
    if (!(cameraDuplicateShare >= 0 && cameraDuplicateShare <= 1)) {
      throw new IllegalArgumentException(
          "cameraDuplicateShare must be within 0..1, got " + cameraDuplicateShare);
    }
    this.cameraDuplicateShare = cameraDuplicateShare;
    this.maxCopyLagMillis = Objects.requireNonNull(maxCopyLag, "maxCopyLag").toMillis();
    this.keepDeviceOrder = keepDeviceOrder;
    this.sent = Objects.requireNonNull(sent, "sent");
    Objects.requireNonNull(maxDelay, "maxDelay");
    if (maxDelay.isNegative()) {
      throw new IllegalArgumentException("maxDelay must not be negative, got " + maxDelay);
    }
    if (!(duplicateShare >= 0 && duplicateShare <= 1)) {
      throw new IllegalArgumentException(
          "duplicateShare must be within 0..1, got " + duplicateShare);
    }
    this.maxDelayMillis = maxDelay.toMillis();
    this.duplicateShare = duplicateShare;
    this.random = new Random(seed);
  }

  /** Parking messages delivered twice so far. */
  public long duplicates() {
    return duplicates;
  }

  /** Camera frames delivered twice so far. */
  public long cameraDuplicates() {
    return cameraDuplicates;
  }

  @Override
  public boolean hasNext() {
    fill();
    return !ready.isEmpty();
  }

  @Override
  public Arrival next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    return ready.poll();
  }

  private void fill() {
    while (ready.isEmpty()) {
      if (!sent.hasNext()) {
        InFlight last = inFlight.poll();
        if (last == null) {
          return;
        }
        ready.add(last.arrival());
        continue;
      }
      DeviceMessage m = sent.next();
      long now = m.eventTime().toEpochMilli();
      long first = send(m, now);
      if (m.kind() == DeviceMessage.Kind.PARKING && random.nextDouble() < duplicateShare) {
        duplicates++;
        if (maxCopyLagMillis == 0) {
          send(m, now);
        } else {
          resend(m, first);
        }
      } else if (m.kind() == DeviceMessage.Kind.CAMERA
          && cameraDuplicateShare > 0
          && random.nextDouble() < cameraDuplicateShare) {
        cameraDuplicates++;
        resend(m, first);
      }
      // Whatever arrives by the time this message was sent is final: later messages are sent
      // later still and arrive after it.
      while (!inFlight.isEmpty() && inFlight.peek().arrival().arrivedAtMillis() <= now) {
        ready.add(inFlight.poll().arrival());
      }
    }
  }

  private long send(DeviceMessage m, long sentAt) {
    long delay = maxDelayMillis == 0 ? 0 : (long) (random.nextDouble() * (maxDelayMillis + 1));
    long arrival = sentAt + delay;
    if (keepDeviceOrder) {
      Long previous = lastArrival.get(m.deviceId());
      if (previous != null && arrival < previous) {
        arrival = previous; // a device's messages keep their order
      }
      lastArrival.put(m.deviceId(), arrival);
    }
    inFlight.add(new InFlight(new Arrival(m, arrival), order++));
    return arrival;
  }

  /** A second copy, some time after the first arrived; it does not hold the device's order. */
  private void resend(DeviceMessage m, long firstArrival) {
    long lag = (long) (random.nextDouble() * (maxCopyLagMillis + 1));
    inFlight.add(new InFlight(new Arrival(m, firstArrival + lag), order++));
  }
}

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

  /**
   * @param sent messages in event-time order
   * @param maxDelay each message is delayed uniformly by 0..maxDelay; zero keeps the order
   * @param duplicateShare share of parking messages delivered a second time, 0..1
   * @param seed for the delays and duplicates
   */
  public Delivery(
      Iterator<DeviceMessage> sent, Duration maxDelay, double duplicateShare, long seed) {
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
      send(m, now);
      if (m.kind() == DeviceMessage.Kind.PARKING && random.nextDouble() < duplicateShare) {
        duplicates++;
        send(m, now);
      }
      // Whatever arrives by the time this message was sent is final: later messages are sent
      // later still and arrive after it.
      while (!inFlight.isEmpty() && inFlight.peek().arrival().arrivedAtMillis() <= now) {
        ready.add(inFlight.poll().arrival());
      }
    }
  }

  private void send(DeviceMessage m, long sentAt) {
    long delay = maxDelayMillis == 0 ? 0 : (long) (random.nextDouble() * (maxDelayMillis + 1));
    long arrival = sentAt + delay;
    Long previous = lastArrival.get(m.deviceId());
    if (previous != null && arrival < previous) {
      arrival = previous; // a device's messages keep their order
    }
    lastArrival.put(m.deviceId(), arrival);
    inFlight.add(new InFlight(new Arrival(m, arrival), order++));
  }
}

package io.streetsense.simulator.internal;

import io.streetsense.simulator.DeviceMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * One geomagnetic berth sensor: an alternating occupied/vacant process with a {@code change}
 * message on every flip and a {@code heartbeat} on a fixed period (first one at a random phase).
 *
 * <p>Occupancy: parked cars stay a log-normal time around {@code meanOccupied} (clamped to 3–90
 * min); the berth then stays free for an exponential time whose mean makes the long-run occupied
 * share equal to {@code target}. During a "zone full" window every berth is occupied: free berths
 * fill in the minutes before it starts and nobody leaves before it ends.
 */
public final class ParkingSensorStream implements Iterator<DeviceMessage> {
  /** Mask for a sequence number that wraps at 2^31. */
  static final long SEQ_MASK = 0x7FFF_FFFFL;

  private static final Duration MIN_OCCUPIED = Duration.ofMinutes(3);
  private static final Duration MAX_OCCUPIED = Duration.ofMinutes(90);
  private static final Duration MIN_VACANT = Duration.ofSeconds(20);

  /** Cars looking for a berth fill a zone within this long before a full window starts. */
  private static final Duration FILL_RAMP = Duration.ofMinutes(6);

  private final String blockId;
  private final String sensorId;
  private final String topic;
  private final ZoneId timezone;
  private final Random random;
  private final double target;
  private final Duration meanOccupied;
  private final List<Interval> fullWindows;
  private final List<Interval> vacantWindows;
  private final Duration heartbeat;
  private final Instant start;
  private final Instant end;
  private final double batteryStart;

  private boolean occupied;
  private Instant nextFlip;
  private Instant nextHeartbeat;
  private long seq;
  private long sent;

  /**
   * @param fullWindows windows during which every berth of the zone is occupied, sorted, disjoint
   * @param seqNearWrap start the sequence a few messages below 2^31, so the wrap happens early
   */
  public ParkingSensorStream(
      String blockId,
      String sensorId,
      ZoneId timezone,
      Random random,
      double target,
      Duration meanOccupied,
      List<Interval> fullWindows,
      Duration heartbeat,
      Instant start,
      Instant end,
      boolean seqNearWrap) {
    this(
        blockId,
        sensorId,
        timezone,
        random,
        target,
        meanOccupied,
        fullWindows,
        List.of(),
        heartbeat,
        start,
        end,
        seqNearWrap);
  }

  /**
   * @param vacantWindows windows during which this berth is free: a car parked before one leaves in
   *     the few minutes before it starts, none arrives until it ends; sorted, disjoint, and
   *     disjoint from {@code fullWindows}
   */
  public ParkingSensorStream(
      String blockId,
      String sensorId,
      ZoneId timezone,
      Random random,
      double target,
      Duration meanOccupied,
      List<Interval> fullWindows,
      List<Interval> vacantWindows,
      Duration heartbeat,
      Instant start,
      Instant end,
      boolean seqNearWrap) {
    this.vacantWindows = List.copyOf(vacantWindows);
    this.blockId = blockId;
    this.sensorId = sensorId;
    this.topic = DeviceMessage.topicOf(blockId, DeviceMessage.Kind.PARKING, sensorId);
    this.timezone = timezone;
    this.random = random;
    this.target = target;
    this.meanOccupied = meanOccupied;
    this.fullWindows = List.copyOf(fullWindows);
    this.heartbeat = heartbeat;
    this.start = start;
    this.end = end;

    this.seq = seqNearWrap ? SEQ_MASK - random.nextInt(20) : random.nextInt(Integer.MAX_VALUE);
    this.batteryStart = 3.56 + random.nextDouble() * 0.10;
    this.nextHeartbeat = start.plusMillis((long) (random.nextDouble() * heartbeat.toMillis()));
    this.occupied =
        (inFullWindow(start) || random.nextDouble() < target)
            && vacantWindows.stream().noneMatch(w -> w.contains(start));
    // Start in the steady state: the current car (or gap) has already lasted a while.
    Duration first = occupied ? occupiedDwell() : vacantDwell();
    Instant candidate = start.plusMillis((long) (random.nextDouble() * first.toMillis()) + 1);
    this.nextFlip = occupied ? departureAfter(start, candidate) : arrivalAfter(start, candidate);
  }

  @Override
  public boolean hasNext() {
    return nextTime().isBefore(end);
  }

  /** The event time of the next message. */
  public Instant nextTime() {
    return nextFlip.isAfter(nextHeartbeat) ? nextHeartbeat : nextFlip;
  }

  @Override
  public DeviceMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException(sensorId + " has nothing more before " + end);
    }
    Instant ts;
    boolean change;
    // On a tie the flip goes first: the heartbeat then confirms the new state.
    if (!nextFlip.isAfter(nextHeartbeat)) {
      ts = nextFlip;
      change = true;
      occupied = !occupied;
      nextFlip =
          occupied
              ? departureAfter(ts, ts.plus(occupiedDwell()))
              : arrivalAfter(ts, ts.plus(vacantDwell()));
    } else {
      ts = nextHeartbeat;
      change = false;
      nextHeartbeat = nextHeartbeat.plus(heartbeat);
    }
    seq = (seq + 1) & SEQ_MASK;
    boolean iso = (sent++ & 1) == 0;
    byte[] payload =
        Payloads.parking(sensorId, ts, iso, timezone, seq, occupied, change, battery(ts));
    return new DeviceMessage(topic, payload, ts, blockId, sensorId, DeviceMessage.Kind.PARKING);
  }

  /** Slowly declining: about 5 mV a day, plus a few mV of measurement noise. */
  private double battery(Instant ts) {
    double days = Duration.between(start, ts).toMillis() / 86_400_000.0;
    return batteryStart - 0.005 * days + random.nextGaussian() * 0.003;
  }

  private Duration occupiedDwell() {
    // Log-normal with median ~0.85 * mean: many short stops, a tail of long ones.
    double minutes =
        meanOccupied.toMillis() / 60_000.0 * Math.exp(random.nextGaussian() * 0.55 - 0.15);
    long millis = (long) (minutes * 60_000);
    return clamp(Duration.ofMillis(millis), MIN_OCCUPIED, MAX_OCCUPIED);
  }

  private Duration vacantDwell() {
    if (target <= 0) {
      return Duration.ofDays(3650);
    }
    double meanVacantMillis = meanOccupied.toMillis() * (1 - target) / target;
    long millis = (long) (-Math.log(1 - random.nextDouble()) * meanVacantMillis);
    return millis < MIN_VACANT.toMillis() ? MIN_VACANT : Duration.ofMillis(millis);
  }

  /** A car parked at {@code now} leaves at {@code planned}, unless that is in a full window. */
  private Instant departureAfter(Instant now, Instant planned) {
    Instant leave = planned;
    for (Interval window : fullWindows) {
      if (window.contains(leave)) {
        leave = window.to().plusMillis(1 + (long) (random.nextDouble() * 300_000));
      }
    }
    for (Interval window : vacantWindows) {
      if (window.contains(now)) {
        return now.plusMillis(1 + (long) (random.nextDouble() * 30_000));
      }
      if (now.isBefore(window.from()) && !leave.isBefore(window.from())) {
        // Gone before the berth must be free: some time in the ramp before it.
        Instant rampStart = window.from().minus(FILL_RAMP);
        if (rampStart.isBefore(now)) {
          rampStart = now;
        }
        long span = Math.max(1, Duration.between(rampStart, window.from()).toMillis());
        return rampStart.plusMillis(1 + (long) (random.nextDouble() * (span - 1)));
      }
    }
    return leave;
  }

  /**
   * A berth free at {@code now} is taken at {@code planned}, or before the next full window, but
   * not inside a vacant window.
   */
  private Instant arrivalAfter(Instant now, Instant planned) {
    Instant t = arrivalBeforeFull(now, planned);
    for (Interval window : vacantWindows) {
      if (window.contains(t)) {
        t = window.to().plusMillis(1 + (long) (random.nextDouble() * 300_000));
      }
    }
    return t;
  }

  private Instant arrivalBeforeFull(Instant now, Instant planned) {
    for (Interval window : fullWindows) {
      if (!window.to().isAfter(now)) {
        continue;
      }
      if (window.contains(now)) {
        return now.plusMillis(5_000 + (long) (random.nextDouble() * 55_000));
      }
      if (planned.isBefore(window.from())) {
        return planned;
      }
      Instant rampStart = window.from().minus(FILL_RAMP);
      if (rampStart.isBefore(now)) {
        rampStart = now;
      }
      long span = Math.max(1, Duration.between(rampStart, window.from()).toMillis());
      return rampStart.plusMillis(1 + (long) (random.nextDouble() * (span - 1)));
    }
    return planned;
  }

  private boolean inFullWindow(Instant t) {
    return fullWindows.stream().anyMatch(w -> w.contains(t));
  }

  private static Duration clamp(Duration d, Duration min, Duration max) {
    return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
  }
}

package io.streetsense.views;

import io.streetsense.schemas.WorkOrder;
import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * The console's live feed: every committed work-order change the view applies, numbered in the
 * order the view applied it, so that a Server-Sent Events client can resume exactly where it
 * stopped.
 *
 * <p>An event id is {@code <epoch>-<seq>}: {@code epoch} is random per service start, {@code seq}
 * counts the changes this instance has applied (1, 2, …). A client that reconnects with {@code
 * Last-Event-ID} gets the changes after it — none missing, none twice — as long as that change is
 * still among the last {@code capacity}; otherwise (too old, or an id of an earlier start, whose
 * numbering differs) it gets a fresh snapshot that replaces everything it held. Either way it ends
 * up with exactly the view's state.
 *
 * <p>The feed keeps its own map of the latest version of each order, updated under the same lock as
 * the sequence, so a snapshot and its sequence number always agree (the {@link WorkOrderIndex} is
 * updated just before the listeners run, so reading it would not).
 */
public final class ConsoleFeed implements WorkOrderView.Listener {
  /**
   * One applied change: whether the order existed before and whose it was (for a team's stream: an
   * order that leaves the team is sent as a removal), and the order after (null: removed). Only the
   * previous team is kept, not the previous version: kept changes should not hold old orders.
   */
  public record Change(
      long seq, String id, boolean existed, String previousTeam, WorkOrder current) {}

  /** A consistent copy: the orders that match and the sequence number they are as of. */
  public record Snapshot(long seq, List<WorkOrder> orders) {}

  /**
   * What a client gets next: the changes after its position, or a snapshot when that is lost; and
   * the device health, standing violations and street clock when newer than the client's (null
   * otherwise).
   */
  public record Next(
      Snapshot snapshot,
      List<Change> changes,
      long seq,
      DeviceHealth.Snapshot devices,
      ViolationStanding.Snapshot violations,
      StreetTime clock) {
    public Next(
        Snapshot snapshot,
        List<Change> changes,
        long seq,
        DeviceHealth.Snapshot devices,
        ViolationStanding.Snapshot violations) {
      this(snapshot, changes, seq, devices, violations, null);
    }
  }

  /** A street clock reading as published, with a version that grows on every one. */
  public record StreetTime(long version, StreetClock.Reading reading) {}

  /**
   * Changes kept for resuming: a client away for longer (at ten changes a second, about 16 min)
   * gets a snapshot instead. Each holds one order version, so this bounds the extra memory.
   */
  public static final int DEFAULT_CAPACITY = 10_000;

  private final String epoch;
  private final int capacity;
  private final Map<String, WorkOrder> current = new HashMap<>();
  private final ArrayDeque<Change> recent = new ArrayDeque<>();
  private long seq;
  private boolean closed;
  private DeviceHealth.Snapshot devices; // null: no block maps, no device health
  private ViolationStanding.Snapshot violations; // null: no violation view
  private StreetTime clock; // null: no street clock (no device health)

  public ConsoleFeed() {
    this(DEFAULT_CAPACITY);
  }

  public ConsoleFeed(int capacity) {
    if (capacity < 1) {
      throw new IllegalArgumentException("capacity must be positive: " + capacity);
    }
    this.capacity = capacity;
    byte[] random = new byte[4];
    new SecureRandom().nextBytes(random);
    this.epoch = HexFormat.of().formatHex(random);
  }

  @Override
  public void onRecord(int partition, long offset, WorkOrder previous, WorkOrder current) {
    String id = current != null ? current.getId() : previous != null ? previous.getId() : null;
    if (id == null) {
      return; // a tombstone for an order the view never held: nothing changed
    }
    synchronized (this) {
      seq++;
      if (current == null) {
        this.current.remove(id);
      } else {
        this.current.put(id, current);
      }
      recent.addLast(
          new Change(
              seq, id, previous != null, previous == null ? null : previous.getTeamId(), current));
      while (recent.size() > capacity) {
        recent.removeFirst();
      }
      notifyAll();
    }
  }

  /** The latest device health; wakes the streams so they send it. */
  public synchronized void devices(DeviceHealth.Snapshot snapshot) {
    this.devices = snapshot;
    notifyAll();
  }

  private long devicesVersion() {
    return devices == null ? -1 : devices.version();
  }

  /** The latest standing violations; wakes the streams so they send them. */
  public synchronized void violations(ViolationStanding.Snapshot snapshot) {
    this.violations = snapshot;
    notifyAll();
  }

  /** The street clock's latest reading; wakes the streams so they send it. */
  public synchronized void clock(StreetClock.Reading reading) {
    this.clock = new StreetTime(clockVersion() + 1, reading);
    notifyAll();
  }

  private long clockVersion() {
    return clock == null ? -1 : clock.version();
  }

  private StreetTime newClock(long seen) {
    return clockVersion() == seen ? null : clock;
  }

  private long violationsVersion() {
    return violations == null ? -1 : violations.version();
  }

  /** This start's random part of every event id. */
  public String epoch() {
    return epoch;
  }

  public String eventId(long seq) {
    return epoch + "-" + seq;
  }

  /** The sequence number in {@code lastEventId} if it is one of this start's ids, else -1. */
  public long parse(String lastEventId) {
    if (lastEventId == null) {
      return -1;
    }
    String id = lastEventId.strip();
    int dash = id.lastIndexOf('-');
    if (dash <= 0 || !id.substring(0, dash).equals(epoch)) {
      return -1;
    }
    try {
      long n = Long.parseLong(id.substring(dash + 1));
      return n < 0 ? -1 : n;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  public synchronized long seq() {
    return seq;
  }

  public synchronized Snapshot snapshot(Predicate<WorkOrder> filter) {
    List<WorkOrder> out = new ArrayList<>();
    for (WorkOrder order : current.values()) {
      if (filter.test(order)) {
        out.add(order);
      }
    }
    return new Snapshot(seq, out);
  }

  /**
   * Waits up to {@code timeoutMillis} for a change after {@code after} and returns what the client
   * needs next: the changes after it (empty on timeout), or a snapshot when {@code after} is -1,
   * ahead of this feed, or older than the changes still kept. Returns null once closed.
   */
  public synchronized Next next(
      long after, Predicate<WorkOrder> filter, long timeoutMillis, long devicesSeen)
      throws InterruptedException {
    return next(after, filter, timeoutMillis, devicesSeen, violationsVersion());
  }

  /**
   * As {@link #next(long, Predicate, long, long)}, and the standing violations when they are newer
   * than the client's {@code violationsSeen} version.
   */
  public synchronized Next next(
      long after,
      Predicate<WorkOrder> filter,
      long timeoutMillis,
      long devicesSeen,
      long violationsSeen)
      throws InterruptedException {
    return next(after, filter, timeoutMillis, devicesSeen, violationsSeen, clockVersion());
  }

  /**
   * As {@link #next(long, Predicate, long, long, long)}, and the street clock when it is newer than
   * the client's {@code clockSeen} version.
   */
  public synchronized Next next(
      long after,
      Predicate<WorkOrder> filter,
      long timeoutMillis,
      long devicesSeen,
      long violationsSeen,
      long clockSeen)
      throws InterruptedException {
    Objects.requireNonNull(filter, "filter");
    if (closed) {
      return null;
    }
    long oldestKept = recent.isEmpty() ? seq + 1 : recent.peekFirst().seq();
    if (after < 0 || after > seq || after + 1 < oldestKept) {
      Snapshot s = snapshot(filter);
      return new Next(
          s,
          List.of(),
          s.seq(),
          newDevices(devicesSeen),
          newViolations(violationsSeen),
          newClock(clockSeen));
    }
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (seq == after
        && devicesVersion() == devicesSeen
        && violationsVersion() == violationsSeen
        && clockVersion() == clockSeen
        && !closed) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        return new Next(null, List.of(), seq, null, null, null);
      }
      wait(left);
    }
    if (closed) {
      return null;
    }
    if (seq == after) {
      return new Next(
          null,
          List.of(),
          seq,
          newDevices(devicesSeen),
          newViolations(violationsSeen),
          newClock(clockSeen));
    }
    oldestKept = recent.peekFirst().seq();
    if (after + 1 < oldestKept) {
      Snapshot s = snapshot(filter);
      return new Next(
          s,
          List.of(),
          s.seq(),
          newDevices(devicesSeen),
          newViolations(violationsSeen),
          newClock(clockSeen));
    }
    // The deque is in seq order: walk back from the newest to the client's position.
    List<Change> out = new ArrayList<>();
    for (java.util.Iterator<Change> it = recent.descendingIterator(); it.hasNext(); ) {
      Change c = it.next();
      if (c.seq() <= after) {
        break;
      }
      out.add(c);
    }
    java.util.Collections.reverse(out);
    return new Next(
        null,
        out,
        seq,
        newDevices(devicesSeen),
        newViolations(violationsSeen),
        newClock(clockSeen));
  }

  private ViolationStanding.Snapshot newViolations(long seen) {
    return violationsVersion() == seen ? null : violations;
  }

  private DeviceHealth.Snapshot newDevices(long seen) {
    return devicesVersion() == seen ? null : devices;
  }

  /** Wakes every waiting client; they end their streams. */
  public synchronized void close() {
    closed = true;
    notifyAll();
  }
}

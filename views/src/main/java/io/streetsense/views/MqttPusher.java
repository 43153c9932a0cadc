package io.streetsense.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.schemas.WorkOrder;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pushes each order that reaches its team ({@link PushPolicy}) to {@code teams/{teamId}/workorders}
 * at QoS 1, in the order the view saw the changes.
 *
 * <p><b>At least once.</b> A push is retried (with backoff, while the broker is down) until the
 * broker acknowledges it. A crash between the acknowledgement and saving the marker pushes it again
 * after the restart, so a team app may see a push twice: it drops the second by {@code
 * idempotency_key} (order id, status and history length).
 *
 * <p><b>No flood on restart.</b> The view rebuilds itself by reading the whole topic on every
 * start, which would re-push every dispatched order. The pusher therefore keeps a marker ({@link
 * PushOffsets}): per partition, the offset below which every push was acknowledged. After a
 * restart, records below the marker only rebuild the view; transitions above it (those that
 * happened while the service was down, or were not yet acknowledged) are pushed. On the very first
 * start (no marker) the marker is the end of the topic: orders dispatched before the service ever
 * ran are not pushed (the team API lists them).
 */
public final class MqttPusher implements WorkOrderView.Listener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MqttPusher.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long SAVE_EVERY_MS = 1000;
  private static final long MAX_BACKOFF_MS = 30_000;

  private record Item(int partition, long offset, String topic, byte[] payload, String key) {}

  private final PushTransport transport;
  private final PushOffsets store;
  private final String kafkaTopic;
  private final LinkedBlockingQueue<Item> queue = new LinkedBlockingQueue<>();
  private final Object lock = new Object();
  // All guarded by lock.
  private final Map<Integer, Long> skipBelow = new HashMap<>();
  private final Map<Integer, Long> seen = new HashMap<>();
  private final Map<Integer, TreeSet<Long>> pending = new HashMap<>();
  private Map<Integer, Long> lastSaved = Map.of();
  private final Map<Integer, Long> loaded;

  private final AtomicLong pushed = new AtomicLong();
  private final AtomicLong retries = new AtomicLong();
  private final Thread thread;
  private volatile boolean closed;

  /**
   * @param kafkaTopic the work-order topic, stored with the marker so that a marker of another
   *     topic (or prefix) is not used
   */
  public MqttPusher(PushTransport transport, PushOffsets store, String kafkaTopic) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.store = Objects.requireNonNull(store, "store");
    this.kafkaTopic = Objects.requireNonNull(kafkaTopic, "kafkaTopic");
    this.loaded = store.load(kafkaTopic).orElse(null);
    this.thread = new Thread(this::run, "workorder-push");
    this.thread.setDaemon(true);
    this.thread.start();
  }

  @Override
  public void onAssigned(Map<Integer, Long> endOffsets) {
    synchronized (lock) {
      for (Map.Entry<Integer, Long> e : endOffsets.entrySet()) {
        long end = e.getValue();
        Long marker = loaded == null ? null : loaded.get(e.getKey());
        if (marker == null || marker > end) {
          if (marker != null) {
            LOG.warn(
                "push marker {} of {}-{} is beyond the topic's end {}: topic recreated? pushing"
                    + " from its end",
                marker,
                kafkaTopic,
                e.getKey(),
                end);
          }
          // First start (or a partition new to the marker): don't push the past.
          skipBelow.put(e.getKey(), loaded == null ? end : (marker == null ? 0L : end));
        } else {
          skipBelow.put(e.getKey(), marker);
        }
      }
      LOG.info(
          "MQTT push resumes above offsets {} of {} ({})",
          new TreeMap<>(skipBelow),
          kafkaTopic,
          loaded == null ? "first start: nothing from before is pushed" : "marker " + store.file());
    }
  }

  @Override
  public void onRecord(int partition, long offset, WorkOrder previous, WorkOrder current) {
    synchronized (lock) {
      seen.merge(partition, offset + 1, Math::max);
      if (offset < skipBelow.getOrDefault(partition, 0L)) {
        return;
      }
      if (!PushPolicy.shouldPush(previous, current)) {
        return;
      }
      if (!PushPolicy.isSafeTopicLevel(current.getTeamId())) {
        LOG.error(
            "not pushing {}: team id '{}' cannot be an MQTT topic level",
            current.getId(),
            current.getTeamId());
        return;
      }
      byte[] payload;
      try {
        payload = JSON.writeValueAsBytes(PushPolicy.payload(current));
      } catch (JsonProcessingException e) {
        throw new IllegalStateException("cannot render " + current.getId(), e);
      }
      pending.computeIfAbsent(partition, p -> new TreeSet<>()).add(offset);
      queue.add(
          new Item(
              partition,
              offset,
              PushPolicy.topic(current.getTeamId()),
              payload,
              PushPolicy.idempotencyKey(current)));
    }
  }

  private void run() {
    long lastSave = System.currentTimeMillis();
    while (!closed) {
      try {
        Item item = queue.poll(200, TimeUnit.MILLISECONDS);
        if (item != null) {
          deliver(item);
        }
        if (System.currentTimeMillis() - lastSave >= SAVE_EVERY_MS) {
          lastSave = System.currentTimeMillis();
          saveMarker();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("MQTT push loop: {}", e.toString(), e);
      }
    }
  }

  private void deliver(Item item) throws InterruptedException {
    long backoff = 250;
    boolean outage = false;
    while (!closed) {
      try {
        transport.publish(item.topic, item.payload);
        pushed.incrementAndGet();
        if (outage) {
          LOG.info("MQTT push works again ({} delivered to {})", item.key, item.topic);
        }
        synchronized (lock) {
          TreeSet<Long> offsets = pending.get(item.partition);
          if (offsets != null) {
            offsets.remove(item.offset);
          }
        }
        return;
      } catch (Exception e) {
        retries.incrementAndGet();
        if (!outage) {
          // Logged once per outage, not once per retry.
          LOG.warn(
              "MQTT push of {} to {} failed, retrying: {}", item.key, item.topic, e.toString());
          outage = true;
        }
        Thread.sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** The marker now: per partition, the lowest offset whose push is not yet acknowledged. */
  public Map<Integer, Long> marker() {
    synchronized (lock) {
      Map<Integer, Long> marker = new TreeMap<>();
      for (Map.Entry<Integer, Long> e : skipBelow.entrySet()) {
        int p = e.getKey();
        TreeSet<Long> offsets = pending.get(p);
        long value =
            offsets == null || offsets.isEmpty()
                ? Math.max(e.getValue(), seen.getOrDefault(p, 0L))
                : offsets.first();
        marker.put(p, value);
      }
      return marker;
    }
  }

  private void saveMarker() {
    Map<Integer, Long> marker = marker();
    if (marker.isEmpty() || marker.equals(lastSaved)) {
      return;
    }
    store.save(kafkaTopic, marker);
    lastSaved = marker;
  }

  /** Pushes acknowledged by the broker since start. */
  public long pushed() {
    return pushed.get();
  }

  /** Pushes waiting (or being retried). */
  public int backlog() {
    return queue.size();
  }

  public long retries() {
    return retries.get();
  }

  /** Stops pushing; what is not yet acknowledged is pushed after the next start. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    thread.interrupt();
    try {
      thread.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      saveMarker();
    } finally {
      transport.close();
    }
  }
}

package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.StreetScenario;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The load generator, run in its own JVM by {@link LoadTest}: plays a {@link CityScenario} over
 * MQTT 3.1.1 at QoS 1, open loop, at the rate the controlling process asks for.
 *
 * <p>The city's messages are played in event-time order and each is published at its intended time
 * from the {@link TimeMap}: a rate of R msgs/s runs the city's event time R / (its natural rate)
 * times as fast as the wall clock. A worker that falls behind sends at once and the latency is
 * still counted from the intended time. The payloads are the simulator's bytes as they are: the
 * event time in {@code ts} is what the measurement maps back to the intended publish time.
 *
 * <p>Blocks are split over {@code --connections} workers, each with its own MQTT connection, thread
 * and window of unacknowledged publishes.
 *
 * <p>Protocol: commands on stdin, one a line: {@code rate <msgs/s>}, {@code hold}, {@code backlog
 * <event ms>}, {@code stop}. Reports on stdout as {@code @@ <json>} lines: {@code ready} (natural
 * rate), {@code segment} (each change of the time map), {@code status} (every second: counters and
 * the second's latency histograms), {@code stopped}. Anything else on stdout is log.
 */
public final class LoadGenerator {
  private final BlockMaps maps;
  private final CityScenario city;
  private final String serverUri;
  private final int connections;
  private final int window;
  private final String clientPrefix;
  private final boolean rawClient;
  private final long eventStartMs;
  private final long anchorNanos = System.nanoTime();
  private final long anchorEpochMs = System.currentTimeMillis();
  private volatile TimeMap map;
  private final Object mapLock = new Object();
  private double naturalRate;
  private final List<Worker> workers = new ArrayList<>();
  private final Recorder sendDelay = new Recorder(3_600_000_000L, 3);
  private final Recorder ackLatency = new Recorder(3_600_000_000L, 3);
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong acked = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private final AtomicReference<Throwable> failure = new AtomicReference<>();
  private volatile boolean stopping;
  private volatile boolean budgetExhausted;

  /**
   * How far event time may run ahead of the wall clock: the contract rejects timestamps more than 5
   * min in the future.
   */
  static final long MAX_LEAD_MS = 270_000;

  private LoadGenerator(Args a) {
    this.maps = BlockMapLoader.loadDirectory(a.blockmaps);
    this.eventStartMs = a.eventStartMs;
    this.city =
        CityScenario.build(
            maps,
            a.seed,
            Instant.ofEpochMilli(a.eventStartMs),
            Duration.ofMinutes(a.spanMinutes),
            CityScenario.Mix.parse(a.mix),
            CityScenario.Street.valueOf(a.street.toUpperCase(Locale.ROOT)));
    this.serverUri = a.mqtt;
    this.connections = a.connections;
    this.window = a.window;
    this.clientPrefix = a.clientPrefix;
    this.rawClient = !"paho".equals(a.client);
    this.map = TimeMap.holdingAt(a.eventStartMs, nowMs());
  }

  /** Command-line arguments, all required: {@code --name value}. */
  static final class Args {
    Path blockmaps;
    String mqtt;
    long seed = 1;
    long eventStartMs;
    long spanMinutes = 24 * 60;
    String mix = CityScenario.Mix.DEFAULT.toString();
    String street = "day";
    int connections = 2;
    int window = 1000;
    String clientPrefix = "loadgen";
    String client = "raw";
    int sampleSeconds = 120;

    static Args parse(String[] argv) {
      Args a = new Args();
      for (int i = 0; i < argv.length; i += 2) {
        String v = argv[i + 1];
        switch (argv[i]) {
          case "--blockmaps" -> a.blockmaps = Path.of(v);
          case "--mqtt" -> a.mqtt = v;
          case "--seed" -> a.seed = Long.parseLong(v);
          case "--event-start-ms" -> a.eventStartMs = Long.parseLong(v);
          case "--span-minutes" -> a.spanMinutes = Long.parseLong(v);
          case "--mix" -> a.mix = v;
          case "--street" -> a.street = v;
          case "--connections" -> a.connections = Integer.parseInt(v);
          case "--window" -> a.window = Integer.parseInt(v);
          case "--client-prefix" -> a.clientPrefix = v;
          case "--client" -> a.client = v;
          case "--sample-seconds" -> a.sampleSeconds = Integer.parseInt(v);
          default -> throw new IllegalArgumentException("unknown argument " + argv[i]);
        }
      }
      if (a.blockmaps == null || a.mqtt == null || a.eventStartMs == 0) {
        throw new IllegalArgumentException("--blockmaps, --mqtt and --event-start-ms are required");
      }
      return a;
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args = Args.parse(argv);
    LoadGenerator g = new LoadGenerator(args);
    try {
      g.run(args.sampleSeconds);
    } catch (Throwable t) {
      t.printStackTrace(System.out);
      ChildProtocol.emit(ChildProtocol.message("failed").put("error", t.toString()));
      System.exit(1);
    }
    System.exit(0);
  }

  private double nowMs() {
    return anchorEpochMs + (System.nanoTime() - anchorNanos) / 1e6;
  }

  private void run(int sampleSeconds) throws Exception {
    long[] sample = naturalRate(sampleSeconds);
    naturalRate = sample[0] / (double) sampleSeconds;
    for (int w = 0; w < connections; w++) {
      List<StreetScenario> mine = new ArrayList<>();
      for (int b = w; b < city.scenarios().size(); b += connections) {
        mine.add(city.scenarios().get(b));
      }
      if (!mine.isEmpty()) {
        workers.add(new Worker(w, mine));
      }
    }
    for (Worker w : workers) {
      w.connect();
    }
    ObjectNode ready = ChildProtocol.message("ready");
    ready.put("naturalRate", naturalRate);
    ready.put("meanPayloadBytes", sample[0] == 0 ? 0 : sample[1] / (double) sample[0]);
    ready.put("sampleSeconds", sampleSeconds);
    ready.put("eventStartMs", eventStartMs);
    ready.put("workers", workers.size());
    ready.put("pid", ProcessHandle.current().pid());
    ObjectNode scripted = ready.putObject("scripted");
    city.scriptedCounts().forEach(scripted::put);
    ChildProtocol.emit(ready);
    emitSegment(map.last());
    for (Worker w : workers) {
      w.thread.start();
    }
    Thread status = new Thread(this::statusLoop, "loadgen-status");
    status.setDaemon(true);
    status.start();
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line;
    while ((line = in.readLine()) != null) {
      String[] cmd = line.trim().split("\\s+");
      if (cmd[0].isEmpty()) {
        continue;
      }
      switch (cmd[0]) {
        case "rate" -> {
          double rate = Double.parseDouble(cmd[1]);
          change(m -> m.with(TimeMap.Kind.RATE, nowMs(), rate / naturalRate));
        }
        case "hold" -> change(m -> m.with(TimeMap.Kind.HOLD, nowMs(), 0));
        case "backlog" -> {
          long span = Long.parseLong(cmd[1]);
          change(
              m -> {
                TimeMap held =
                    m.last().kind() == TimeMap.Kind.HOLD
                        ? m
                        : m.with(TimeMap.Kind.HOLD, nowMs(), 0);
                return held.withBacklog(nowMs(), span);
              });
        }
        case "stop" -> {
          stop();
          ChildProtocol.emit(status("stopped"));
          return;
        }
        default -> System.out.println("unknown command: " + line);
      }
    }
    stop();
  }

  private interface Change {
    TimeMap apply(TimeMap m);
  }

  private void change(Change c) {
    synchronized (mapLock) {
      TimeMap before = map;
      TimeMap after = c.apply(before);
      map = after;
      for (int i = firstNew(before, after); i < after.segments().size(); i++) {
        emitSegment(after.segments().get(i));
      }
      mapLock.notifyAll();
    }
  }

  /** Index of the first segment of {@code after} that {@code before} does not have. */
  private static int firstNew(TimeMap before, TimeMap after) {
    int i = 0;
    while (i < before.segments().size()
        && i < after.segments().size()
        && before.segments().get(i).equals(after.segments().get(i))) {
      i++;
    }
    return i;
  }

  private void emitSegment(TimeMap.Segment s) {
    ObjectNode m = ChildProtocol.message("segment");
    m.put("kind", s.kind().name());
    m.put("eventStartMs", s.eventStartMs());
    m.put("wallStartMs", s.wallStartMs());
    m.put("speed", s.speed());
    ChildProtocol.emit(m);
  }

  private void stop() throws InterruptedException {
    stopping = true;
    synchronized (mapLock) {
      mapLock.notifyAll();
    }
    for (Worker w : workers) {
      w.thread.join(10_000);
    }
    for (Worker w : workers) {
      w.awaitAcks(Duration.ofSeconds(30));
      w.close();
    }
  }

  /** Messages and payload bytes in the first {@code seconds} of event time. */
  private long[] naturalRate(int seconds) {
    long end = eventStartMs + seconds * 1000L;
    long count = 0;
    long bytes = 0;
    Iterator<DeviceMessage> it = StreetScenario.merge(city.scenarios());
    while (it.hasNext()) {
      DeviceMessage m = it.next();
      if (m.eventTime().toEpochMilli() >= end) {
        break;
      }
      count++;
      bytes += m.payload().length;
    }
    return new long[] {count, bytes};
  }

  private void statusLoop() {
    Histogram delayInterval = null;
    Histogram ackInterval = null;
    long next = System.nanoTime();
    while (!stopping) {
      next += 1_000_000_000L;
      LockSupport.parkNanos(next - System.nanoTime());
      delayInterval = sendDelay.getIntervalHistogram(delayInterval);
      ackInterval = ackLatency.getIntervalHistogram(ackInterval);
      ObjectNode s = status("status");
      s.put("sendDelayHist", ChildProtocol.encode(delayInterval));
      s.put("ackHist", ChildProtocol.encode(ackInterval));
      ChildProtocol.emit(s);
    }
  }

  private ObjectNode status(String type) {
    ObjectNode s = ChildProtocol.message(type);
    s.put("wallMs", nowMs());
    s.put("sent", sent.get());
    s.put("acked", acked.get());
    s.put("failed", failed.get());
    long eventSent = Long.MAX_VALUE;
    double behind = 0;
    double now = nowMs();
    for (Worker w : workers) {
      eventSent = Math.min(eventSent, w.lastEventMs);
      double due = w.headIntendedMs;
      if (!Double.isInfinite(due) && !Double.isNaN(due) && due < now) {
        behind = Math.max(behind, now - due);
      }
    }
    s.put("eventSentMs", eventSent == Long.MAX_VALUE ? eventStartMs : eventSent);
    s.put("behindMs", behind);
    s.put("heapUsed", ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    s.put("budgetExhausted", budgetExhausted);
    Throwable f = failure.get();
    if (f != null) {
      s.put("error", f.toString());
    }
    return s;
  }

  /** One MQTT connection playing its share of the blocks. */
  private final class Worker {
    final int index;
    final Iterator<DeviceMessage> messages;
    final Thread thread;
    final Semaphore slots = new Semaphore(window);
    final java.util.Map<String, byte[]> topics = new java.util.HashMap<>();
    MqttAsyncClient client;
    RawMqttPublisher raw;
    long unflushedSince;
    volatile long lastEventMs;
    volatile double headIntendedMs = Double.NaN;

    Worker(int index, List<StreetScenario> scenarios) {
      this.index = index;
      this.messages = StreetScenario.merge(scenarios);
      this.lastEventMs = eventStartMs;
      this.thread = new Thread(this::play, "loadgen-worker-" + index);
      thread.setDaemon(true);
    }

    void connect() throws MqttException, java.io.IOException {
      if (rawClient) {
        raw =
            new RawMqttPublisher(
                serverUri,
                clientPrefix + "-" + index,
                window,
                intended -> {
                  acked.incrementAndGet();
                  if (!Double.isNaN(intended)) {
                    ackLatency.recordValue(micros(nowMs() - intended));
                  }
                });
        return;
      }
      MqttConnectOptions o = new MqttConnectOptions();
      o.setCleanSession(true);
      o.setMaxInflight(window);
      o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
      o.setKeepAliveInterval(60);
      o.setConnectionTimeout(10);
      o.setAutomaticReconnect(false);
      client = new MqttAsyncClient(serverUri, clientPrefix + "-" + index, new MemoryPersistence());
      client.connect(o).waitForCompletion(15_000);
    }

    private final class Ack implements IMqttActionListener {
      final double intendedMs;

      Ack(double intendedMs) {
        this.intendedMs = intendedMs;
      }

      @Override
      public void onSuccess(IMqttToken token) {
        acked.incrementAndGet();
        if (!Double.isNaN(intendedMs)) {
          ackLatency.recordValue(micros(nowMs() - intendedMs));
        }
        slots.release();
      }

      @Override
      public void onFailure(IMqttToken token, Throwable error) {
        failed.incrementAndGet();
        failure.compareAndSet(null, error);
        slots.release();
      }
    }

    void play() {
      try {
        while (!stopping && messages.hasNext()) {
          DeviceMessage m = messages.next();
          long e = m.eventTime().toEpochMilli();
          double intended = awaitDue(e);
          if (stopping) {
            return;
          }
          if (raw != null) {
            double now = nowMs();
            if (!Double.isNaN(intended)) {
              sendDelay.recordValue(micros(now - intended));
            }
            byte[] topic =
                topics.computeIfAbsent(m.topic(), t -> t.getBytes(StandardCharsets.UTF_8));
            raw.publish(topic, m.payload(), intended);
            long t = System.nanoTime();
            if (unflushedSince == 0) {
              unflushedSince = t;
            } else if (t - unflushedSince > 1_000_000) {
              // Sending flat out (behind schedule): still put it on the wire every millisecond.
              raw.flush();
              unflushedSince = 0;
            }
          } else {
            if (!slots.tryAcquire(60, TimeUnit.SECONDS)) {
              throw new IllegalStateException("the broker acknowledged nothing for 60 s");
            }
            double now = nowMs();
            if (!Double.isNaN(intended)) {
              sendDelay.recordValue(micros(now - intended));
            }
            client.publish(m.topic(), m.payload(), 1, false, null, new Ack(intended));
          }
          sent.incrementAndGet();
          lastEventMs = e;
        }
      } catch (Throwable t) {
        failure.compareAndSet(null, t);
        t.printStackTrace(System.out);
      } finally {
        flushRaw();
        headIntendedMs = Double.NaN;
      }
    }

    /**
     * Waits until the message with event time {@code e} is due; its intended time, or NaN for a
     * backlog message (due at once, no intended time).
     */
    private double awaitDue(long e) throws InterruptedException {
      while (!stopping) {
        if (e > nowMs() + MAX_LEAD_MS) {
          // The bridge would reject it as from the future: the city ran out of event time.
          budgetExhausted = true;
          Thread.sleep(100);
          continue;
        }
        TimeMap m = map;
        double t = m.intendedMs(e);
        headIntendedMs = t;
        if (t == TimeMap.NOW) {
          return Double.NaN;
        }
        if (t == TimeMap.WAIT) {
          flushRaw();
          synchronized (mapLock) {
            if (map == m && !stopping) {
              mapLock.wait(100);
            }
          }
          continue;
        }
        double wait = t - nowMs();
        if (wait <= 0) {
          return t;
        }
        flushRaw();
        // Short naps so that a new rate is picked up at once.
        LockSupport.parkNanos((long) (Math.min(wait, 2.0) * 1e6));
      }
      return Double.NaN;
    }

    private void flushRaw() {
      if (raw != null && unflushedSince != 0) {
        try {
          raw.flush();
        } catch (java.io.IOException e) {
          failure.compareAndSet(null, e);
        }
        unflushedSince = 0;
      }
    }

    void awaitAcks(Duration timeout) throws InterruptedException {
      if (raw != null) {
        try {
          raw.awaitAcks(timeout.toMillis());
        } catch (java.io.IOException e) {
          failure.compareAndSet(null, e);
        }
        return;
      }
      if (slots.tryAcquire(window, timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        slots.release(window);
      }
    }

    void close() {
      if (raw != null) {
        raw.close();
        return;
      }
      try {
        if (client.isConnected()) {
          client.disconnect(5_000).waitForCompletion(10_000);
        }
        client.close();
      } catch (MqttException e) {
        System.out.println("closing worker " + index + ": " + e);
      }
    }
  }

  private static long micros(double ms) {
    return Math.max(0, Math.min(3_600_000_000L, Math.round(ms * 1000)));
  }
}

package io.streetsense.simulator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Plays a time-ordered message stream into a {@link MessageSink} on a {@link SimulatedClock}: each
 * message is released when simulated time passes its event time, so a street runs {@code speed}
 * times faster than real life (or as fast as the sink takes it at speed 0).
 *
 * <pre>{@code
 * SimulatedClock clock = SimulatedClock.endingNow(Duration.ofMinutes(30), 60);
 * StreetScenario scenario = Scenarios.demo(block).startingAt(clock.simStart());
 * try (StreetSimulator sim = StreetSimulator.overMqtt("tcp://127.0.0.1:1883", clock)) {
 *   StreetSimulator.Result result =
 *       sim.run(scenario.iterator(), (sent, simTime) -> System.out.println(sent + " " + simTime));
 * }
 * }</pre>
 *
 * <p>The clock is anchored when {@link #run} begins: the first message due at the simulated start
 * goes out at once, the others follow at the clock's speed.
 *
 * <p>{@link #close()} may be called from another thread (a shutdown hook on Ctrl-C): the run stops
 * after the message it is sending, waits briefly for deliveries, and the sink is closed.
 */
public final class StreetSimulator implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(StreetSimulator.class);

  /** How long a finished run waits for the last deliveries. */
  private static final Duration FLUSH_TIMEOUT = Duration.ofSeconds(60);

  /** Longest single sleep of the pacing loop, so {@link #close()} is noticed quickly. */
  private static final long MAX_SLEEP_MILLIS = 50;

  /** Called now and then while a run goes on, and once at its end. */
  @FunctionalInterface
  public interface Progress {
    /**
     * @param sent messages sent so far
     * @param simTime event time of the last message sent
     */
    void onProgress(long sent, Instant simTime);
  }

  /**
   * What a run did.
   *
   * @param sent messages handed to the sink
   * @param delivered messages the sink confirmed
   * @param lastEventTime event time of the last message sent, or {@code null} if none was
   * @param wallTime how long the run took
   * @param stopped whether {@link #close()} cut it short
   */
  public record Result(
      long sent, long delivered, Instant lastEventTime, Duration wallTime, boolean stopped) {}

  private final MessageSink sink;
  private final SimulatedClock clock;
  private final Clock wall;
  private final Duration progressEvery;
  private final CountDownLatch runDone = new CountDownLatch(1);
  private volatile boolean stopping;
  private volatile boolean running;
  private volatile boolean closed;

  /**
   * @param sink where messages go; closed by {@link #close()}
   * @param clock when messages are due
   * @param wall the wall clock the simulated clock is anchored to
   * @param progressEvery wall time between progress calls
   */
  public StreetSimulator(
      MessageSink sink, SimulatedClock clock, Clock wall, Duration progressEvery) {
    this.sink = Objects.requireNonNull(sink, "sink");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.wall = Objects.requireNonNull(wall, "wall");
    this.progressEvery = Objects.requireNonNull(progressEvery, "progressEvery");
  }

  /** A simulator publishing to the MQTT broker at {@code serverUri}, progress every second. */
  public static StreetSimulator overMqtt(String serverUri, SimulatedClock clock)
      throws MqttException {
    return new StreetSimulator(
        MqttPublisher.connect(serverUri, null, MqttPublisher.DEFAULT_MAX_INFLIGHT),
        clock,
        Clock.systemUTC(),
        Duration.ofSeconds(1));
  }

  public SimulatedClock clock() {
    return clock;
  }

  /**
   * Sends every message when it is due, then waits (up to 60 s) for the sink to confirm delivery.
   * One run per simulator.
   *
   * @throws IllegalStateException when the sink fails, or a run already happened
   */
  public Result run(Iterator<DeviceMessage> messages, Progress progress)
      throws InterruptedException {
    Objects.requireNonNull(messages, "messages");
    Objects.requireNonNull(progress, "progress");
    synchronized (this) {
      if (running || closed || runDone.getCount() == 0) {
        throw new IllegalStateException("a simulator runs once");
      }
      running = true;
    }
    Instant began = wall.instant();
    // Pace from now: see SimulatedClock.anchoredAt.
    SimulatedClock pacing = clock.anchoredAt(began);
    long sent = 0;
    Instant last = null;
    long nextProgress = System.nanoTime() + progressEvery.toNanos();
    try {
      while (!stopping && messages.hasNext()) {
        DeviceMessage message = messages.next();
        if (!awaitDue(pacing, message.eventTime())) {
          break;
        }
        sink.send(message);
        sent++;
        last = message.eventTime();
        if (System.nanoTime() - nextProgress >= 0) {
          progress.onProgress(sent, last);
          nextProgress = System.nanoTime() + progressEvery.toNanos();
        }
      }
      if (!stopping && !sink.flush(FLUSH_TIMEOUT)) {
        LOG.warn(
            "{} of {} messages not confirmed after {}",
            sent - sink.delivered(),
            sent,
            FLUSH_TIMEOUT);
      }
      progress.onProgress(sent, last);
      return new Result(
          sent, sink.delivered(), last, Duration.between(began, wall.instant()), stopping);
    } finally {
      runDone.countDown();
    }
  }

  /** Sleeps until {@code eventTime} is due on {@code clock}; false when stopped meanwhile. */
  private boolean awaitDue(SimulatedClock clock, Instant eventTime) throws InterruptedException {
    if (clock.asFastAsPossible()) {
      return !stopping;
    }
    Instant due = clock.wallTimeOf(eventTime);
    while (!stopping) {
      long waitMillis = Duration.between(wall.instant(), due).toMillis();
      if (waitMillis <= 0) {
        return true;
      }
      Thread.sleep(Math.min(waitMillis, MAX_SLEEP_MILLIS));
    }
    return false;
  }

  /**
   * Stops a run in progress (it returns with {@code stopped}), waits up to 5 s for it to end, then
   * closes the sink. Idempotent; safe from a shutdown hook.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    stopping = true;
    if (running) {
      try {
        if (!runDone.await(5, TimeUnit.SECONDS)) {
          LOG.warn("The run did not stop within 5 s; closing the sink under it");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    sink.close();
  }
}

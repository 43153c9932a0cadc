package io.streetsense.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StreetSimulatorTest {
  private static StreetScenario minutes(int minutes, Instant start) {
    return StreetScenario.builder(TestMaps.jiashan())
        .start(start)
        .duration(Duration.ofMinutes(minutes))
        .build();
  }

  @Test
  void asFastAsPossibleSendsEveryMessageInOrder() throws Exception {
    SimulatedClock clock = SimulatedClock.endingNow(Duration.ofMinutes(5), 0);
    StreetScenario s = minutes(5, clock.simStart());
    ListSink sink = new ListSink();
    AtomicLong lastProgress = new AtomicLong();
    StreetSimulator.Result result;
    try (StreetSimulator sim =
        new StreetSimulator(sink, clock, Clock.systemUTC(), Duration.ofMillis(1))) {
      result = sim.run(s.iterator(), (sent, simTime) -> lastProgress.set(sent));
    }
    List<DeviceMessage> expected = s.messages().toList();
    assertEquals(expected, sink.messages);
    assertEquals(expected.size(), result.sent());
    assertEquals(expected.size(), result.delivered());
    assertEquals(expected.size(), lastProgress.get());
    assertFalse(result.stopped());
    assertTrue(sink.closed);
    // Ending now: nothing in the future.
    assertFalse(result.lastEventTime().isAfter(Instant.now()));
  }

  @Test
  void messagesAreReleasedWhenSimulatedTimePassesThem() throws Exception {
    // 1 simulated minute at 300x takes 200 ms of wall time.
    SimulatedClock clock = SimulatedClock.startingAt(Instant.EPOCH, 300, Clock.systemUTC());
    StreetScenario s = minutes(1, Instant.EPOCH);
    ListSink sink = new ListSink();
    long began = System.nanoTime();
    try (StreetSimulator sim =
        new StreetSimulator(sink, clock, Clock.systemUTC(), Duration.ofSeconds(1))) {
      sim.run(s.iterator(), (sent, simTime) -> {});
    }
    long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
    assertTrue(tookMillis >= 180, "took " + tookMillis + " ms");
    assertEquals(s.messages().count(), sink.messages.size());
  }

  @Test
  void closeStopsARunInProgress() throws Exception {
    // An hour at real speed: only close() can end it.
    SimulatedClock clock = SimulatedClock.startingAt(Instant.EPOCH, 1, Clock.systemUTC());
    StreetScenario s = minutes(60, Instant.EPOCH);
    ListSink sink = new ListSink();
    StreetSimulator sim =
        new StreetSimulator(sink, clock, Clock.systemUTC(), Duration.ofSeconds(1));
    CompletableFuture<StreetSimulator.Result> run =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return sim.run(s.iterator(), (sent, simTime) -> {});
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(300);
    sim.close();
    StreetSimulator.Result result = run.get(5, TimeUnit.SECONDS);
    assertTrue(result.stopped());
    assertTrue(result.sent() < 10, result.sent() + " sent in 0.3 s of simulated time");
    assertTrue(sink.closed);
  }
}

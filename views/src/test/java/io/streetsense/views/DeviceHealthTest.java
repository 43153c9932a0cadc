package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.testing.RepositoryBlockMaps;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Device health judged on the street's clock, without Kafka: messages in, snapshots out. */
class DeviceHealthTest {
  static final Instant WALL = Instant.parse("2026-12-06T06:00:00Z");
  static final Duration LIMIT = Duration.ofSeconds(60);

  final MutableClock wall = new MutableClock(WALL);
  final StreetClock street = new StreetClock(wall);
  final List<DeviceHealth.Snapshot> published = new ArrayList<>();
  final List<StreetClock.Reading> clocks = new ArrayList<>();
  BlockMap lane;
  DeviceHealth health;

  @BeforeEach
  void lane() throws Exception {
    lane = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    health =
        new DeviceHealth(
            BlockMaps.of(lane),
            new DeviceHealth.Settings(LIMIT, Duration.ofMinutes(30), 3.3),
            street,
            published::add,
            clocks::add);
  }

  /** Every camera and sensor of the lane sends a message at street time {@code at}. */
  void allSend(Instant at) {
    lane.cameras().forEach(c -> health.seen(lane.id() + "/" + c.id(), at, null));
    lane.sensors().forEach(s -> health.seen(lane.id() + "/" + s.id(), at, 3.9));
  }

  DeviceHealth.Device device(String id) {
    return health.snapshot().devices().stream()
        .filter(d -> d.id().equals(id))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void aStreetReplayedBehindTheWallClock_isOnlineWhileItSends() {
    // The demo: the street's time 30 min behind the wall clock, 20 street seconds a wall second.
    Instant t = WALL.minus(Duration.ofMinutes(30));
    for (int second = 0; second < 10; second++) {
      allSend(t.plusSeconds(20L * second));
      health.publishIfChanged();
      wall.advance(Duration.ofSeconds(1));
    }
    assertTrue(
        health.snapshot().devices().stream().allMatch(DeviceHealth.Device::online),
        "heard within the limit of the street's time, though 28 min behind the wall clock");
    assertFalse(clocks.isEmpty());
    StreetClock.Reading last = clocks.get(clocks.size() - 1);
    assertTrue(last.behind().compareTo(Duration.ofMinutes(25)) > 0, last.toString());
  }

  @Test
  void aSilentCamera_goesOfflineAfterTheLimitInStreetTime() {
    String silent = lane.cameras().get(0).id();
    Instant t = WALL.minus(Duration.ofMinutes(30));
    allSend(t);
    health.publishIfChanged();
    assertTrue(device(silent).online());
    // 20x: the others send on; 60 street seconds are 3 wall seconds.
    for (int second = 1; second <= 4; second++) {
      wall.advance(Duration.ofSeconds(1));
      Instant at = t.plusSeconds(20L * second);
      lane.cameras().stream()
          .filter(c -> !c.id().equals(silent))
          .forEach(c -> health.seen(lane.id() + "/" + c.id(), at, null));
      health.publishIfChanged();
      assertEquals(second < 4, device(silent).online(), "after " + second + " wall s");
    }
    DeviceHealth.Device d = device(silent);
    assertEquals(t, d.offlineSince(), "offline since its last frame");
    assertTrue(device(lane.cameras().get(1).id()).online());
  }

  @Test
  void aWholeNetworkOutage_turnsEveryDeviceOffline_neverAllClear() {
    health.publishIfChanged();
    assertEquals(1, clocks.size(), "the clock as the service starts");
    assertEquals(null, clocks.get(0).newest(), "no device heard yet");
    allSend(WALL.minusMillis(500)); // live
    health.publishIfChanged();
    assertEquals(2, clocks.size(), "the first device heard is sent, though the offset is 0");
    assertEquals(Duration.ZERO, clocks.get(1).behind());
    wall.advance(Duration.ofSeconds(1));
    allSend(WALL.plusMillis(500));
    health.publishIfChanged();
    assertEquals(2, clocks.size(), "a live street: nothing new to send");
    assertTrue(health.snapshot().devices().stream().anyMatch(DeviceHealth.Device::online));
    wall.advance(LIMIT.plusSeconds(1)); // nothing from anyone since
    health.publishIfChanged();
    long online =
        health.snapshot().devices().stream()
            .filter(d -> d.kind().equals("camera"))
            .filter(DeviceHealth.Device::online)
            .count();
    assertEquals(0, online, "every camera offline: the street's time runs on without them");
    assertEquals(3, clocks.size(), "the street falling silent is sent");
    StreetClock.Reading r = clocks.get(2);
    assertNotNull(r.silentFor());
    assertTrue(DeviceHealth.silent(r, LIMIT), r.toString());
    // Heard again: sent again.
    allSend(wall.instant().minusMillis(300));
    health.publishIfChanged();
    assertEquals(4, clocks.size());
    assertFalse(DeviceHealth.silent(clocks.get(3), LIMIT));
  }
}

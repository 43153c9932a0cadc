package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The street's clock against a wall clock the test moves. */
class StreetClockTest {
  static final Instant WALL = Instant.parse("2026-12-06T06:00:00Z");
  final MutableClock wall = new MutableClock(WALL);
  final StreetClock street = new StreetClock(wall);

  @Test
  void beforeAnyDevice_theWallClock() {
    StreetClock.Reading r = street.reading();
    assertEquals(WALL, r.street());
    assertEquals(Duration.ZERO, r.behind());
    assertNull(r.newest());
    assertNull(r.silentFor());
  }

  @Test
  void theFirstDeviceHeard_setsIt_alsoBack() {
    assertEquals(WALL, street.instant());
    street.observe(WALL.minus(Duration.ofMinutes(30)));
    assertEquals(WALL.minus(Duration.ofMinutes(30)), street.instant());
  }

  @Test
  void aLiveStreet_isTheWallClock() {
    street.observe(WALL.minusMillis(800)); // a frame in transit for 0.8 s
    assertEquals(WALL, street.instant());
    wall.advance(Duration.ofSeconds(3));
    street.observe(WALL.plusSeconds(2)); // 1 s in transit: still within the 10 s of a live street
    assertEquals(WALL.plusSeconds(3), street.instant());
  }

  @Test
  void aReplayBehindTheWallClock_isTheNewestDeviceTime_andRunsOnBetweenMessages() {
    // The demo: 20x, its street 30 min behind at the start.
    street.observe(WALL.minus(Duration.ofMinutes(30)));
    assertEquals(WALL.minus(Duration.ofMinutes(30)), street.instant());
    assertEquals(Duration.ofMinutes(30), street.reading().behind());
    // One wall second later the street has played 20 s; between messages the clock runs with
    // the wall clock from the last message.
    wall.advance(Duration.ofMillis(400));
    assertEquals(WALL.minus(Duration.ofMinutes(30)).plusMillis(400), street.instant());
    wall.advance(Duration.ofMillis(600));
    street.observe(WALL.minus(Duration.ofMinutes(30)).plusSeconds(20));
    StreetClock.Reading r = street.reading();
    assertEquals(WALL.minus(Duration.ofMinutes(30)).plusSeconds(20), r.street());
    assertEquals(Duration.ofMinutes(30).minusSeconds(20).plusSeconds(1), r.behind());
    // An older message (a late device) does not move it.
    street.observe(WALL.minus(Duration.ofMinutes(40)));
    assertEquals(WALL.minus(Duration.ofMinutes(30)).plusSeconds(20), street.instant());
  }

  @Test
  void aSilentStreet_keepsRunningWithTheWallClock_soDevicesGoOffline() {
    street.observe(WALL.minus(Duration.ofMinutes(10)));
    wall.advance(Duration.ofMinutes(5)); // nothing heard since
    StreetClock.Reading r = street.reading();
    assertEquals(WALL.minus(Duration.ofMinutes(5)), r.street(), "never stands still");
    assertEquals(Duration.ofMinutes(5), r.silentFor());
    assertEquals(WALL.minus(Duration.ofMinutes(10)), r.newest());
  }

  @Test
  void neverAheadOfTheWallClock_andNeverBack() {
    street.observe(WALL.plus(Duration.ofMinutes(3))); // a device clock ahead
    assertEquals(WALL, street.instant());
    assertEquals(WALL, street.reading().newest());
    // Feeds fall behind: a newer message, 2 min behind now. The clock holds, then runs on.
    wall.advance(Duration.ofMinutes(3));
    assertEquals(WALL.plus(Duration.ofMinutes(3)), street.instant(), "live: the wall clock");
    street.observe(WALL.plus(Duration.ofMinutes(1)));
    assertEquals(WALL.plus(Duration.ofMinutes(3)), street.instant(), "held, not back");
    wall.advance(Duration.ofMinutes(1));
    assertEquals(WALL.plus(Duration.ofMinutes(3)), street.instant(), "still held");
    wall.advance(Duration.ofMinutes(2));
    assertEquals(WALL.plus(Duration.ofMinutes(4)), street.instant(), "runs again, 2 min behind");
  }
}

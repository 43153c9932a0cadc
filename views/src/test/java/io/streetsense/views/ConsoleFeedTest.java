package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** The console's numbered feed: resume after a position, snapshots when it cannot, wake-ups. */
class ConsoleFeedTest {
  static final Predicate<WorkOrder> ALL = o -> true;

  static void put(ConsoleFeed feed, WorkOrder previous, WorkOrder current) {
    feed.onRecord(0, 0, previous, current);
  }

  @Test
  void resumesAfterAPosition_withNothingMissingOrTwice() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(100);
    WorkOrder a = TestOrders.dispatched("WO-1", "team-a");
    put(feed, null, a);
    ConsoleFeed.Next first = feed.next(-1, ALL, 0, -1);
    assertNotNull(first.snapshot());
    assertEquals(1, first.seq());
    assertEquals(List.of(a), first.snapshot().orders());

    List<String> written = new ArrayList<>();
    for (int i = 2; i <= 6; i++) {
      put(feed, null, TestOrders.dispatched("WO-" + i, "team-a"));
      written.add("WO-" + i);
    }
    ConsoleFeed.Next next = feed.next(first.seq(), ALL, 0, -1);
    assertNull(next.snapshot());
    List<String> got = new ArrayList<>();
    long seq = first.seq();
    for (ConsoleFeed.Change c : next.changes()) {
      assertEquals(seq + 1, c.seq(), "in order, no gap");
      seq = c.seq();
      got.add(c.id());
    }
    assertEquals(written, got);
    assertEquals(6, next.seq());
  }

  @Test
  void aPositionTooOld_orOfAnotherStart_orAhead_getsASnapshot() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(3);
    for (int i = 1; i <= 10; i++) {
      put(feed, null, TestOrders.dispatched("WO-" + i, "team-a"));
    }
    assertNotNull(feed.next(2, ALL, 0, -1).snapshot(), "changes 3.. are no longer kept");
    assertNull(feed.next(7, ALL, 0, -1).snapshot(), "8, 9, 10 are kept");
    assertEquals(3, feed.next(7, ALL, 0, -1).changes().size());
    assertNotNull(feed.next(11, ALL, 0, -1).snapshot(), "ahead: from another start");
    assertEquals(10, feed.next(2, ALL, 0, -1).snapshot().orders().size());

    assertEquals(7, feed.parse(feed.eventId(7)));
    assertEquals(-1, feed.parse("deadbeef-7"), "another start's numbering");
    assertEquals(-1, feed.parse("nonsense"));
    assertEquals(-1, feed.parse(null));
  }

  @Test
  void waitsForAChange_andWakesOnOne() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(10);
    long t0 = System.nanoTime();
    ConsoleFeed.Next quiet = feed.next(0, ALL, 200, -1);
    assertTrue(System.nanoTime() - t0 >= 150_000_000L, "waited");
    assertTrue(quiet.changes().isEmpty());

    CompletableFuture<ConsoleFeed.Next> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return feed.next(0, ALL, 10_000, -1);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    put(feed, null, TestOrders.dispatched("WO-1", "team-a"));
    ConsoleFeed.Next woke = waiting.get(2, TimeUnit.SECONDS);
    assertEquals(1, woke.changes().size());

    CompletableFuture<ConsoleFeed.Next> closing =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return feed.next(1, ALL, 10_000, -1);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    feed.close();
    assertNull(closing.get(2, TimeUnit.SECONDS), "closing ends the streams");
  }

  @Test
  void deviceHealthWakesAStream_andIsSentOnlyWhenNew() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(10);
    DeviceHealth.Snapshot devices = new DeviceHealth.Snapshot(4, Instant.now(), List.of());
    feed.devices(devices);
    ConsoleFeed.Next first = feed.next(-1, ALL, 0, -1);
    assertEquals(devices, first.devices());
    ConsoleFeed.Next quiet = feed.next(first.seq(), ALL, 50, 4);
    assertNull(quiet.devices(), "not sent again");
    DeviceHealth.Snapshot newer = new DeviceHealth.Snapshot(5, Instant.now(), List.of());
    CompletableFuture<ConsoleFeed.Next> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return feed.next(first.seq(), ALL, 10_000, 4);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    feed.devices(newer);
    ConsoleFeed.Next woke = waiting.get(2, TimeUnit.SECONDS);
    assertEquals(newer, woke.devices());
    assertTrue(woke.changes().isEmpty());
  }

  @Test
  void theStreetClockWakesAStream_andIsSentOnlyWhenNew() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(10);
    Instant wall = Instant.parse("2026-12-06T07:00:00Z");
    StreetClock.Reading behind =
        new StreetClock.Reading(wall.minusSeconds(1800), wall, wall.minusSeconds(1800), wall);
    feed.clock(behind);
    ConsoleFeed.Next first = feed.next(-1, ALL, 0, -1, -1, -1);
    assertEquals(behind, first.clock().reading(), "with the snapshot");
    long seen = first.clock().version();
    ConsoleFeed.Next quiet = feed.next(first.seq(), ALL, 50, -1, -1, seen);
    assertNull(quiet.clock(), "not sent again");
    CompletableFuture<ConsoleFeed.Next> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return feed.next(first.seq(), ALL, 10_000, -1, -1, seen);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    Thread.sleep(100);
    StreetClock.Reading later =
        new StreetClock.Reading(
            wall.minusSeconds(1780), wall.plusSeconds(1), wall.minusSeconds(1780), wall);
    feed.clock(later);
    ConsoleFeed.Next woke = waiting.get(2, TimeUnit.SECONDS);
    assertEquals(later, woke.clock().reading());
    assertTrue(woke.changes().isEmpty());
  }

  @Test
  void aTeamsSnapshotHoldsItsOrdersOnly() throws Exception {
    ConsoleFeed feed = new ConsoleFeed(10);
    put(feed, null, TestOrders.dispatched("WO-A", "team-a"));
    put(feed, null, TestOrders.dispatched("WO-B", "team-b"));
    WorkOrder closed =
        TestOrders.moved(
            TestOrders.dispatched("WO-C", "team-a"),
            WorkOrderStatus.CLOSED,
            "detector",
            null,
            null);
    put(feed, null, closed);
    List<WorkOrder> mine = feed.snapshot(ConsoleApi.visibleTo(Principal.team("team-a"))).orders();
    assertEquals(2, mine.size());
    assertTrue(mine.stream().allMatch(o -> "team-a".equals(o.getTeamId())));
    assertEquals(3, feed.snapshot(ConsoleApi.visibleTo(Principal.ops("duty"))).orders().size());
  }
}

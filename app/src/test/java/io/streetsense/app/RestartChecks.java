package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** What the restart tests (a stopped or killed pipeline started again) check of the demo stall. */
final class RestartChecks {
  private RestartChecks() {}

  /**
   * The first run: the street from its start is produced until the stall's order is dispatched (the
   * street plays on meanwhile, up to {@code halfway}); returns the dispatched order.
   */
  static WorkOrder dispatchedInFirstRun(
      CommittedOrders orders, StreetFeed feed, Instant start, Instant halfway)
      throws InterruptedException {
    feed.until(start.plus(Duration.ofMinutes(1)));
    return orders.await(
        "run 1",
        "DISPATCHED",
        Duration.ofMinutes(3),
        o -> o.getStatus() == WorkOrderStatus.DISPATCHED,
        () -> feed.advance(Duration.ofSeconds(10), halfway));
  }

  /**
   * The stall's order, dispatched before the restart, self-clears after it with the first run's
   * transitions kept: the work-order state survived. The street plays on meanwhile, up to {@code
   * end}.
   */
  static WorkOrder selfClearsAfterRestart(
      String run, CommittedOrders orders, StreetFeed feed, Instant end, WorkOrder dispatched)
      throws InterruptedException {
    WorkOrder closed =
        orders.await(
            run,
            "SELF_CLEARED",
            Duration.ofMinutes(3),
            o -> o.getStatus() == WorkOrderStatus.SELF_CLEARED,
            () -> feed.advance(Duration.ofSeconds(10), end));
    assertEquals(dispatched.getId(), closed.getId(), "the order open at the restart was closed");
    List<WorkOrderStatus> history =
        closed.getHistory().stream().map(WorkOrderTransition::getToStatus).toList();
    assertEquals(
        List.of(WorkOrderStatus.FILED, WorkOrderStatus.DISPATCHED),
        history.subList(0, 2),
        "the first run's transitions kept: " + history);
    assertEquals(WorkOrderStatus.SELF_CLEARED, history.get(history.size() - 1), "" + history);
    return closed;
  }
}

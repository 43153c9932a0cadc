package io.streetsense.views;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/** Read access to the work-order view: what the HTTP API and Open311 query. */
public interface WorkOrderReader {

  Optional<WorkOrder> get(String id);

  /** The team's current orders, restricted to {@code statuses} unless that is empty. */
  List<WorkOrder> ofTeam(String teamId, Set<WorkOrderStatus> statuses);

  /** Every order in one of {@code statuses}; all orders if it is empty. */
  List<WorkOrder> withStatus(Set<WorkOrderStatus> statuses);

  List<WorkOrder> matching(Predicate<WorkOrder> filter);

  int size();

  /**
   * Whether the view has read the work-order topic up to where it ended when the view started:
   * until then answers would be incomplete, and the HTTP API answers 503.
   */
  default boolean isCaughtUp() {
    return true;
  }
}

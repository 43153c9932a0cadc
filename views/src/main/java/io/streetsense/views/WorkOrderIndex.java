package io.streetsense.views;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Predicate;

/**
 * The latest version of every work order, indexed by id, by team and by status. Thread-safe: one
 * writer (the view's consumer) and any number of readers (HTTP threads).
 *
 * <p>The {@link WorkOrder} instances handed out are the ones decoded from Kafka and are never
 * changed after they were put here (a new version replaces the old instance); callers must not
 * mutate them either.
 */
public final class WorkOrderIndex implements WorkOrderReader {
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final Map<String, WorkOrder> byId = new HashMap<>();
  private final Map<String, Set<String>> byTeam = new HashMap<>();
  private final Map<WorkOrderStatus, Set<String>> byStatus = new EnumMap<>(WorkOrderStatus.class);

  /**
   * Stores the new version of an order and returns the previous one (null if none). A null {@code
   * order} with an id is a tombstone: the order is removed.
   */
  public WorkOrder put(String id, WorkOrder order) {
    Objects.requireNonNull(id, "id");
    lock.writeLock().lock();
    try {
      WorkOrder previous = order == null ? byId.remove(id) : byId.put(id, order);
      if (previous != null) {
        removeFrom(byTeam, previous.getTeamId(), id);
        removeFrom(byStatus, previous.getStatus(), id);
      }
      if (order != null) {
        if (order.getTeamId() != null) {
          byTeam.computeIfAbsent(order.getTeamId(), t -> new HashSet<>()).add(id);
        }
        byStatus.computeIfAbsent(order.getStatus(), s -> new HashSet<>()).add(id);
      }
      return previous;
    } finally {
      lock.writeLock().unlock();
    }
  }

  private static <K> void removeFrom(Map<K, Set<String>> index, K key, String id) {
    if (key == null) {
      return;
    }
    Set<String> ids = index.get(key);
    if (ids != null) {
      ids.remove(id);
      if (ids.isEmpty()) {
        index.remove(key);
      }
    }
  }

  @Override
  public Optional<WorkOrder> get(String id) {
    lock.readLock().lock();
    try {
      return Optional.ofNullable(byId.get(id));
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<WorkOrder> ofTeam(String teamId, Set<WorkOrderStatus> statuses) {
    Objects.requireNonNull(teamId, "teamId");
    lock.readLock().lock();
    try {
      Set<String> ids = byTeam.getOrDefault(teamId, Set.of());
      List<WorkOrder> out = new ArrayList<>();
      for (String id : ids) {
        WorkOrder order = byId.get(id);
        if (statuses.isEmpty() || statuses.contains(order.getStatus())) {
          out.add(order);
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<WorkOrder> withStatus(Set<WorkOrderStatus> statuses) {
    lock.readLock().lock();
    try {
      if (statuses.isEmpty()) {
        return new ArrayList<>(byId.values());
      }
      List<WorkOrder> out = new ArrayList<>();
      for (WorkOrderStatus status : statuses) {
        for (String id : byStatus.getOrDefault(status, Set.of())) {
          out.add(byId.get(id));
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public List<WorkOrder> matching(Predicate<WorkOrder> filter) {
    lock.readLock().lock();
    try {
      List<WorkOrder> out = new ArrayList<>();
      for (WorkOrder order : byId.values()) {
        if (filter.test(order)) {
          out.add(order);
        }
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public int size() {
    lock.readLock().lock();
    try {
      return byId.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of orders per status, for health and metrics. */
  public Map<WorkOrderStatus, Integer> countsByStatus() {
    lock.readLock().lock();
    try {
      Map<WorkOrderStatus, Integer> counts = new EnumMap<>(WorkOrderStatus.class);
      byStatus.forEach((status, ids) -> counts.put(status, ids.size()));
      return Collections.unmodifiableMap(counts);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** All orders, in no particular order. */
  public Collection<WorkOrder> all() {
    return matching(o -> true);
  }
}

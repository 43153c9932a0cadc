package io.streetsense.app;

import java.util.Locale;

/**
 * Where the running job keeps its state between checkpoints ({@code --state-backend}).
 *
 * <ul>
 *   <li>{@link #HASHMAP}: Java objects on the heap. Fastest per access; every checkpoint copies the
 *       whole state, and the heap must hold all of it. The default, and right while the state is a
 *       small part of the heap (the block-map examples, a district).
 *   <li>{@link #ROCKSDB}: serialized in an embedded RocksDB on local disk, outside the heap, with
 *       incremental checkpoints (each uploads only the files that changed since the last one).
 *       Every state access (de)serializes, which costs CPU per record; in exchange the state may be
 *       larger than the heap, and checkpoints of a large, slowly changing state stay small.
 * </ul>
 */
public enum StateBackendKind {
  HASHMAP("hashmap"),
  ROCKSDB("rocksdb");

  private final String flinkName;

  StateBackendKind(String flinkName) {
    this.flinkName = flinkName;
  }

  /** The value of Flink's {@code state.backend.type}. */
  public String flinkName() {
    return flinkName;
  }

  /** Whether checkpoints upload only what changed since the previous one. */
  public boolean incrementalCheckpoints() {
    return this == ROCKSDB;
  }

  /** Parses an option value, case-insensitively: {@code hashmap} or {@code rocksdb}. */
  public static StateBackendKind parse(String value) {
    for (StateBackendKind kind : values()) {
      if (kind.flinkName.equals(value.trim().toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "--state-backend must be hashmap or rocksdb, got '" + value + "'");
  }

  @Override
  public String toString() {
    return flinkName;
  }
}

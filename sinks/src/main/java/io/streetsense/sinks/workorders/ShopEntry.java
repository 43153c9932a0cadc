package io.streetsense.sinks.workorders;

/** One order of a shop as {@link ShopOffences} remembers it (a Flink POJO). */
public final class ShopEntry {
  public long filedAt;

  /** The repeat-offence count fixed at the order's filing. */
  public int count;

  public boolean cancelled;

  public ShopEntry() {}

  ShopEntry(long filedAt, int count) {
    this.filedAt = filedAt;
    this.count = count;
  }
}

package io.streetsense.sinks.workorders;

/** How many orders a shop has had in the repeat window, at an event time. */
public final class ShopOffenceCount {
  public String blockId;
  public String shopId;
  public long at;
  public int orders;

  public ShopOffenceCount() {}

  public ShopOffenceCount(String blockId, String shopId, long at, int orders) {
    this.blockId = blockId;
    this.shopId = shopId;
    this.at = at;
    this.orders = orders;
  }

  @Override
  public String toString() {
    return blockId + "/" + shopId + "@" + at + "=" + orders;
  }
}

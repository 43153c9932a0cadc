package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A street shop.
 *
 * @param id the shop's id
 * @param name its name as shown to teams and in Open311 addresses
 * @param category free-form category (restaurant, bar, salon …) matched by the routing table
 * @param outdoor when the shop holds a permit to trade outdoors on its frontage; empty: never
 */
public record Shop(String id, String name, String category, List<TimeWindow> outdoor)
    implements Serializable {
  public Shop {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(category, "category");
    outdoor = List.copyOf(outdoor);
  }
}

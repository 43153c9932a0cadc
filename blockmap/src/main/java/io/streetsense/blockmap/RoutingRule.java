package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Objects;
import java.util.Set;

/**
 * One line of a block's routing table: which team gets work orders of a type.
 *
 * @param type the violation type this line routes
 * @param categories shop categories this line is for; empty means any shop, and also violations
 *     that concern no shop
 * @param team id of the receiving team
 */
public record RoutingRule(ViolationType type, Set<String> categories, String team)
    implements Serializable {
  public RoutingRule {
    Objects.requireNonNull(type, "type");
    categories = Checks.orderedSet(categories, "categories");
    Objects.requireNonNull(team, "team");
  }

  /**
   * Whether this line routes a violation of {@code violation} concerning a shop of {@code
   * shopCategory} ({@code null}: no shop concerned). A line with categories matches only a shop
   * whose category is one of them.
   */
  public boolean matches(ViolationType violation, String shopCategory) {
    return type == violation
        && (categories.isEmpty() || (shopCategory != null && categories.contains(shopCategory)));
  }
}

package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A zone of a block: an area with one purpose, watched by cameras or sensed by berth sensors.
 *
 * <p>A final class rather than a record because {@link Optional} and {@link OptionalInt} are not
 * serializable: the optional shop and capacity are stored as a nullable id and an {@code int} (0 =
 * none) and handed out as optionals. Equality is by value.
 */
public final class Zone implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final ZoneKind kind;
  private final String shopId; // null: no shop concerned
  private final GeoPoint location;
  private final int capacity; // 0: not a parking zone
  private final List<String> noParking;
  private final List<String> alternatives;
  private final List<TimeWindow> schedule;
  private final Rules rules;

  /**
   * A zone. Checks its own arguments; references to other zones and shops are checked by the {@link
   * BlockMapLoader}.
   *
   * @param capacity the number of berths of a parking zone (positive); empty for other kinds
   */
  public Zone(
      String id,
      ZoneKind kind,
      Optional<String> shop,
      GeoPoint location,
      OptionalInt capacity,
      List<String> noParking,
      List<String> alternatives,
      List<TimeWindow> schedule,
      Rules rules) {
    this.id = Objects.requireNonNull(id, "id");
    this.kind = Objects.requireNonNull(kind, "kind");
    this.shopId = shop.orElse(null);
    this.location = Objects.requireNonNull(location, "location");
    this.capacity = capacity.orElse(0);
    if (capacity.isPresent() && this.capacity < 1) {
      throw new IllegalArgumentException("capacity must be at least 1, got " + this.capacity);
    }
    this.noParking = List.copyOf(noParking);
    this.alternatives = List.copyOf(alternatives);
    this.schedule = List.copyOf(schedule);
    this.rules = Objects.requireNonNull(rules, "rules");
  }

  public String id() {
    return id;
  }

  public ZoneKind kind() {
    return kind;
  }

  /** Id of the shop this zone belongs to: always present for a frontage. */
  public Optional<String> shop() {
    return Optional.ofNullable(shopId);
  }

  /** The zone's centre, reported with its work orders. */
  public GeoPoint location() {
    return location;
  }

  /** The number of berths: present for parking zones only. */
  public OptionalInt capacity() {
    return capacity == 0 ? OptionalInt.empty() : OptionalInt.of(capacity);
  }

  /** For a parking zone: ids of the no-parking zones where its overflow stands. */
  public List<String> noParking() {
    return noParking;
  }

  /** For a parking zone: ids of parking zones suggested to drivers and patrols on overflow. */
  public List<String> alternatives() {
    return alternatives;
  }

  /** For a market: when stalls are allowed. Empty for other kinds. */
  public List<TimeWindow> schedule() {
    return schedule;
  }

  /** The effective rules: the block's defaults with this zone's overrides merged in. */
  public Rules rules() {
    return rules;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Zone z
        && id.equals(z.id)
        && kind == z.kind
        && Objects.equals(shopId, z.shopId)
        && location.equals(z.location)
        && capacity == z.capacity
        && noParking.equals(z.noParking)
        && alternatives.equals(z.alternatives)
        && schedule.equals(z.schedule)
        && rules.equals(z.rules);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        id, kind, shopId, location, capacity, noParking, alternatives, schedule, rules);
  }

  @Override
  public String toString() {
    return "Zone[id="
        + id
        + ", kind="
        + kind.yamlName()
        + (shopId == null ? "" : ", shop=" + shopId)
        + (capacity == 0 ? "" : ", capacity=" + capacity)
        + ", location="
        + location
        + "]";
  }
}

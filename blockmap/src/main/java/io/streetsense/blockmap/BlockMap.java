package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One street block (街区): its shops, zones, sensors, cameras, the teams that serve it, how
 * violations are routed to them, their deadlines and the detector rules. Immutable and
 * serializable, so Flink operators can capture it.
 *
 * <p>Load it with {@link BlockMapLoader}, which validates it. Lookups by id go through maps built
 * once at construction: they are meant for per-event hot paths.
 *
 * <pre>{@code
 * BlockMap map = BlockMapLoader.load(Path.of("blockmaps/jiashan-lane.yaml"));
 * Zone zone = map.zone("JS-Z-F02").orElseThrow();
 * String category = zone.shop().flatMap(map::shop).map(Shop::category).orElse(null);
 * String team = map.routeTeam(ViolationType.OUT_OF_DOORWAY_TRADING, category).orElseThrow();
 * }</pre>
 */
public final class BlockMap implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String id;
  private final String name;
  private final String district;
  private final String subdistrict;
  private final ZoneId timezone;
  private final List<Team> teams;
  private final List<RoutingRule> routing;
  private final Map<ViolationType, Deadlines> deadlines;
  private final Rules rules;
  private final List<Shop> shops;
  private final List<Zone> zones;
  private final List<Sensor> sensors;
  private final List<Camera> cameras;
  private final String source;

  // Derived from the lists above; rebuilt rather than serialized (see readResolve).
  private final transient Map<String, Team> teamsById;
  private final transient Map<String, Shop> shopsById;
  private final transient Map<String, Zone> zonesById;
  private final transient Map<String, Sensor> sensorsById;
  private final transient Map<String, Camera> camerasById;
  private final transient Map<String, List<Sensor>> sensorsByZone;
  private final transient Map<String, List<Camera>> camerasByZone;

  /**
   * A block map from its parts. Checks that ids are unique and every violation type has deadlines;
   * the full validation (references, routing, ranges) is {@link BlockMapLoader}'s.
   *
   * @param id the block id ({@code block} key), also the {@code {blockId}} level of MQTT topics
   * @param source the file the map was loaded from, for messages
   */
  public BlockMap(
      String id,
      String name,
      String district,
      String subdistrict,
      ZoneId timezone,
      List<Team> teams,
      List<RoutingRule> routing,
      Map<ViolationType, Deadlines> deadlines,
      Rules rules,
      List<Shop> shops,
      List<Zone> zones,
      List<Sensor> sensors,
      List<Camera> cameras,
      String source) {
    this.id = Objects.requireNonNull(id, "id");
    this.name = Objects.requireNonNull(name, "name");
    this.district = Objects.requireNonNull(district, "district");
    this.subdistrict = Objects.requireNonNull(subdistrict, "subdistrict");
    this.timezone = Objects.requireNonNull(timezone, "timezone");
    this.teams = List.copyOf(teams);
    this.routing = List.copyOf(routing);
    EnumMap<ViolationType, Deadlines> deadlineCopy = new EnumMap<>(ViolationType.class);
    deadlineCopy.putAll(deadlines);
    for (ViolationType type : ViolationType.values()) {
      if (!deadlineCopy.containsKey(type)) {
        throw new IllegalArgumentException("no deadlines for " + type);
      }
    }
    this.deadlines = Collections.unmodifiableMap(deadlineCopy);
    this.rules = Objects.requireNonNull(rules, "rules");
    this.shops = List.copyOf(shops);
    this.zones = List.copyOf(zones);
    this.sensors = List.copyOf(sensors);
    this.cameras = List.copyOf(cameras);
    this.source = Objects.requireNonNull(source, "source");

    this.teamsById = index(this.teams, Team::id, "team");
    this.shopsById = index(this.shops, Shop::id, "shop");
    this.zonesById = index(this.zones, Zone::id, "zone");
    this.sensorsById = index(this.sensors, Sensor::id, "sensor");
    this.camerasById = index(this.cameras, Camera::id, "camera");
    Map<String, List<Sensor>> byZone = new HashMap<>();
    for (Sensor sensor : this.sensors) {
      byZone.computeIfAbsent(sensor.zone(), z -> new ArrayList<>()).add(sensor);
    }
    this.sensorsByZone = copyOfLists(byZone);
    Map<String, List<Camera>> viewing = new HashMap<>();
    for (Camera camera : this.cameras) {
      camera.views().stream()
          .map(CameraView::zone)
          .distinct()
          .forEach(zone -> viewing.computeIfAbsent(zone, z -> new ArrayList<>()).add(camera));
    }
    this.camerasByZone = copyOfLists(viewing);
  }

  private static <T> Map<String, T> index(List<T> items, Function<T, String> id, String what) {
    Map<String, T> byId = new LinkedHashMap<>();
    for (T item : items) {
      if (byId.putIfAbsent(id.apply(item), item) != null) {
        throw new IllegalArgumentException("duplicate " + what + " id " + id.apply(item));
      }
    }
    return Map.copyOf(byId);
  }

  private static <T> Map<String, List<T>> copyOfLists(Map<String, List<T>> lists) {
    Map<String, List<T>> copy = new HashMap<>();
    lists.forEach((key, list) -> copy.put(key, List.copyOf(list)));
    return Map.copyOf(copy);
  }

  /** Deserialization restores the lists; the indexes are rebuilt from them. */
  private Object readResolve() {
    return new BlockMap(
        id,
        name,
        district,
        subdistrict,
        timezone,
        teams,
        routing,
        deadlines,
        rules,
        shops,
        zones,
        sensors,
        cameras,
        source);
  }

  /** The block id ({@code block} key); also the {@code {blockId}} level of the MQTT topics. */
  public String id() {
    return id;
  }

  public String name() {
    return name;
  }

  /** The district (区), empty when the map does not say. */
  public String district() {
    return district;
  }

  /** The sub-district (街道), empty when the map does not say. */
  public String subdistrict() {
    return subdistrict;
  }

  /** The zone of the block's local time: time windows are read on its wall clock. */
  public ZoneId timezone() {
    return timezone;
  }

  public List<Team> teams() {
    return teams;
  }

  /** The routing table, in order: the first matching line wins. */
  public List<RoutingRule> routing() {
    return routing;
  }

  /** Deadlines for every violation type. */
  public Map<ViolationType, Deadlines> deadlines() {
    return deadlines;
  }

  public Deadlines deadlines(ViolationType type) {
    return deadlines.get(type);
  }

  /** The block's default rules; a zone's effective rules are {@link Zone#rules()}. */
  public Rules rules() {
    return rules;
  }

  public List<Shop> shops() {
    return shops;
  }

  public List<Zone> zones() {
    return zones;
  }

  public List<Sensor> sensors() {
    return sensors;
  }

  public List<Camera> cameras() {
    return cameras;
  }

  /** The file this map was loaded from, e.g. {@code jiashan-lane.yaml}. */
  public String source() {
    return source;
  }

  public Optional<Zone> zone(String zoneId) {
    return Optional.ofNullable(zonesById.get(zoneId));
  }

  public Optional<Shop> shop(String shopId) {
    return Optional.ofNullable(shopsById.get(shopId));
  }

  public Optional<Sensor> sensor(String sensorId) {
    return Optional.ofNullable(sensorsById.get(sensorId));
  }

  public Optional<Camera> camera(String cameraId) {
    return Optional.ofNullable(camerasById.get(cameraId));
  }

  public Optional<Team> team(String teamId) {
    return Optional.ofNullable(teamsById.get(teamId));
  }

  /** The zones of one kind, in map order. */
  public List<Zone> zonesOfKind(ZoneKind kind) {
    return zones.stream().filter(zone -> zone.kind() == kind).toList();
  }

  /** The shop a zone belongs to, if the zone exists and has one. */
  public Optional<Shop> shopOfZone(String zoneId) {
    return zone(zoneId).flatMap(Zone::shop).flatMap(this::shop);
  }

  /** The berth sensors of a parking zone, in map order; empty for an unknown zone. */
  public List<Sensor> sensorsInZone(String zoneId) {
    return sensorsByZone.getOrDefault(zoneId, List.of());
  }

  /** The cameras with a view of the zone, in map order; empty for an unknown zone. */
  public List<Camera> camerasViewing(String zoneId) {
    return camerasByZone.getOrDefault(zoneId, List.of());
  }

  /**
   * The team that receives violations of {@code type} concerning a shop of {@code
   * shopCategoryOrNull} ({@code null}: no shop). The first matching line of {@link #routing()}
   * wins; a line with categories matches only a shop whose category is among them. A loaded map
   * routes every type, so for those the answer is never empty.
   */
  public Optional<String> routeTeam(ViolationType type, String shopCategoryOrNull) {
    for (RoutingRule rule : routing) {
      if (rule.matches(type, shopCategoryOrNull)) {
        return Optional.of(rule.team());
      }
    }
    return Optional.empty();
  }

  /** {@link #routeTeam} for a violation in a zone, using the category of the zone's shop. */
  public Optional<String> routeTeamForZone(ViolationType type, String zoneId) {
    return routeTeam(type, shopOfZone(zoneId).map(Shop::category).orElse(null));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof BlockMap m
        && id.equals(m.id)
        && name.equals(m.name)
        && district.equals(m.district)
        && subdistrict.equals(m.subdistrict)
        && timezone.equals(m.timezone)
        && teams.equals(m.teams)
        && routing.equals(m.routing)
        && deadlines.equals(m.deadlines)
        && rules.equals(m.rules)
        && shops.equals(m.shops)
        && zones.equals(m.zones)
        && sensors.equals(m.sensors)
        && cameras.equals(m.cameras)
        && source.equals(m.source);
  }

  @Override
  public int hashCode() {
    return Objects.hash(id, source, zones);
  }

  @Override
  public String toString() {
    return "BlockMap["
        + id
        + " from "
        + source
        + ": "
        + shops.size()
        + " shops, "
        + zones.size()
        + " zones, "
        + sensors.size()
        + " sensors, "
        + cameras.size()
        + " cameras]";
  }
}

package io.streetsense.blockmap;

import io.streetsense.blockmap.YamlNodes.Fields;
import java.io.Reader;
import java.time.DateTimeException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;

/**
 * Reads one block-map file into a {@link BlockMap}, validating as it goes. One instance per file:
 * it holds what was read so far to resolve references. The format is described in the module's
 * README and, key by key, in {@code jiashan-lane.yaml}.
 */
final class BlockMapParser {
  private static final Logger LOG = LoggerFactory.getLogger(BlockMapLoader.class);

  private static final List<String> TOP_KEYS =
      List.of(
          "block",
          "name",
          "district",
          "subdistrict",
          "timezone",
          "teams",
          "routing",
          "deadlines",
          "rules",
          "shops",
          "zones",
          "sensors",
          "cameras");
  private static final List<String> TEAM_KEYS = List.of("id", "name");
  private static final List<String> ROUTING_KEYS = List.of("type", "categories", "team");
  private static final List<String> DEADLINE_KEYS = List.of("accept", "resolve");
  private static final List<String> SHOP_KEYS = List.of("id", "name", "category", "outdoor");
  private static final List<String> WINDOW_KEYS = List.of("days", "from", "to");
  private static final List<String> ZONE_KEYS =
      List.of(
          "id",
          "kind",
          "shop",
          "location",
          "capacity",
          "no_parking",
          "alternatives",
          "schedule",
          "rules");
  private static final List<String> SENSOR_KEYS = List.of("id", "zone", "berth");
  private static final List<String> CAMERA_KEYS = List.of("id", "views");
  private static final List<String> VIEW_KEYS = List.of("zone", "polygon");

  private static final String OUT_OF_DOORWAY = "out_of_doorway";
  private static final String ILLEGAL_STALL = "illegal_stall";
  private static final String PARKING_OVERFLOW = "parking_overflow";
  private static final String VERIFY = "verify";

  /** Rule sections and their keys; every key is required in the block's defaults. */
  private static final Map<String, List<String>> RULE_KEYS = ruleKeys();

  /** The classes cameras send (contract §1). Others are allowed: the detectors ignore them. */
  static final Set<String> CAMERA_CLASSES =
      Set.of(
          "person",
          "vehicle",
          "bicycle",
          "stall",
          "cart",
          "tricycle",
          "table",
          "chair",
          "goods",
          "rack",
          "umbrella",
          "sign");

  /** Ids become MQTT topic levels, Kafka keys and URL path segments. */
  private static final Pattern VALID_ID = Pattern.compile("[^/+#\\s\\p{Cntrl}]+");

  private static final Pattern CLOCK = Pattern.compile("([01]\\d|2[0-3]):([0-5]\\d)");

  private static final Map<String, DayOfWeek> DAYS = dayNames();

  private final YamlNodes yaml;
  private final Map<String, Team> teams = new LinkedHashMap<>();
  private final Map<String, Shop> shops = new LinkedHashMap<>();
  private final Map<String, Zone> zones = new LinkedHashMap<>();

  /** Zone-to-zone references, checked once all zones are known (they may point forward). */
  private final List<Runnable> zoneReferenceChecks = new ArrayList<>();

  /** Where a rule value is written, so a merged value still reports its own line and key. */
  private record Located(Node node, String key) {}

  BlockMapParser(String file) {
    this.yaml = new YamlNodes(file);
  }

  BlockMap parse(Reader reader) {
    Fields top = yaml.fields(compose(reader), "");
    top.allowOnly(TOP_KEYS);

    String blockId = id(top.required("block"), "block");
    String name = yaml.string(top.required("name"), "name");
    String district = optionalString(top, "district");
    String subdistrict = optionalString(top, "subdistrict");
    ZoneId timezone = timezone(top.required("timezone"), "timezone");

    for (Team team : identified(top.required("teams"), "teams", "team", TEAM_KEYS, this::team)) {
      teams.put(team.id(), team);
    }
    List<RoutingRule> routing = routing(top.required("routing"), "routing");
    Map<ViolationType, Deadlines> deadlines = deadlines(top.required("deadlines"), "deadlines");
    Map<String, Map<String, Located>> defaultValues = blockRuleValues(top.required("rules"));
    Rules defaultRules = rules(defaultValues);

    for (Shop shop : optionalList(top, "shops", "shop", SHOP_KEYS, this::shop)) {
      shops.put(shop.id(), shop);
    }
    List<Zone> zoneList =
        identified(
            top.required("zones"),
            "zones",
            "zone",
            ZONE_KEYS,
            (id, fields) -> zone(id, fields, defaultValues, defaultRules));
    zoneList.forEach(zone -> zones.put(zone.id(), zone));
    zoneReferenceChecks.forEach(Runnable::run);

    SensorChecks sensorChecks = new SensorChecks();
    List<Sensor> sensors =
        optionalList(
            top,
            "sensors",
            "sensor",
            SENSOR_KEYS,
            (id, fields) -> sensor(id, fields, sensorChecks));
    List<Camera> cameras = optionalList(top, "cameras", "camera", CAMERA_KEYS, this::camera);

    BlockMap map =
        construct(
            top.node(),
            "",
            () ->
                new BlockMap(
                    blockId,
                    name,
                    district,
                    subdistrict,
                    timezone,
                    List.copyOf(teams.values()),
                    routing,
                    deadlines,
                    defaultRules,
                    List.copyOf(shops.values()),
                    zoneList,
                    sensors,
                    cameras,
                    yaml.file()));
    warnAboutBlindSpots(map);
    return map;
  }

  private Node compose(Reader reader) {
    LoaderOptions options = new LoaderOptions();
    Node root;
    try {
      root = new Yaml(options).compose(reader);
    } catch (MarkedYAMLException e) {
      Mark mark = e.getProblemMark();
      throw new BlockMapException(
          yaml.file(),
          mark == null ? 0 : mark.getLine() + 1,
          null,
          null,
          "not valid YAML: " + e.getProblem(),
          e);
    } catch (YAMLException e) {
      throw new BlockMapException(
          yaml.file(), 0, null, null, "cannot read YAML: " + e.getMessage(), e);
    }
    if (root == null) {
      throw new BlockMapException(yaml.file(), 0, null, null, "the file holds no block map");
    }
    return root;
  }

  // ---------------------------------------------------------------- lists of things with ids

  @FunctionalInterface
  private interface ElementParser<T> {
    T parse(String id, Fields fields);
  }

  /**
   * A non-empty list of mappings with unique ids. Each element is addressed as {@code list[id]}
   * once its id is read, as {@code list[index]} before.
   */
  private <T> List<T> identified(
      Node node, String listKey, String what, List<String> keys, ElementParser<T> parser) {
    List<Node> items = yaml.list(node, listKey);
    if (items.isEmpty()) {
      throw yaml.invalid(node, listKey, "needs at least one " + what);
    }
    return elements(items, listKey, what, keys, parser);
  }

  private <T> List<T> optionalList(
      Fields top, String listKey, String what, List<String> keys, ElementParser<T> parser) {
    return top.optional(listKey)
        .map(node -> elements(yaml.list(node, listKey), listKey, what, keys, parser))
        .orElse(List.of());
  }

  private <T> List<T> elements(
      List<Node> items, String listKey, String what, List<String> keys, ElementParser<T> parser) {
    Map<String, Node> seen = new HashMap<>();
    List<T> result = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String indexPath = listKey + "[" + i + "]";
      Fields byIndex = yaml.fields(items.get(i), indexPath);
      Node idNode = byIndex.required("id");
      String id = id(idNode, byIndex.key("id"));
      Node earlier = seen.putIfAbsent(id, idNode);
      if (earlier != null) {
        throw yaml.error(
            idNode,
            byIndex.key("id"),
            id,
            "duplicate "
                + what
                + " id "
                + id
                + ", already used at line "
                + YamlNodes.line(earlier));
      }
      Fields byId = byIndex.at(listKey + "[" + id + "]");
      byId.allowOnly(keys);
      result.add(parser.parse(id, byId));
    }
    return result;
  }

  // ---------------------------------------------------------------- teams, routing, deadlines

  private Team team(String id, Fields fields) {
    return new Team(id, yaml.string(fields.required("name"), fields.key("name")));
  }

  private List<RoutingRule> routing(Node node, String key) {
    List<Node> lines = yaml.list(node, key);
    Map<ViolationType, Integer> catchAllLine = new EnumMap<>(ViolationType.class);
    List<RoutingRule> routing = new ArrayList<>();
    for (int i = 0; i < lines.size(); i++) {
      Fields line = yaml.fields(lines.get(i), key + "[" + i + "]");
      line.allowOnly(ROUTING_KEYS);
      ViolationType type =
          yaml.constant(
              line.required("type"), line.key("type"), ViolationType.class, "violation type");
      List<String> categories = List.of();
      if (line.has("categories")) {
        Node categoriesNode = line.required("categories");
        categories = yaml.strings(categoriesNode, line.key("categories"));
        if (categories.isEmpty()) {
          throw yaml.invalid(
              categoriesNode,
              line.key("categories"),
              "must not be empty; leave the key out to match any shop and no shop");
        }
      }
      Node teamNode = line.required("team");
      String team = yaml.string(teamNode, line.key("team"));
      if (!teams.containsKey(team)) {
        throw yaml.invalid(
            teamNode,
            line.key("team"),
            "unknown team; teams of this block: " + String.join(", ", teams.keySet()));
      }
      Integer earlierCatchAll = catchAllLine.get(type);
      if (earlierCatchAll != null) {
        throw yaml.invalid(
            line.node(),
            line.path(),
            "can never match: "
                + key
                + "["
                + earlierCatchAll
                + "] before it already routes every "
                + type
                + " (the first matching line wins)");
      }
      if (categories.isEmpty()) {
        catchAllLine.put(type, i);
      }
      routing.add(new RoutingRule(type, new LinkedHashSet<>(categories), team));
    }
    for (ViolationType type : ViolationType.values()) {
      if (!catchAllLine.containsKey(type)) {
        throw yaml.error(
            node,
            key,
            type.name(),
            "no line routes "
                + type
                + " when no shop, or a shop of an unlisted category, is concerned: add a line"
                + " with type "
                + type
                + " and a team but no categories");
      }
    }
    return routing;
  }

  private Map<ViolationType, Deadlines> deadlines(Node node, String key) {
    Fields fields = yaml.fields(node, key);
    fields.allowOnly(Arrays.stream(ViolationType.values()).map(Enum::name).toList());
    Map<ViolationType, Deadlines> deadlines = new EnumMap<>(ViolationType.class);
    for (ViolationType type : ViolationType.values()) {
      Fields pair = yaml.fields(fields.required(type.name()), fields.key(type.name()));
      pair.allowOnly(DEADLINE_KEYS);
      deadlines.put(
          type,
          new Deadlines(
              yaml.positiveDuration(pair.required("accept"), pair.key("accept")),
              yaml.positiveDuration(pair.required("resolve"), pair.key("resolve"))));
    }
    return deadlines;
  }

  // ---------------------------------------------------------------- rules

  private static Map<String, List<String>> ruleKeys() {
    Map<String, List<String>> keys = new LinkedHashMap<>();
    keys.put(OUT_OF_DOORWAY, List.of("classes", "min_conf", "dwell", "presence"));
    keys.put(ILLEGAL_STALL, List.of("classes", "min_conf", "dwell", "presence", "max_drift"));
    keys.put(PARKING_OVERFLOW, List.of("occupancy", "vehicles", "dwell"));
    keys.put(VERIFY, List.of("clear_for"));
    return Collections.unmodifiableMap(keys);
  }

  /** The block's defaults: every section and every key required, so nothing is implicit. */
  private Map<String, Map<String, Located>> blockRuleValues(Node node) {
    Fields rules = yaml.fields(node, "rules");
    rules.allowOnly(RULE_KEYS.keySet());
    Map<String, Map<String, Located>> values = new LinkedHashMap<>();
    RULE_KEYS.forEach(
        (section, keys) -> {
          Fields fields = yaml.fields(rules.required(section), rules.key(section));
          fields.allowOnly(keys);
          Map<String, Located> sectionValues = new LinkedHashMap<>();
          for (String key : keys) {
            sectionValues.put(key, new Located(fields.required(key), fields.key(key)));
          }
          values.put(section, sectionValues);
        });
    return values;
  }

  /** A zone's effective rules: any subset of sections and keys replaces the block's defaults. */
  private Rules zoneRules(Node node, String path, Map<String, Map<String, Located>> defaults) {
    Fields overrides = yaml.fields(node, path);
    overrides.allowOnly(RULE_KEYS.keySet());
    Map<String, Map<String, Located>> merged = new LinkedHashMap<>();
    defaults.forEach((section, values) -> merged.put(section, new LinkedHashMap<>(values)));
    for (String section : overrides.keys()) {
      Fields fields = yaml.fields(overrides.required(section), overrides.key(section));
      fields.allowOnly(RULE_KEYS.get(section));
      for (String key : fields.keys()) {
        merged.get(section).put(key, new Located(fields.required(key), fields.key(key)));
      }
    }
    return rules(merged);
  }

  private Rules rules(Map<String, Map<String, Located>> values) {
    Map<String, Located> outOfDoorway = values.get(OUT_OF_DOORWAY);
    Map<String, Located> illegalStall = values.get(ILLEGAL_STALL);
    Map<String, Located> overflow = values.get(PARKING_OVERFLOW);
    return new Rules(
        new OutOfDoorwayRule(
            classes(outOfDoorway.get("classes")),
            fraction(outOfDoorway.get("min_conf"), false),
            duration(outOfDoorway.get("dwell")),
            fraction(outOfDoorway.get("presence"), true)),
        new IllegalStallRule(
            classes(illegalStall.get("classes")),
            fraction(illegalStall.get("min_conf"), false),
            duration(illegalStall.get("dwell")),
            fraction(illegalStall.get("presence"), true),
            drift(illegalStall.get("max_drift"))),
        new ParkingOverflowRule(
            fraction(overflow.get("occupancy"), true),
            vehicles(overflow.get("vehicles")),
            duration(overflow.get("dwell"))),
        new VerifyRule(duration(values.get(VERIFY).get("clear_for"))));
  }

  private Set<String> classes(Located value) {
    List<String> classes = yaml.strings(value.node(), value.key());
    if (classes.isEmpty()) {
      throw yaml.invalid(
          value.node(),
          value.key(),
          "an empty class list would never detect anything; list the classes that count");
    }
    for (String detectorClass : classes) {
      if (!CAMERA_CLASSES.contains(detectorClass)) {
        // Not an error: the contract keeps unknown classes. But a typo here silently disables
        // detection, so say it.
        LOG.warn(
            "{}:{}: {}: '{}' is not a class the cameras send ({}); nothing will match it",
            yaml.file(),
            YamlNodes.line(value.node()),
            value.key(),
            detectorClass,
            String.join(", ", new TreeSet<>(CAMERA_CLASSES)));
      }
    }
    return new LinkedHashSet<>(classes);
  }

  /** A share: within 0..1, or within (0, 1] when zero would make the rule meaningless. */
  private double fraction(Located value, boolean positive) {
    double fraction = yaml.number(value.node(), value.key());
    if (positive ? !(fraction > 0 && fraction <= 1) : !(fraction >= 0 && fraction <= 1)) {
      throw yaml.invalid(
          value.node(),
          value.key(),
          positive ? "must be greater than 0 and at most 1" : "must be within 0..1");
    }
    return fraction;
  }

  private double drift(Located value) {
    double drift = yaml.number(value.node(), value.key());
    if (!(drift >= 0 && Double.isFinite(drift))) {
      throw yaml.invalid(value.node(), value.key(), "must be 0 or more (normalised image units)");
    }
    return drift;
  }

  private int vehicles(Located value) {
    int vehicles = yaml.integer(value.node(), value.key());
    if (vehicles < 1) {
      throw yaml.invalid(value.node(), value.key(), "must be at least 1");
    }
    return vehicles;
  }

  private Duration duration(Located value) {
    return yaml.positiveDuration(value.node(), value.key());
  }

  // ---------------------------------------------------------------- shops and zones

  private Shop shop(String id, Fields fields) {
    List<TimeWindow> outdoor =
        fields
            .optional("outdoor")
            .map(node -> windows(node, fields.key("outdoor")))
            .orElse(List.of());
    return new Shop(
        id,
        yaml.string(fields.required("name"), fields.key("name")),
        yaml.string(fields.required("category"), fields.key("category")),
        outdoor);
  }

  private Zone zone(
      String id,
      Fields fields,
      Map<String, Map<String, Located>> defaultValues,
      Rules defaultRules) {
    Node kindNode = fields.required("kind");
    ZoneKind kind;
    try {
      kind = ZoneKind.fromYaml(yaml.string(kindNode, fields.key("kind")));
    } catch (IllegalArgumentException e) {
      throw yaml.invalid(
          kindNode,
          fields.key("kind"),
          "unknown zone kind; expected one of " + ZoneKind.allYamlNames());
    }

    Optional<String> shop = fields.optional("shop").map(node -> shopReference(node, fields));
    if (kind == ZoneKind.FRONTAGE && shop.isEmpty()) {
      throw fields.missing("shop", "a frontage zone needs the shop it belongs to");
    }
    GeoPoint location = location(fields.required("location"), fields.key("location"));

    OptionalInt capacity = OptionalInt.empty();
    List<String> noParking = List.of();
    List<String> alternatives = List.of();
    if (kind == ZoneKind.PARKING) {
      Node capacityNode =
          fields
              .optional("capacity")
              .orElseThrow(
                  () -> fields.missing("capacity", "a parking zone needs its number of berths"));
      int berths = yaml.integer(capacityNode, fields.key("capacity"));
      if (berths < 1) {
        throw yaml.invalid(
            capacityNode, fields.key("capacity"), "a parking zone needs a positive capacity");
      }
      capacity = OptionalInt.of(berths);
      noParking = zoneReferences(fields, "no_parking", id, ZoneKind.NO_PARKING);
      alternatives = zoneReferences(fields, "alternatives", id, ZoneKind.PARKING);
    } else {
      for (String parkingOnly : List.of("capacity", "no_parking", "alternatives")) {
        if (fields.has(parkingOnly)) {
          throw fields.notAllowed(
              parkingOnly,
              "only a parking zone has " + parkingOnly + ", this is " + kind.yamlName());
        }
      }
    }

    List<TimeWindow> schedule = List.of();
    if (kind == ZoneKind.MARKET) {
      Node scheduleNode =
          fields
              .optional("schedule")
              .orElseThrow(
                  () ->
                      fields.missing(
                          "schedule",
                          "a market needs a schedule: stalls are allowed only during it"));
      schedule = windows(scheduleNode, fields.key("schedule"));
      if (schedule.isEmpty()) {
        throw yaml.invalid(
            scheduleNode,
            fields.key("schedule"),
            "a market needs at least one window: stalls are allowed only during its schedule");
      }
    } else if (fields.has("schedule")) {
      throw fields.notAllowed(
          "schedule",
          "only a market has a schedule, this is "
              + kind.yamlName()
              + " (a shop's outdoor permit goes on the shop)");
    }

    Rules rules =
        fields
            .optional("rules")
            .map(node -> zoneRules(node, fields.key("rules"), defaultValues))
            .orElse(defaultRules);
    List<String> noParkingIds = noParking;
    List<String> alternativeIds = alternatives;
    List<TimeWindow> windows = schedule;
    OptionalInt berths = capacity;
    return construct(
        fields.node(),
        fields.path(),
        () ->
            new Zone(
                id, kind, shop, location, berths, noParkingIds, alternativeIds, windows, rules));
  }

  private String shopReference(Node node, Fields fields) {
    String shop = yaml.string(node, fields.key("shop"));
    if (!shops.containsKey(shop)) {
      throw yaml.invalid(node, fields.key("shop"), "unknown shop");
    }
    return shop;
  }

  /** Ids of other zones, of one kind; checked once every zone is known. */
  private List<String> zoneReferences(
      Fields fields, String key, String selfId, ZoneKind requiredKind) {
    if (!fields.has(key)) {
      return List.of();
    }
    List<Node> items = yaml.list(fields.required(key), fields.key(key));
    List<String> ids = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Node item = items.get(i);
      String itemKey = fields.key(key) + "[" + i + "]";
      String zoneId = yaml.string(item, itemKey);
      ids.add(zoneId);
      zoneReferenceChecks.add(
          () -> {
            Zone target = zones.get(zoneId);
            if (target == null) {
              throw yaml.invalid(item, itemKey, "unknown zone");
            }
            if (zoneId.equals(selfId)) {
              throw yaml.invalid(item, itemKey, "a zone cannot refer to itself");
            }
            if (target.kind() != requiredKind) {
              throw yaml.invalid(
                  item,
                  itemKey,
                  "expected a "
                      + requiredKind.yamlName()
                      + " zone, but "
                      + zoneId
                      + " is "
                      + target.kind().yamlName());
            }
          });
    }
    return ids;
  }

  private GeoPoint location(Node node, String key) {
    List<Node> pair = yaml.list(node, key);
    if (pair.size() != 2) {
      throw yaml.invalid(node, key, "expected [latitude, longitude]");
    }
    double lat = yaml.number(pair.get(0), key + "[0]");
    double lon = yaml.number(pair.get(1), key + "[1]");
    if (!(lat >= -90 && lat <= 90)) {
      boolean swapped = lon >= -90 && lon <= 90 && lat >= -180 && lat <= 180;
      throw yaml.invalid(
          node,
          key,
          "latitude must be within -90..90"
              + (swapped ? " (latitude and longitude swapped? write [lat, lon])" : ""));
    }
    if (!(lon >= -180 && lon <= 180)) {
      throw yaml.invalid(node, key, "longitude must be within -180..180");
    }
    return new GeoPoint(lat, lon);
  }

  // ---------------------------------------------------------------- time windows

  private List<TimeWindow> windows(Node node, String key) {
    List<Node> items = yaml.list(node, key);
    List<TimeWindow> windows = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Fields fields = yaml.fields(items.get(i), key + "[" + i + "]");
      fields.allowOnly(WINDOW_KEYS);
      Set<DayOfWeek> days = days(fields.required("days"), fields.key("days"));
      LocalTime from = clock(fields.required("from"), fields.key("from"));
      Node toNode = fields.required("to");
      LocalTime to = clock(toNode, fields.key("to"));
      if (from.equals(to)) {
        throw yaml.invalid(
            toNode,
            fields.key("to"),
            "a window needs a length: from and to are equal (a to before from runs past"
                + " midnight)");
      }
      windows.add(new TimeWindow(days, from, to));
    }
    return windows;
  }

  private Set<DayOfWeek> days(Node node, String key) {
    List<Node> items = yaml.list(node, key);
    if (items.isEmpty()) {
      throw yaml.invalid(node, key, "needs at least one day");
    }
    Set<DayOfWeek> days = EnumSet.noneOf(DayOfWeek.class);
    for (int i = 0; i < items.size(); i++) {
      String itemKey = key + "[" + i + "]";
      DayOfWeek day = DAYS.get(yaml.string(items.get(i), itemKey).toUpperCase(Locale.ROOT));
      if (day == null) {
        throw yaml.invalid(
            items.get(i),
            itemKey,
            "unknown weekday; expected one of MON, TUE, WED, THU, FRI, SAT, SUN");
      }
      days.add(day);
    }
    return days;
  }

  private static Map<String, DayOfWeek> dayNames() {
    Map<String, DayOfWeek> names = new HashMap<>();
    for (DayOfWeek day : DayOfWeek.values()) {
      names.put(day.name(), day);
      names.put(day.name().substring(0, 3), day);
    }
    return Map.copyOf(names);
  }

  /** "HH:MM", read from the text as written: YAML 1.1 would make an unquoted 22:00 an integer. */
  private LocalTime clock(Node node, String key) {
    String text = yaml.string(node, key);
    Matcher matcher = CLOCK.matcher(text);
    if (!matcher.matches()) {
      throw yaml.invalid(
          node,
          key,
          "24:00".equals(text)
              ? "write midnight as \"00:00\" (a to before from runs into the next day)"
              : "expected a time of day as \"HH:MM\", 00:00 to 23:59");
    }
    return LocalTime.of(Integer.parseInt(matcher.group(1)), Integer.parseInt(matcher.group(2)));
  }

  // ---------------------------------------------------------------- sensors and cameras

  /** What sensors seen so far occupy, to catch two sensors on one berth and over-full zones. */
  private static final class SensorChecks {
    final Map<String, Map<String, String>> sensorByBerthByZone = new HashMap<>();
  }

  private Sensor sensor(String id, Fields fields, SensorChecks checks) {
    Node zoneNode = fields.required("zone");
    Zone zone = zoneReference(zoneNode, fields.key("zone"));
    if (zone.kind() != ZoneKind.PARKING) {
      throw yaml.invalid(
          zoneNode,
          fields.key("zone"),
          "berth sensors belong in parking zones, but "
              + zone.id()
              + " is "
              + zone.kind().yamlName());
    }
    Node berthNode = fields.required("berth");
    String berth = yaml.string(berthNode, fields.key("berth"));
    Map<String, String> berths =
        checks.sensorByBerthByZone.computeIfAbsent(zone.id(), z -> new HashMap<>());
    String other = berths.putIfAbsent(berth, id);
    if (other != null) {
      throw yaml.invalid(
          berthNode,
          fields.key("berth"),
          "berth " + berth + " of zone " + zone.id() + " already has sensor " + other);
    }
    int capacity = zone.capacity().orElseThrow();
    if (berths.size() > capacity) {
      throw yaml.invalid(
          zoneNode,
          fields.key("zone"),
          "zone "
              + zone.id()
              + " has capacity "
              + capacity
              + " but this is its sensor number "
              + berths.size());
    }
    return new Sensor(id, zone.id(), berth);
  }

  private Camera camera(String id, Fields fields) {
    Node viewsNode = fields.required("views");
    List<Node> items = yaml.list(viewsNode, fields.key("views"));
    if (items.isEmpty()) {
      throw yaml.invalid(viewsNode, fields.key("views"), "a camera needs at least one view");
    }
    List<CameraView> views = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      Fields view = yaml.fields(items.get(i), fields.key("views") + "[" + i + "]");
      view.allowOnly(VIEW_KEYS);
      Zone zone = zoneReference(view.required("zone"), view.key("zone"));
      views.add(new CameraView(zone.id(), polygon(view.required("polygon"), view.key("polygon"))));
    }
    return new Camera(id, views);
  }

  private Zone zoneReference(Node node, String key) {
    Zone zone = zones.get(yaml.string(node, key));
    if (zone == null) {
      throw yaml.invalid(node, key, "unknown zone");
    }
    return zone;
  }

  private Polygon polygon(Node node, String key) {
    List<Node> items = yaml.list(node, key);
    if (items.size() < 3) {
      throw yaml.invalid(node, key, "a polygon needs at least 3 points");
    }
    List<ImagePoint> points = new ArrayList<>(items.size());
    for (int i = 0; i < items.size(); i++) {
      String pointKey = key + "[" + i + "]";
      List<Node> pair = yaml.list(items.get(i), pointKey);
      if (pair.size() != 2) {
        throw yaml.invalid(items.get(i), pointKey, "expected a point [x, y]");
      }
      double x = yaml.number(pair.get(0), pointKey + "[0]");
      double y = yaml.number(pair.get(1), pointKey + "[1]");
      if (!(x >= 0 && x <= 1 && y >= 0 && y <= 1)) {
        throw yaml.invalid(
            items.get(i),
            pointKey,
            "image coordinates must be within 0..1 (normalised, origin top-left)");
      }
      points.add(new ImagePoint(x, y));
    }
    return construct(node, key, () -> new Polygon(points));
  }

  // ---------------------------------------------------------------- small values

  /** An id: it becomes an MQTT topic level, a Kafka key and a URL path segment. */
  private String id(Node node, String key) {
    String id = yaml.string(node, key);
    if (!VALID_ID.matcher(id).matches()) {
      throw yaml.invalid(
          node,
          key,
          "an id must not contain '/', '+', '#', spaces or control characters: ids are used as"
              + " MQTT topic levels");
    }
    return id;
  }

  private String optionalString(Fields fields, String key) {
    return fields.optional(key).map(node -> yaml.string(node, key)).orElse("");
  }

  private ZoneId timezone(Node node, String key) {
    String text = yaml.string(node, key);
    try {
      return ZoneId.of(text);
    } catch (DateTimeException e) {
      throw yaml.invalid(
          node, key, "unknown time zone; expected a region id such as Asia/Shanghai");
    }
  }

  /** Runs a model constructor; its checks, should the parser's miss one, still name the key. */
  private <T> T construct(Node node, String key, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw yaml.invalid(node, key, e.getMessage());
    }
  }

  private void warnAboutBlindSpots(BlockMap map) {
    for (Zone zone : map.zones()) {
      if (zone.kind() == ZoneKind.PARKING) {
        int sensed = map.sensorsInZone(zone.id()).size();
        int capacity = zone.capacity().orElseThrow();
        if (sensed < capacity) {
          LOG.warn(
              "{}: parking zone {} has capacity {} but {} sensors: its occupancy cannot reach {}",
              yaml.file(),
              zone.id(),
              capacity,
              sensed,
              "100%");
        }
      } else if (map.camerasViewing(zone.id()).isEmpty()) {
        LOG.warn(
            "{}: {} zone {} is seen by no camera: nothing can be detected there",
            yaml.file(),
            zone.kind().yamlName(),
            zone.id());
      }
    }
  }
}

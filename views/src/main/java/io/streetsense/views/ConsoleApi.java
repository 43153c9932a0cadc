package io.streetsense.views;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.ImagePoint;
import io.streetsense.blockmap.Shop;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operations-centre console ({@code /console}): one page with its scripts and styles and the
 * pinned Leaflet, all served from the jar (no CDN), and the live feed it reads.
 *
 * <ul>
 *   <li>{@code GET /console} — the page (no token needed: it holds no data; it asks for the token
 *       and keeps it in {@code sessionStorage});
 *   <li>{@code GET /console/assets/{file}} and {@code GET /console/leaflet/{path}} — static files;
 *   <li>{@code GET /console/v1/me} — who the token is (ops user or team);
 *   <li>{@code GET /console/v1/events} — Server-Sent Events: a {@code snapshot} (the orders the
 *       caller may see: every open order and those changed in the last day) then one {@code order}
 *       event per committed change, ids from {@link ConsoleFeed}; {@code Last-Event-ID} resumes;
 *       with block maps also {@code devices} and {@code violations} (standing violations, {@link
 *       ViolationStanding}) events, current state without an id, on connect and on change, and
 *       {@code clock}: the street's time ({@link StreetClock}), on connect and whenever it moved
 *       against the wall clock (every second while the street replays behind it).
 * </ul>
 *
 * <p>The page runs on the street's clock: SLA timers, dwell, "overdue", the KPIs' day and device
 * health are judged against the street's time, which is the wall clock when the street is current.
 * The commands it sends are stamped with that time too ({@link HttpApi}).
 *
 * <p>Every data call takes the token in {@code Authorization: Bearer}, never a cookie and never a
 * URL: a cross-site page can neither read the stream nor send a command with it (the browser does
 * not attach the header for it), and nothing puts the token in an access log. The page reads the
 * stream with {@code fetch} (an {@code EventSource} cannot send a header). Commands go to the
 * existing {@code /ops/v1} endpoints, so they are checked and written exactly as the API's.
 */
final class ConsoleApi {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleApi.class);
  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String PAGE_DIR = "io/streetsense/views/console/";
  private static final Pattern ASSET = Pattern.compile("[a-z0-9-]+\\.(js|css|svg|png)");
  private static final Pattern LEAFLET_PATH =
      Pattern.compile("(leaflet\\.(js|css)|images/[a-z0-9-]+\\.png)");
  private static final Map<String, String> TYPES =
      Map.of(
          "html", "text/html; charset=utf-8",
          "js", "text/javascript; charset=utf-8",
          "css", "text/css; charset=utf-8",
          "svg", "image/svg+xml",
          "png", "image/png");

  /**
   * The page's policy: scripts and connections to this origin only, no framing. Styles allow inline
   * because Leaflet positions its panes with style attributes.
   */
  static final String CSP =
      "default-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:;"
          + " style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none';"
          + " form-action 'none'";

  /** Statuses after which an order leaves the queue. */
  static final Set<WorkOrderStatus> FINAL =
      Set.of(WorkOrderStatus.CLOSED, WorkOrderStatus.SELF_CLEARED, WorkOrderStatus.CANCELLED);

  private final ConsoleFeed feed;
  private final Function<Context, Principal> authenticate;
  private final Clock clock; // the street's: the day of the snapshot's closed orders
  private final Duration heartbeat;
  private final Duration offlineLimit;
  private final ObjectMapper json = new ObjectMapper();
  private final String leafletVersion;
  private final byte[] zones; // serialized once: 15 000 zones are a few MB

  ConsoleApi(
      ConsoleFeed feed,
      BlockMaps maps,
      Function<Context, Principal> authenticate,
      Clock clock,
      Duration heartbeat,
      Duration offlineLimit) {
    this.feed = Objects.requireNonNull(feed, "feed");
    try {
      this.zones = json.writeValueAsBytes(zonesJson(maps));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
    this.authenticate = Objects.requireNonNull(authenticate, "authenticate");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.heartbeat = Objects.requireNonNull(heartbeat, "heartbeat");
    this.offlineLimit = Objects.requireNonNull(offlineLimit, "offlineLimit");
    this.leafletVersion = leafletVersion();
  }

  void routes(RoutesConfig r) {
    r.get("/console", ctx -> asset(ctx, PAGE_DIR + "index.html", "html"));
    r.get(
        "/console/assets/{file}",
        ctx -> {
          String file = ctx.pathParam("file");
          if (!ASSET.matcher(file).matches()) {
            throw ApiException.notFound("no such file");
          }
          asset(ctx, PAGE_DIR + file, file.substring(file.lastIndexOf('.') + 1));
        });
    r.get(
        "/console/leaflet/<path>",
        ctx -> {
          String path = ctx.pathParam("path");
          if (!LEAFLET_PATH.matcher(path).matches()) {
            throw ApiException.notFound("no such file");
          }
          asset(
              ctx,
              "META-INF/resources/webjars/leaflet/" + leafletVersion + "/dist/" + path,
              path.substring(path.lastIndexOf('.') + 1));
        });
    r.get("/console/v1/me", this::me);
    r.get(
        "/console/v1/zones",
        ctx -> {
          authenticate.apply(ctx);
          ctx.header("Cache-Control", "no-store");
          ctx.contentType("application/json");
          ctx.result(zones);
        });
    r.get("/console/v1/events", this::events);
  }

  private void asset(Context ctx, String resource, String ext) throws IOException {
    try (InputStream in = ConsoleApi.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw ApiException.notFound("no such file");
      }
      securityHeaders(ctx);
      ctx.header("Cache-Control", "no-cache");
      ctx.contentType(TYPES.get(ext));
      ctx.result(in.readAllBytes());
    }
  }

  static void securityHeaders(Context ctx) {
    ctx.header("Content-Security-Policy", CSP);
    ctx.header("X-Content-Type-Options", "nosniff");
    ctx.header("Referrer-Policy", "no-referrer");
    ctx.header("X-Frame-Options", "DENY");
  }

  private void me(Context ctx) {
    Principal who = authenticate.apply(ctx);
    ctx.header("Cache-Control", "no-store");
    ctx.json(
        F.objectNode()
            .put("kind", who.kind() == Principal.Kind.OPS ? "ops" : "team")
            .put("id", who.id())
            .put("actor", who.actor()));
  }

  /** Which orders a principal sees: an ops user all, a team those whose team is it. */
  static Predicate<WorkOrder> visibleTo(Principal who) {
    if (who.kind() == Principal.Kind.OPS) {
      return o -> true;
    }
    return o -> who.id().equals(o.getTeamId());
  }

  /** The snapshot's orders: open ones, and final ones changed within the last day (for KPIs). */
  private Predicate<WorkOrder> snapshotFilter(Principal who) {
    Instant since = clock.instant().minus(Duration.ofDays(1));
    Predicate<WorkOrder> visible = visibleTo(who);
    return o ->
        visible.test(o) && (!FINAL.contains(o.getStatus()) || !o.getUpdatedAt().isBefore(since));
  }

  private void events(Context ctx) throws Exception {
    Principal who = authenticate.apply(ctx);
    Predicate<WorkOrder> visible = visibleTo(who);
    long position = feed.parse(ctx.header("Last-Event-ID"));
    long devicesSeen = -1;
    long violationsSeen = -1;
    long clockSeen = -1;
    ctx.status(200);
    ctx.res().setContentType("text/event-stream; charset=utf-8");
    ctx.res().setHeader("Cache-Control", "no-store");
    ctx.res().setHeader("X-Accel-Buffering", "no");
    OutputStream out = ctx.res().getOutputStream();
    out.write(("retry: 1000\n\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    try {
      while (true) {
        ConsoleFeed.Next next =
            feed.next(
                position,
                snapshotFilter(who),
                position < 0 ? 0 : heartbeat.toMillis(),
                devicesSeen,
                violationsSeen,
                clockSeen);
        if (next == null) {
          return; // the service is stopping
        }
        if (next.clock() != null) {
          // First, so that what follows is drawn against the street's time.
          clockSeen = next.clock().version();
          // Read now, not as published: the page takes "now" from it (one published a minute
          // ago would set a page connecting now a minute back).
          StreetClock.Reading reading =
              clock instanceof StreetClock street ? street.reading() : next.clock().reading();
          send(out, null, "clock", clockJson(reading, offlineLimit));
        }
        if (next.devices() != null) {
          // Current state, not a change: sent without an id, so Last-Event-ID stays the orders'.
          devicesSeen = next.devices().version();
          send(out, null, "devices", devicesJson(next.devices()));
        }
        if (next.violations() != null) {
          // Current state too, without an id: every (re)connect gets it whole.
          violationsSeen = next.violations().version();
          send(out, null, "violations", violationsJson(next.violations()));
        }
        if (next.snapshot() != null) {
          ObjectNode data = F.objectNode();
          ArrayNode orders = data.putArray("orders");
          next.snapshot().orders().forEach(o -> orders.add(AvroJson.toJson(o)));
          data.put("at", clock.instant().toString());
          send(out, feed.eventId(next.seq()), "snapshot", data);
        } else if (next.changes().isEmpty()
            && next.devices() == null
            && next.violations() == null
            && next.clock() == null) {
          out.write(": keep-alive\n\n".getBytes(StandardCharsets.UTF_8));
        } else {
          for (ConsoleFeed.Change c : next.changes()) {
            boolean now = c.current() != null && visible.test(c.current());
            boolean before =
                c.existed()
                    && (who.kind() == Principal.Kind.OPS || who.id().equals(c.previousTeam()));
            if (!now && !before) {
              continue;
            }
            ObjectNode data = F.objectNode().put("id", c.id());
            // No longer the caller's (rerouted away, deleted): it leaves the caller's screen.
            data.set("order", now ? AvroJson.toJson(c.current()) : F.nullNode());
            send(out, feed.eventId(c.seq()), "order", data);
          }
        }
        out.flush();
        position = next.seq();
      }
    } catch (IOException e) {
      LOG.debug("console stream of {} ended: {}", who.actor(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void send(OutputStream out, String id, String event, ObjectNode data) throws IOException {
    // JSON from Jackson has no raw new line, so one data line carries it.
    String text =
        (id == null ? "" : "id: " + id + "\n")
            + "event: "
            + event
            + "\ndata: "
            + json.writeValueAsString(data)
            + "\n\n";
    out.write(text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Every zone of the block maps, for the map: kind, centre, shop with its outdoor permits, the
   * cameras that see it (with the zone's outline in each camera's image) and its berth sensors. An
   * empty list without block maps.
   */
  static ObjectNode zonesJson(BlockMaps maps) {
    ObjectNode out = F.objectNode();
    ArrayNode blocks = out.putArray("blocks");
    if (maps == null) {
      return out;
    }
    for (BlockMap block : maps.all()) {
      ObjectNode b = blocks.addObject().put("id", block.id()).put("name", block.name());
      ArrayNode teams = b.putArray("teams");
      block.teams().forEach(t -> teams.add(t.id()));
      ArrayNode zs = b.putArray("zones");
      for (Zone zone : block.zones()) {
        ObjectNode z = zs.addObject();
        z.put("id", zone.id()).put("kind", zone.kind().yamlName());
        z.put("lat", zone.location().lat()).put("lon", zone.location().lon());
        Shop shop = zone.shop().flatMap(block::shop).orElse(null);
        if (shop == null) {
          z.putNull("shop");
        } else {
          ObjectNode sh = z.putObject("shop");
          sh.put("id", shop.id()).put("name", shop.name()).put("category", shop.category());
          ArrayNode permits = sh.putArray("outdoor_permits");
          for (TimeWindow w : shop.outdoor()) {
            ObjectNode permit = permits.addObject();
            permit.put("from", w.from().toString()).put("to", w.to().toString());
            ArrayNode days = permit.putArray("days");
            for (java.time.DayOfWeek d : new java.util.TreeSet<>(w.days())) {
              days.add(d.name().substring(0, 3));
            }
          }
        }
        ArrayNode cams = z.putArray("cameras");
        for (Camera camera : block.camerasViewing(zone.id())) {
          for (CameraView view : camera.views()) {
            if (view.zone().equals(zone.id())) {
              ObjectNode c = cams.addObject().put("id", camera.id());
              ArrayNode poly = c.putArray("outline");
              for (ImagePoint pt : view.polygon().points()) {
                poly.addArray().add(pt.x()).add(pt.y());
              }
            }
          }
        }
        ArrayNode sensors = z.putArray("sensors");
        block.sensorsInZone(zone.id()).forEach(sn -> sensors.add(sn.id()));
      }
    }
    return out;
  }

  /** The standing violations: zone key, type, since (first evidence), as the map needs them. */
  static ObjectNode violationsJson(ViolationStanding.Snapshot s) {
    ObjectNode out = F.objectNode().put("version", s.version()).put("at", s.at().toString());
    ArrayNode list = out.putArray("standing");
    for (ViolationStanding.Standing v : s.standing()) {
      list.addObject()
          .put("zone", v.block() + "/" + v.zone())
          .put("type", v.type())
          .put("violation_id", v.violationId())
          .put("since", v.since().toString());
    }
    return out;
  }

  /**
   * The street clock for the page: the street's and the wall clock's time, how far behind, the
   * newest device time heard and for how long nothing newer came (null before any), whether that is
   * the offline limit or longer (the street silent as a whole), and the limit the page warns by.
   */
  static ObjectNode clockJson(StreetClock.Reading r, Duration offlineLimit) {
    ObjectNode out =
        F.objectNode()
            .put("street", r.street().toString())
            .put("wall", r.wall().toString())
            .put("behind_ms", r.behind().toMillis());
    out.put("newest", r.newest() == null ? null : r.newest().toString());
    out.put("silent_ms", r.silentFor() == null ? null : r.silentFor().toMillis());
    // Sent again when this flips (DeviceHealth), so the page can count on it between events.
    out.put("silent", DeviceHealth.silent(r, offlineLimit));
    out.put("offline_after_ms", offlineLimit.toMillis());
    return out;
  }

  static ObjectNode devicesJson(DeviceHealth.Snapshot s) {
    ObjectNode out = F.objectNode().put("version", s.version()).put("at", s.at().toString());
    ArrayNode list = out.putArray("devices");
    for (DeviceHealth.Device d : s.devices()) {
      ObjectNode n = list.addObject();
      n.put("block", d.block()).put("id", d.id()).put("kind", d.kind()).put("online", d.online());
      n.put("last_seen", d.lastSeen() == null ? null : d.lastSeen().toString());
      n.put("offline_since", d.offlineSince() == null ? null : d.offlineSince().toString());
      n.put("battery_v", d.batteryV());
      n.put("low_battery", d.lowBattery());
      ArrayNode zones = n.putArray("zones");
      d.zones().forEach(zones::add);
    }
    return out;
  }

  private static String leafletVersion() {
    String pom = "META-INF/maven/org.webjars.npm/leaflet/pom.properties";
    try (InputStream in = ConsoleApi.class.getClassLoader().getResourceAsStream(pom)) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "1.9.4");
      }
    } catch (IOException e) {
      LOG.warn("could not read {}: {}", pom, e.toString());
    }
    return "1.9.4";
  }
}

package io.streetsense.views;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.json.JavalinJackson;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP side of the views: the enforcement teams' API ({@code /teams/v1}), the operations
 * centre's commands ({@code /ops/v1}), Open311 GeoReport v2 ({@code /open311/v2}) and health
 * ({@code /health}). Reads come from a {@link WorkOrderReader}; writes go out only as {@link
 * TeamAction} commands through an {@link ActionSink}. See the module README for every endpoint.
 */
public final class HttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(HttpApi.class);

  /**
   * One line per request: who (the principal, never the token), method, path, status, time. No
   * headers and no query string are logged.
   */
  private static final Logger ACCESS = LoggerFactory.getLogger("io.streetsense.views.access");

  private static final String PRINCIPAL = "streetsense.principal";

  /** Jetty's request parser: at DEBUG it logs each header, {@code Authorization} included. */
  static final String JETTY_HEADER_LOGGER = "org.eclipse.jetty.http.HttpParser";

  private static final JsonNodeFactory F = JsonNodeFactory.instance;
  private static final String BEARER = "bearer ";

  /** Newest change first, then by id: stable paging of a team's list. */
  static final Comparator<WorkOrder> RECENTLY_UPDATED =
      Comparator.comparing(WorkOrder::getUpdatedAt).reversed().thenComparing(WorkOrder::getId);

  public static final int DEFAULT_PAGE_SIZE = 50;
  public static final int MAX_PAGE_SIZE = 500;

  /** Longest work-order id accepted in a path (ids are "WO-", a stamp, the zone id and a code). */
  public static final int MAX_ORDER_ID = 256;

  /** Longest action id accepted in a path (they are UUIDs). */
  public static final int MAX_ACTION_ID = 64;

  /** Longest {@code Idempotency-Key} header. */
  public static final int MAX_IDEMPOTENCY_KEY = 200;

  /**
   * HTTP settings.
   *
   * @param maxBodyBytes largest request body (413 beyond)
   * @param open311Public serve Open311 without a token
   * @param actionTimeout how long a command waits for Kafka's acknowledgement (503 beyond)
   * @param clock refills the write rate limit, and stamps commands unless {@link #onStreetClock}
   * @param writeLimit write calls per principal (bearer token)
   */
  public record Settings(
      int maxBodyBytes,
      boolean open311Public,
      Duration actionTimeout,
      Clock clock,
      WriteRateLimiter.Limit writeLimit) {
    public Settings {
      if (maxBodyBytes < 256) {
        throw new IllegalArgumentException("maxBodyBytes must be at least 256: " + maxBodyBytes);
      }
      Objects.requireNonNull(actionTimeout, "actionTimeout");
      Objects.requireNonNull(clock, "clock");
      Objects.requireNonNull(writeLimit, "writeLimit");
    }

    public static Settings defaults() {
      return new Settings(
          16 * 1024,
          false,
          Duration.ofSeconds(10),
          Clock.systemUTC(),
          WriteRateLimiter.Limit.defaults());
    }
  }

  private final WorkOrderReader view;
  private final ActionOutcomes outcomes;
  private final ActionSink actions;
  private final TokenRegistry tokens;
  private final Settings settings;
  private final WriteRateLimiter writeLimiter;
  private final ObjectMapper json = new ObjectMapper();
  private final ConsoleFeed console;
  private final io.streetsense.blockmap.BlockMaps blockMaps;
  private Clock streetClock; // stamps commands and is the console's now; settings' clock by default
  private Duration offlineLimit = DeviceHealth.Settings.defaults().cameraOfflineAfter();

  public HttpApi(
      WorkOrderReader view, ActionSink actions, TokenRegistry tokens, Settings settings) {
    this(view, new ActionOutcomes(), actions, tokens, settings);
  }

  public HttpApi(
      WorkOrderReader view,
      ActionOutcomes outcomes,
      ActionSink actions,
      TokenRegistry tokens,
      Settings settings) {
    this(view, outcomes, actions, tokens, settings, null, null);
  }

  /**
   * @param console the live feed behind the operations-centre console ({@code /console}); null
   *     serves no console
   * @param blockMaps the blocks the console maps; null: zones only where orders are
   */
  public HttpApi(
      WorkOrderReader view,
      ActionOutcomes outcomes,
      ActionSink actions,
      TokenRegistry tokens,
      Settings settings,
      ConsoleFeed console,
      io.streetsense.blockmap.BlockMaps blockMaps) {
    this.console = console;
    this.blockMaps = blockMaps;
    this.view = Objects.requireNonNull(view, "view");
    this.outcomes = Objects.requireNonNull(outcomes, "outcomes");
    this.actions = Objects.requireNonNull(actions, "actions");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.writeLimiter = new WriteRateLimiter(settings.writeLimit(), settings.clock());
    this.streetClock = settings.clock();
  }

  /**
   * Runs the commands and the console on the street's clock ({@link StreetClock}): a command's
   * {@code requestedAt} is the street's time, so that the job, which applies an action once the
   * street's event time reaches it, applies it at once also when the street runs behind the wall
   * clock (a replay, the demo); when the street is current that is the wall clock. {@code
   * offlineLimit} is how far behind (or how long silent) the console warns from. Before {@link
   * #create}.
   */
  public HttpApi onStreetClock(Clock street, Duration offlineLimit) {
    this.streetClock = Objects.requireNonNull(street, "street");
    this.offlineLimit = Objects.requireNonNull(offlineLimit, "offlineLimit");
    return this;
  }

  /** A configured, not yet started Javalin app. */
  public Javalin create() {
    if (LoggerFactory.getLogger(JETTY_HEADER_LOGGER).isDebugEnabled()) {
      // Seen in HttpSecurityIT: at DEBUG, Jetty's parser logs every header as it reads it.
      LOG.warn(
          "{} logs at DEBUG: it writes every request header, bearer tokens included, to the log;"
              + " set org.eclipse.jetty to INFO outside a debugging session",
          JETTY_HEADER_LOGGER);
    }
    return Javalin.create(
        config -> {
          config.startup.showJavalinBanner = false;
          config.startup.showOldJavalinVersionWarning = false;
          config.startup.startupWatcherEnabled = false;
          config.http.maxRequestSize = settings.maxBodyBytes();
          config.http.defaultContentType = "application/json";
          config.router.ignoreTrailingSlashes = true;
          config.jsonMapper(new JavalinJackson(json, false));
          config.requestLogger.http(HttpApi::logAccess);
          routes(config.routes);
        });
  }

  private void routes(RoutesConfig r) {
    r.get("/health/live", ctx -> ctx.json(F.objectNode().put("status", "UP")));
    r.get("/health/ready", this::ready);

    r.get("/teams/v1/workorders", this::teamList);
    r.get("/teams/v1/workorders/{id}", ctx -> ctx.json(detail(teamOrder(ctx))));
    r.post("/teams/v1/workorders/{id}/accept", ctx -> teamAction(ctx, TeamActionType.ACCEPT));
    r.post("/teams/v1/workorders/{id}/resolve", ctx -> teamAction(ctx, TeamActionType.RESOLVE));
    r.post("/teams/v1/workorders/{id}/reject", ctx -> teamAction(ctx, TeamActionType.REJECT));
    r.post("/teams/v1/workorders/{id}/note", ctx -> teamAction(ctx, TeamActionType.NOTE));
    r.get("/teams/v1/actions/{actionId}", ctx -> outcome(ctx, Principal.Kind.TEAM));

    r.get("/ops/v1/workorders", this::opsList);
    r.get("/ops/v1/workorders/{id}", ctx -> ctx.json(detail(opsOrder(ctx))));
    r.post("/ops/v1/workorders/{id}/reroute", ctx -> opsAction(ctx, TeamActionType.REROUTE));
    r.post("/ops/v1/workorders/{id}/cancel", ctx -> opsAction(ctx, TeamActionType.CANCEL));
    r.post("/ops/v1/workorders/{id}/note", ctx -> opsAction(ctx, TeamActionType.NOTE));
    r.post("/ops/v1/workorders/{id}/escalate", ctx -> opsAction(ctx, TeamActionType.ESCALATE));
    r.get("/ops/v1/actions/{actionId}", ctx -> outcome(ctx, Principal.Kind.OPS));

    r.get("/open311/v2/services.json", this::open311Services);
    r.get("/open311/v2/requests.json", this::open311Requests);
    r.get("/open311/v2/requests/{file}", this::open311Request);

    if (console != null) {
      new ConsoleApi(
              console,
              blockMaps,
              ctx -> {
                Principal who = authenticateAny(ctx);
                requireReady();
                return who;
              },
              streetClock,
              Duration.ofSeconds(15),
              offlineLimit)
          .routes(r);
    }

    r.exception(ApiException.class, this::error);
    r.exception(
        HttpResponseException.class,
        (e, ctx) -> {
          String code =
              switch (e.getStatus()) {
                case 404 -> "not_found";
                case 405 -> "method_not_allowed";
                case 413 -> "payload_too_large";
                default -> "http_" + e.getStatus();
              };
          String reason =
              e.getStatus() == 404
                  ? "no such endpoint: " + ctx.method() + " " + ApiException.quote(ctx.path())
                  : e.getMessage();
          error(ctx, e.getStatus(), code, reason);
        });
    r.exception(
        Exception.class,
        (e, ctx) -> {
          LOG.error("{} {} failed: {}", ctx.method(), ctx.path(), e.toString(), e);
          error(ctx, 500, "internal_error", "the server failed; the error was logged");
        });
  }

  // ---- errors ----------------------------------------------------------------------------------

  private void error(ApiException e, Context ctx) {
    error(ctx, e.status(), e.error(), e.reason(), e.details(), e.retryAfterSeconds());
  }

  private void error(Context ctx, int status, String code, String reason) {
    error(ctx, status, code, reason, Map.of(), 0);
  }

  private void error(
      Context ctx,
      int status,
      String code,
      String reason,
      Map<String, Object> details,
      long retryAfterSeconds) {
    ctx.status(status);
    if (status == 401) {
      ctx.header("WWW-Authenticate", "Bearer realm=\"streetsense\"");
    }
    if (retryAfterSeconds > 0) {
      ctx.header("Retry-After", Long.toString(retryAfterSeconds));
    } else if (status == 503) {
      ctx.header("Retry-After", "1");
    }
    if (ctx.path().startsWith("/open311/")) {
      // GeoReport v2 errors: an array of {code, description}.
      ArrayNode body = F.arrayNode();
      body.addObject().put("code", status).put("description", reason);
      ctx.json(body);
    } else {
      ObjectNode body = F.objectNode().put("error", code).put("reason", reason);
      details.forEach((k, v) -> body.set(k, json.valueToTree(v)));
      ctx.json(body);
    }
  }

  /** The access log line: the principal's name only — tokens and headers are never logged. */
  private static void logAccess(Context ctx, Float millis) {
    if (ACCESS.isInfoEnabled()) {
      Principal who = ctx.attribute(PRINCIPAL);
      ACCESS.info(
          "{} {} {} {} {} ms",
          who == null ? "-" : who.actor(),
          ctx.method(),
          ctx.path(),
          ctx.statusCode(),
          Math.round(millis));
    }
  }

  // ---- authentication and readiness ------------------------------------------------------------

  private Principal authenticate(Context ctx, Principal.Kind kind) {
    Principal principal = authenticateAny(ctx);
    if (principal.kind() != kind) {
      throw new ApiException(
          403,
          "forbidden",
          kind == Principal.Kind.TEAM
              ? "this endpoint is for enforcement teams; use /ops/v1 with an operations token"
              : "this endpoint is for the operations centre");
    }
    requireReady();
    return principal;
  }

  /** A known bearer token of either kind (401 otherwise); readiness is not checked here. */
  private Principal authenticateAny(Context ctx) {
    String header = ctx.header("Authorization");
    if (header == null || header.isBlank()) {
      throw new ApiException(401, "unauthorized", "missing 'Authorization: Bearer <token>'");
    }
    if (!header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      throw new ApiException(401, "unauthorized", "the Authorization scheme must be Bearer");
    }
    Principal principal =
        tokens
            .authenticate(header.substring(BEARER.length()).strip())
            .orElseThrow(() -> new ApiException(401, "unauthorized", "unknown or revoked token"));
    ctx.attribute(PRINCIPAL, principal);
    return principal;
  }

  private void requireReady() {
    if (!view.isCaughtUp()) {
      throw new ApiException(
          503, "not_ready", "the work-order view is still loading; retry in a moment");
    }
  }

  private void ready(Context ctx) {
    boolean ready = view.isCaughtUp();
    ctx.status(ready ? 200 : 503);
    ctx.json(F.objectNode().put("ready", ready).put("orders", view.size()));
  }

  // ---- teams -----------------------------------------------------------------------------------

  private void teamList(Context ctx) {
    Principal team = authenticate(ctx, Principal.Kind.TEAM);
    Map<String, List<String>> params = ctx.queryParamMap();
    Set<WorkOrderStatus> statuses = statuses(params);
    int[] paging = Page.parse(params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    List<WorkOrder> mine = new ArrayList<>(view.ofTeam(team.id(), statuses));
    page(ctx, Page.of(mine, RECENTLY_UPDATED, paging[0], paging[1]));
  }

  /** The caller's order, or 404 — also when it is another team's, so ids do not leak. */
  private WorkOrder teamOrder(Context ctx) {
    Principal team = authenticate(ctx, Principal.Kind.TEAM);
    String id = pathId(ctx, "id", MAX_ORDER_ID);
    return view.get(id)
        .filter(o -> team.id().equals(o.getTeamId()))
        .orElseThrow(() -> ApiException.notFound("no work order '" + id + "' for your team"));
  }

  private void teamAction(Context ctx, TeamActionType type) {
    Principal team = authenticate(ctx, Principal.Kind.TEAM);
    limitWrites(team);
    String id = pathId(ctx, "id", MAX_ORDER_ID);
    byte[] body = body(ctx);
    WorkOrder order =
        view.get(id)
            .filter(o -> team.id().equals(o.getTeamId()))
            .orElseThrow(() -> ApiException.notFound("no work order '" + id + "' for your team"));
    act(ctx, team, order, ActionRequest.parse(type, parse(body)));
  }

  /**
   * Takes one write call from the caller's bucket, or answers 429 with {@code Retry-After}. Every
   * authenticated write call counts, also one refused later for its body: a client in a loop of bad
   * requests is slowed down as well.
   */
  private void limitWrites(Principal who) {
    long wait = writeLimiter.acquire(who.actor());
    if (wait > 0) {
      LOG.warn(
          "{} is over its write limit ({}); answering 429 for {} s",
          who.actor(),
          writeLimiter.limit(),
          wait);
      throw ApiException.rateLimited(who.actor(), writeLimiter.limit(), wait);
    }
  }

  /** A path parameter, refused (400, naming it and the limit) when longer than {@code max}. */
  private static String pathId(Context ctx, String name, int max) {
    String value = ctx.pathParam(name);
    if (value.length() > max) {
      throw ApiException.tooLong(name, max, value.length());
    }
    return value;
  }

  // ---- operations centre -----------------------------------------------------------------------

  private void opsList(Context ctx) {
    authenticate(ctx, Principal.Kind.OPS);
    Map<String, List<String>> params = ctx.queryParamMap();
    Set<WorkOrderStatus> statuses = statuses(params);
    String team = single(params, "team");
    int[] paging = Page.parse(params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    List<WorkOrder> orders =
        new ArrayList<>(team == null ? view.withStatus(statuses) : view.ofTeam(team, statuses));
    page(ctx, Page.of(orders, RECENTLY_UPDATED, paging[0], paging[1]));
  }

  private WorkOrder opsOrder(Context ctx) {
    authenticate(ctx, Principal.Kind.OPS);
    String id = pathId(ctx, "id", MAX_ORDER_ID);
    return view.get(id).orElseThrow(() -> ApiException.notFound("no work order '" + id + "'"));
  }

  private void opsAction(Context ctx, TeamActionType type) {
    Principal ops = authenticate(ctx, Principal.Kind.OPS);
    limitWrites(ops);
    String id = pathId(ctx, "id", MAX_ORDER_ID);
    byte[] body = body(ctx);
    WorkOrder order =
        view.get(id).orElseThrow(() -> ApiException.notFound("no work order '" + id + "'"));
    act(ctx, ops, order, ActionRequest.parse(type, parse(body)));
  }

  /**
   * What became of an action. A team sees only its own actions; anything else — unknown, another
   * team's, not yet decided — reads as {@code pending}, so action ids do not leak.
   */
  private void outcome(Context ctx, Principal.Kind kind) {
    Principal who = authenticate(ctx, kind);
    String actionId = pathId(ctx, "actionId", MAX_ACTION_ID);
    ObjectNode out = F.objectNode().put("action_id", actionId);
    ActionOutcomes.Outcome outcome =
        outcomes
            .get(actionId)
            .filter(o -> kind == Principal.Kind.OPS || who.actor().equals(o.actor()))
            .orElse(null);
    if (outcome == null) {
      out.put("state", "pending");
      out.put("reason", "not applied or refused yet (or not an action of yours)");
    } else {
      out.put("state", outcome.state());
      out.put("work_order_id", outcome.workOrderId());
      out.put("at", outcome.at() == null ? null : outcome.at().toString());
      out.put(outcome.state().equals("refused") ? "code" : "transition", outcome.code());
      out.put("reason", outcome.reason());
    }
    ctx.json(out);
  }

  // ---- commands --------------------------------------------------------------------------------

  private void act(Context ctx, Principal who, WorkOrder order, ActionRequest request) {
    ActionRules.check(request.action(), order.getStatus());
    // The street's time: applied by the job as soon as its event time reaches it
    // (HttpApi#onStreetClock)
    Instant now = streetClock.instant().truncatedTo(ChronoUnit.MILLIS);
    String actionId = actionId(ctx, who, order, request.action());
    String teamId =
        switch (request.action()) {
          case REROUTE -> request.team();
          case ACCEPT, RESOLVE, REJECT -> who.id();
          case NOTE -> who.kind() == Principal.Kind.TEAM ? who.id() : null;
          default -> null;
        };
    TeamAction action =
        TeamAction.newBuilder()
            .setActionId(actionId)
            .setWorkOrderId(order.getId())
            .setOrderKey(OrderKeys.ownerKey(order))
            .setAction(request.action())
            .setActor(who.actor())
            .setTeamId(teamId)
            .setNote(request.note())
            .setPhotoUrl(request.photoUrl())
            .setReason(request.reason())
            .setRequestedAt(now)
            .build();
    try {
      // Keyed by order id: one order's actions stay in order (sinks/README.md); the operator
      // routes by the orderKey field.
      actions
          .send(order.getId(), action)
          .get(settings.actionTimeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApiException(503, "unavailable", "interrupted; retry");
    } catch (ExecutionException | TimeoutException e) {
      LOG.warn(
          "could not record {} on {} by {}: {}",
          request.action(),
          order.getId(),
          who.actor(),
          e instanceof ExecutionException ? e.getCause().toString() : "timeout");
      throw new ApiException(
          503,
          "unavailable",
          "the action could not be recorded; retry (with the same Idempotency-Key to be safe)");
    }
    LOG.info("{} {} {} as action {}", who.actor(), request.action(), order.getId(), actionId);
    ctx.status(202);
    ctx.header("Location", ctx.path().substring(0, ctx.path().lastIndexOf('/')));
    ctx.json(
        F.objectNode()
            .put("action_id", actionId)
            .put("work_order_id", order.getId())
            .put("action", request.action().name())
            .put("status", "queued")
            .put("requested_at", now.toString())
            .put(
                "message",
                "the work-order operator applies it; the order shows the change once applied"));
  }

  /**
   * A random id, or — with an {@code Idempotency-Key} header — one derived from the caller, order,
   * action and key, so a retried request carries the same action id and the operator counts it
   * once.
   */
  private static String actionId(
      Context ctx, Principal who, WorkOrder order, TeamActionType action) {
    String key = ctx.header("Idempotency-Key");
    if (key == null || key.isBlank()) {
      return UUID.randomUUID().toString();
    }
    if (key.length() > MAX_IDEMPOTENCY_KEY) {
      throw ApiException.tooLong("Idempotency-Key", MAX_IDEMPOTENCY_KEY, key.length());
    }
    String seed = who.actor() + "\n" + order.getId() + "\n" + action + "\n" + key.strip();
    return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** The request body, at most {@code maxBodyBytes}; 413 beyond, 415 if not JSON. */
  private byte[] body(Context ctx) {
    String type = ctx.contentType();
    if (type != null
        && !type.isBlank()
        && !type.toLowerCase(Locale.ROOT).startsWith("application/json")) {
      throw new ApiException(415, "unsupported_media_type", "send application/json");
    }
    int max = settings.maxBodyBytes();
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      throw ApiException.payloadTooLarge(max);
    }
    try (InputStream in = ctx.req().getInputStream()) {
      // Reads at most one byte past the limit, also when no length was declared (chunked).
      byte[] bytes = in.readNBytes(max + 1);
      if (bytes.length > max) {
        throw ApiException.payloadTooLarge(max);
      }
      return bytes;
    } catch (IOException e) {
      throw ApiException.badRequest("could not read the body: " + e.getMessage());
    }
  }

  private JsonNode parse(byte[] body) {
    if (body.length == 0 || new String(body, StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    try {
      return json.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiException.badRequest(
          "the body is not valid JSON: " + e.getOriginalMessage().replaceAll("\\s+", " "));
    } catch (IOException e) {
      throw ApiException.badRequest("the body is not valid JSON");
    }
  }

  // ---- Open311 ---------------------------------------------------------------------------------

  private void open311Auth(Context ctx) {
    if (settings.open311Public()) {
      requireReady();
    } else {
      authenticate(ctx, Principal.Kind.OPS);
    }
  }

  private void open311Services(Context ctx) {
    open311Auth(ctx);
    ArrayNode out = F.arrayNode();
    Open311.services().forEach(out::add);
    ctx.json(out);
  }

  private void open311Requests(Context ctx) {
    open311Auth(ctx);
    Open311Query query = Open311Query.parse(ctx.queryParamMap());
    Page<WorkOrder> page = query.run(view);
    ArrayNode out = F.arrayNode();
    page.items().forEach(o -> out.add(Open311.request(o)));
    pagingHeaders(ctx, page);
    ctx.json(out);
  }

  private void open311Request(Context ctx) {
    open311Auth(ctx);
    String file = pathId(ctx, "file", MAX_ORDER_ID + ".json".length());
    if (!file.endsWith(".json")) {
      throw ApiException.notFound("only JSON is served: requests/{id}.json");
    }
    String id = file.substring(0, file.length() - ".json".length());
    WorkOrder order =
        view.get(id).orElseThrow(() -> ApiException.notFound("no service request '" + id + "'"));
    ArrayNode out = F.arrayNode();
    out.add(Open311.request(order));
    ctx.json(out);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static ObjectNode detail(WorkOrder order) {
    return AvroJson.toJson(order);
  }

  private void page(Context ctx, Page<WorkOrder> page) {
    ObjectNode out = F.objectNode();
    ArrayNode items = out.putArray("items");
    page.items().forEach(o -> items.add(detail(o)));
    out.put("page", page.page());
    out.put("page_size", page.pageSize());
    out.put("total", page.total());
    out.put("pages", page.pages());
    pagingHeaders(ctx, page);
    ctx.json(out);
  }

  /** {@code X-Total-Count} (every match) and a {@code Link} to the next page while there is one. */
  private static void pagingHeaders(Context ctx, Page<?> page) {
    ctx.header("X-Total-Count", Integer.toString(page.total()));
    if (page.hasNext()) {
      StringBuilder query = new StringBuilder();
      ctx.queryParamMap()
          .forEach(
              (k, vs) -> {
                if (!k.equals("page")) {
                  for (String v : vs) {
                    query.append(query.length() == 0 ? "" : "&").append(enc(k)).append('=');
                    query.append(enc(v));
                  }
                }
              });
      query.append(query.length() == 0 ? "" : "&").append("page=").append(page.page() + 1);
      ctx.header("Link", "<" + ctx.path() + "?" + query + ">; rel=\"next\"");
    }
  }

  private static String enc(String s) {
    return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static Set<WorkOrderStatus> statuses(Map<String, List<String>> params) {
    Set<WorkOrderStatus> statuses = EnumSet.noneOf(WorkOrderStatus.class);
    for (String value : params.getOrDefault("status", List.of())) {
      for (String part : value.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        try {
          WorkOrderStatus status = WorkOrderStatus.valueOf(part.strip().toUpperCase(Locale.ROOT));
          if (status == WorkOrderStatus.UNKNOWN) {
            throw new IllegalArgumentException();
          }
          statuses.add(status);
        } catch (IllegalArgumentException e) {
          List<String> known = new ArrayList<>();
          for (WorkOrderStatus s : WorkOrderStatus.values()) {
            if (s != WorkOrderStatus.UNKNOWN) {
              known.add(s.name());
            }
          }
          throw ApiException.badRequest(
              "unknown 'status' "
                  + ApiException.quote(part.strip())
                  + " (one of "
                  + String.join(", ", known)
                  + ")");
        }
      }
    }
    return statuses;
  }

  private static String single(Map<String, List<String>> params, String name) {
    List<String> values = params.getOrDefault(name, List.of());
    if (values.isEmpty() || values.get(0).isBlank()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest("'" + name + "' is given more than once");
    }
    return values.get(0).strip();
  }
}

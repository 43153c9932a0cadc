package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.Sensor;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraEvidence;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.Evidence;
import io.streetsense.schemas.GeoPoint;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.TeamActionType;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.TransitionKind;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.ViolationEventKind;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import io.streetsense.services.KafkaBroker;
import io.streetsense.services.NativePackages;
import io.streetsense.testing.HeadlessChromium;
import io.streetsense.testing.RepositoryBlockMaps;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operations-centre console in a real headless browser — Debian's chromium driven by Selenium
 * through Debian's chromedriver (installed on demand like Mosquitto) — against the real views
 * service reading a real Kafka broker. The test plays the work-order operator: it writes orders to
 * the work-order topic in transactions and applies the console's commands from the actions topic.
 */
class ConsoleBrowserIT {
  static final AvroCodec<WorkOrder> ORDERS = AvroCodec.of(WorkOrder.class);
  static final AvroCodec<TeamAction> ACTIONS = AvroCodec.of(TeamAction.class);
  static final String A = TokenRegistryTest.A;
  static final String OPS = TokenRegistryTest.OPS;
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  @TempDir static Path work;
  static KafkaBroker kafka;
  static Path chromium;
  static Path chromedriver;
  static BlockMap lane;
  static final Duration CAMERA_OFFLINE = Duration.ofSeconds(3);

  @TempDir Path state;
  @TempDir Path profile;
  Topics topics;
  ViewsServer server;
  HeadlessChromium chrome;
  WebDriver browser;
  final List<AutoCloseable> closeAfter = new ArrayList<>();

  @BeforeAll
  static void start() {
    chromium = NativePackages.require("chromium", "chromium");
    chromedriver = NativePackages.require("chromedriver", "chromium-driver");
    kafka = KafkaBroker.builder().maxHeap("512m").start(work.resolve("kafka"));
    lane = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
  }

  static BlockMaps city;

  @BeforeEach
  void freshTopicsAndServer(TestInfo test) throws Exception {
    boolean cityScale =
        test.getTestMethod().map(m -> m.getName().startsWith("cityScale")).orElse(false);
    if (cityScale && city == null) {
      city = CityMaps.generate();
    }
    topics = Topics.withPrefix("console-" + UUID.randomUUID().toString().substring(0, 8) + ".");
    kafka.createTopics(
        List.of(
            new NewTopic(topics.workOrders(), 2, (short) 1)
                .configs(Map.of("cleanup.policy", "compact")),
            new NewTopic(topics.actions(), 2, (short) 1),
            new NewTopic(topics.violations(), 2, (short) 1),
            new NewTopic(topics.deadLetters(), 1, (short) 1),
            new NewTopic(topics.camera(), 2, (short) 1),
            new NewTopic(topics.parking(), 2, (short) 1)));
    server =
        ViewsServer.start(
            ViewsConfig.builder()
                .kafkaBootstrap(kafka.bootstrapServers())
                .topics(topics)
                .httpPort(0)
                .tokens(TokenRegistryTest.registry())
                .stateDir(state)
                .blockMaps(cityScale ? city : BlockMaps.of(lane))
                .deviceHealth(
                    new DeviceHealth.Settings(CAMERA_OFFLINE, Duration.ofMinutes(30), 3.3))
                .build());
    closeAfter.add(server);
    assertTrue(server.awaitReady(Duration.ofSeconds(30)));
  }

  @AfterEach
  void closeAll() throws Exception {
    if (chrome != null) {
      chrome.close();
    }
    for (int i = closeAfter.size() - 1; i >= 0; i--) {
      closeAfter.get(i).close();
    }
  }

  // ---- fixtures --------------------------------------------------------------------------------

  WebDriver browser(int width, int height) {
    chrome = HeadlessChromium.start(chromium, chromedriver, profile, width, height);
    browser = chrome.driver();
    return browser;
  }

  String base() {
    return "http://127.0.0.1:" + server.port();
  }

  /** Opens the console, signs in with {@code token} and waits for the live feed. */
  void signIn(String token) {
    browser.get(base() + "/console");
    WebElement input = waitFor(By.id("token"));
    input.sendKeys(token);
    browser.findElement(By.cssSelector("#login-form button")).click();
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> !d.findElements(By.cssSelector("#live.on")).isEmpty());
    assertFalse(browser.getCurrentUrl().contains(token), "the token must never be in the URL");
  }

  WebElement waitFor(By by) {
    return new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> d.findElements(by).stream().findFirst().orElse(null));
  }

  By row(String id) {
    return By.cssSelector("tr[data-order-id='" + id + "']");
  }

  void viewportKeepingPage(int width, int height) {
    chrome.resizeViewport(width, height);
  }

  Object js(String script, Object... args) {
    return chrome.js(script, args);
  }

  Path screenshot(String name) throws Exception {
    return chrome.screenshot(SCREENSHOTS, name);
  }

  /** A dispatched order detected {@code agoSeconds} ago, with fresh deadlines from now. */
  static WorkOrder order(String id, String team, String zone, long agoSeconds) {
    Instant detected = Instant.now().minusSeconds(agoSeconds).truncatedTo(ChronoUnit.MILLIS);
    WorkOrder o = TestOrders.dispatched(id, team);
    o.setZoneId(zone);
    o.setOrderKey("jiashan-lane/" + zone + "/" + o.getType());
    o.setDetectedAt(detected);
    o.setFiledAt(detected.plusSeconds(1));
    o.setUpdatedAt(detected.plusSeconds(1));
    o.setDispatchedAt(detected);
    for (WorkOrderTransition t : o.getHistory()) {
      t.setAt(detected);
      t.setRecordedAt(detected.plusSeconds(1));
      t.setReason(
          t.getKind() == TransitionKind.FILE
              ? "stall stood in the lane for the rule's dwell"
              : "routed by the block map to " + team);
    }
    o.setAcceptBy(detected.plus(Duration.ofMinutes(15)));
    o.setResolveBy(detected.plus(Duration.ofMinutes(60)));
    return o;
  }

  /** Writes orders as the work-order operator does: in one Kafka transaction, keyed by id. */
  void write(WorkOrder... orders) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "console-it-" + UUID.randomUUID());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.initTransactions();
      producer.beginTransaction();
      for (WorkOrder o : orders) {
        producer.send(new ProducerRecord<>(topics.workOrders(), o.getId(), ORDERS.encode(o)));
      }
      producer.commitTransaction();
    }
  }

  /** Set: {@link #streetAlive}'s devices send nothing at all (an outage of the whole street). */
  volatile boolean streetSilent;

  /**
   * The street's devices, live: every camera in the returned set sends a frame each 500 ms, every
   * sensor a reading ({@code JS-P-01} at {@code batteryV}). Remove a camera to silence it.
   */
  Set<String> streetAlive(double batteryV) {
    streetSilent = false;
    Set<String> sending = java.util.concurrent.ConcurrentHashMap.newKeySet();
    lane.cameras().forEach(c -> sending.add(c.id()));
    Thread street =
        new Thread(
            () -> {
              while (!Thread.currentThread().isInterrupted()) {
                if (!streetSilent) {
                  devicesAlive(Set.copyOf(sending), batteryV);
                }
                try {
                  Thread.sleep(500);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "street-devices");
    street.setDaemon(true);
    street.start();
    closeAfter.add(
        () -> {
          street.interrupt();
          street.join(5000);
        });
    return sending;
  }

  /** One frame of an empty street from each camera, one reading from each sensor, now. */
  void devicesAlive(Set<String> cameras, double batteryV) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      for (Camera c : lane.cameras()) {
        if (cameras.contains(c.id())) {
          CameraFrame f =
              CameraFrame.newBuilder()
                  .setBlockId(lane.id())
                  .setCameraId(c.id())
                  .setEventTime(now)
                  .setFrame(now.toEpochMilli() / 1000)
                  .setObjects(List.of())
                  .setReceivedAt(now)
                  .build();
          producer.send(
              new ProducerRecord<>(
                  topics.camera(),
                  lane.id() + "/" + c.id(),
                  AvroCodec.of(CameraFrame.class).encode(f)));
        }
      }
      for (Sensor sn : lane.sensors()) {
        ParkingSensorEvent e =
            ParkingSensorEvent.newBuilder()
                .setBlockId(lane.id())
                .setSensorId(sn.id())
                .setZoneId(sn.zone())
                .setEventTime(now)
                .setSeq(1)
                .setOccupied(false)
                .setKind(SensorMessageKind.HEARTBEAT)
                .setBatteryV(sn.id().equals("JS-P-01") ? batteryV : 3.6)
                .setReceivedAt(now)
                .build();
        producer.send(
            new ProducerRecord<>(
                topics.parking(),
                lane.id() + "/" + sn.id(),
                AvroCodec.of(ParkingSensorEvent.class).encode(e)));
      }
      producer.flush();
    }
  }

  /** The first command on the actions topic (waits up to 15 s). */
  TeamAction nextAction() throws Exception {
    return nextAction(null);
  }

  /** The first command of {@code type} (any, when null) on the actions topic (waits up to 15 s). */
  TeamAction nextAction(TeamActionType type) throws Exception {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(topics.actions())
          .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.currentTimeMillis() + 15_000;
      while (System.currentTimeMillis() < deadline) {
        for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TeamAction action = ACTIONS.decode(r.value());
          if (type == null || action.getAction() == type) {
            return action;
          }
        }
      }
    }
    throw new AssertionError("no command on " + topics.actions());
  }

  /** What the work-order operator does with a REROUTE: new team, fresh accept deadline. */
  static WorkOrder rerouted(WorkOrder o, TeamAction action) {
    WorkOrder next = WorkOrder.newBuilder(o).build();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<WorkOrderTransition> history = new ArrayList<>(o.getHistory());
    WorkOrderTransition t =
        TestOrders.transition(
            o.getStatus(),
            WorkOrderStatus.DISPATCHED,
            TransitionKind.REROUTE,
            action.getActor(),
            at);
    t.setActionId(action.getActionId());
    t.setNote(action.getNote());
    history.add(t);
    next.setHistory(history);
    next.setTeamId(action.getTeamId());
    next.setStatus(WorkOrderStatus.DISPATCHED);
    next.setDispatchedAt(at);
    next.setAcceptBy(at.plus(Duration.ofMinutes(15)));
    next.setUpdatedAt(at);
    return next;
  }

  /**
   * What the work-order operator does with a NOTE or an ops ESCALATE (WorkOrderLoop): one more
   * entry with the status unchanged; a note becomes the latest note, an escalation flags the order.
   */
  static WorkOrder notedOrEscalated(WorkOrder o, TeamAction action) {
    WorkOrder next = WorkOrder.newBuilder(o).build();
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    boolean note = action.getAction() == TeamActionType.NOTE;
    WorkOrderTransition t =
        TestOrders.transition(
            o.getStatus(),
            o.getStatus(),
            note ? TransitionKind.NOTE : TransitionKind.ESCALATE,
            action.getActor(),
            at);
    t.setActionId(action.getActionId());
    t.setNote(action.getNote());
    t.setReason(
        note
            ? "note by " + action.getActor()
            : "escalated by " + action.getActor() + ": " + action.getNote());
    List<WorkOrderTransition> history = new ArrayList<>(o.getHistory());
    history.add(t);
    next.setHistory(history);
    next.setLatestNote(
        note ? action.getNote() : "escalated by the operations centre: " + action.getNote());
    if (!note) {
      next.setEscalated(true);
    }
    next.setUpdatedAt(at);
    return next;
  }

  // ---- tests -----------------------------------------------------------------------------------

  @Test
  void newOrderShowsWithinASecond_slaCounts_operatorReroutes() throws Exception {
    streetAlive(3.6);
    WorkOrder overdue = order("WO-OVERDUE", "team-a", "JS-Z-F01", 20 * 60);
    overdue.setShopId("JS-S-01");
    overdue.setShopName("Lane 550 noodle house");
    overdue.setEscalated(true);
    overdue.setEscalations(List.of("ACCEPT"));
    write(overdue, order("WO-EARLY", "team-b", "JS-Z-F02", 60));
    browser(1920, 1080);
    signIn(OPS);
    waitFor(row("WO-EARLY"));
    assertTrue(
        browser
            .findElement(row("WO-OVERDUE"))
            .findElement(By.cssSelector(".c-sla span"))
            .getAttribute("class")
            .contains("overdue"),
        "an order past its accept deadline is red");
    assertEquals(
        "escalated",
        browser
            .findElement(By.cssSelector("tr[data-order-id='WO-OVERDUE'] .c-sla .badge.esc"))
            .getText());

    // A click on a zone: its shop and permits, its devices, the open order and how long it stands.
    assertEquals("overdue", zoneState("JS-Z-F01"));
    assertEquals(
        Boolean.TRUE, js("return window.streetsenseConsole.openZone('jiashan-lane/JS-Z-F01')"));
    // The popup is redrawn live (its dwell counts): read one whole rendering of it.
    String popupText =
        new WebDriverWait(browser, Duration.ofSeconds(5))
            .ignoring(StaleElementReferenceException.class)
            .until(
                d -> {
                  String t = d.findElement(By.cssSelector(".leaflet-popup .zone-popup")).getText();
                  return t.contains("ILLEGAL_STALL · DISPATCHED standing 20:") ? t : null;
                });
    assertTrue(popupText.contains("shop: Lane 550 noodle house (restaurant)"), popupText);
    assertTrue(popupText.contains("outdoor permits: none"), popupText);
    assertTrue(popupText.contains("JS-C-01 online"), popupText);
    js("window.streetsenseConsole.openZone('jiashan-lane/JS-Z-F02')");
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(
            d ->
                d.findElement(By.cssSelector(".leaflet-popup .zone-popup"))
                    .getText()
                    .contains("11:00–22:00"));
    WebElement popup = browser.findElement(By.cssSelector(".leaflet-popup .zone-popup"));
    String f02 = popup.getText();
    assertTrue(f02.contains("Old Market tavern"), f02);
    popup.findElement(By.tagName("a")).click();
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> d.findElement(By.cssSelector("#detail h2")).getText().equals("WO-EARLY"));

    // Committed to Kafka → on the operator's screen within 1 s.
    WorkOrder fresh = order("WO-FRESH", "team-a", "JS-Z-NV1", 5);
    Instant seen = fresh.getDetectedAt();
    fresh.setEvidence(
        new Evidence(
            List.of(
                CameraEvidence.newBuilder()
                    .setCameraId("JS-C-01")
                    .setFirstFrameAt(seen)
                    .setLastFrameAt(seen.plusSeconds(180))
                    .setFramesObserved(180)
                    .setFramesWithObject(171)
                    .setSampleFrames(List.of(1L, 90L, 180L))
                    .setTracks(List.of("991"))
                    .setBoxes(
                        List.of(
                            new Box(0.41, 0.80, 0.08, 0.12),
                            new Box(0.415, 0.805, 0.08, 0.12),
                            new Box(0.42, 0.80, 0.08, 0.12)))
                    .build()),
            null));
    write(fresh);
    long committed = System.nanoTime();
    new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(10))
        .until(d -> !d.findElements(row("WO-FRESH")).isEmpty());
    long shownMs = (System.nanoTime() - committed) / 1_000_000;
    System.out.println("console: order committed → shown in the queue in " + shownMs + " ms");
    assertTrue(shownMs <= 1000, "shown after " + shownMs + " ms");

    // The SLA timer counts down.
    By sla = By.cssSelector("tr[data-order-id='WO-FRESH'] .c-sla span");
    String before = browser.findElement(sla).getText();
    assertTrue(before.startsWith("accept in "), before);
    Thread.sleep(2100);
    String after = browser.findElement(sla).getText();
    assertNotEquals(before, after, "the timer counts");

    // Select it: detail with evidence and timeline; the selection is kept in the URL.
    browser.findElement(row("WO-FRESH")).click();
    waitFor(By.id("reroute"));
    assertTrue(browser.getCurrentUrl().contains("order=WO-FRESH"), browser.getCurrentUrl());
    assertEquals(2, browser.findElements(By.cssSelector("#detail .timeline li")).size());
    assertEquals(
        3,
        browser
            .findElements(By.cssSelector("#detail svg.evidence[data-camera='JS-C-01'] rect.box"))
            .size(),
        "the camera's boxes");
    assertEquals(
        1,
        browser
            .findElements(
                By.cssSelector("#detail svg.evidence[data-camera='JS-C-01'] polygon.outline"))
            .size(),
        "over the zone's outline in that camera's image");
    screenshot("console-1920x1080.png");

    // A reroute without a team is refused by the API, and the page says why.
    browser.findElement(By.id("reroute")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("[data-field=action-result]"))
                    .getText()
                    .contains("refused"));

    // Reroute to team-b: the command goes on the actions topic like the API's own.
    browser.findElement(By.id("reroute-team")).sendKeys("team-b");
    browser.findElement(By.id("reroute-note")).sendKeys("vehicles, not a stall");
    browser.findElement(By.id("reroute")).click();
    TeamAction action = nextAction();
    assertEquals(TeamActionType.REROUTE, action.getAction());
    assertEquals("WO-FRESH", action.getWorkOrderId());
    assertEquals("team-b", action.getTeamId());
    assertEquals("ops:duty", action.getActor());
    assertEquals("vehicles, not a stall", action.getNote());
    assertEquals(fresh.getOrderKey(), action.getOrderKey());

    // The operator applies it; the queue, the detail and team-b's API all show the new team.
    write(rerouted(fresh, action));
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(
            d ->
                d.findElement(By.cssSelector("tr[data-order-id='WO-FRESH'] .c-team"))
                    .getText()
                    .equals("team-b"));
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("[data-field=action-result]"))
                    .getText()
                    .equals("reroute: applied"));
    assertEquals(3, browser.findElements(By.cssSelector("#detail .timeline li")).size());

    // A note from the page: on the actions topic as a NOTE, then in the timeline and the detail.
    WorkOrder current = rerouted(fresh, action);
    browser.findElement(By.id("note-text")).sendKeys("owner says the cart is a neighbour's");
    browser.findElement(By.id("add-note")).click();
    TeamAction note = nextAction(TeamActionType.NOTE);
    assertEquals("WO-FRESH", note.getWorkOrderId());
    assertEquals("ops:duty", note.getActor());
    assertEquals("owner says the cart is a neighbour's", note.getNote());
    assertEquals(fresh.getOrderKey(), note.getOrderKey());
    current = notedOrEscalated(current, note);
    write(current);
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("[data-field=action-result]"))
                    .getText()
                    .equals("note: applied"));
    assertEquals(
        "",
        browser.findElement(By.id("note-text")).getAttribute("value"),
        "an applied note is not sent twice by a second click");
    WebElement noted = waitFor(By.cssSelector("#detail .timeline li[data-kind='NOTE']"));
    assertTrue(noted.getText().contains("by ops:duty"), noted.getText());
    assertTrue(
        noted.getText().contains("note: owner says the cart is a neighbour's"), noted.getText());
    assertEquals(
        "owner says the cart is a neighbour's",
        browser.findElement(By.cssSelector("#detail [data-field=latest-note]")).getText());
    assertTrue(
        browser.findElements(By.cssSelector("tr[data-order-id='WO-FRESH'] .badge.esc")).isEmpty(),
        "a note does not flag the order");

    // An escalation without a reason is refused by the API, and the page says why.
    browser.findElement(By.id("escalate")).click();
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("[data-field=action-result]"))
                    .getText()
                    .matches("escalate refused: 'note' must not be blank"));

    // With a reason: an ESCALATE command; applied, the queue shows the badge, the timeline who and
    // why.
    browser.findElement(By.id("escalate-note")).sendKeys("third complaint from the shop today");
    browser.findElement(By.id("escalate")).click();
    TeamAction escalate = nextAction(TeamActionType.ESCALATE);
    assertEquals("ops:duty", escalate.getActor());
    assertEquals("third complaint from the shop today", escalate.getNote());
    current = notedOrEscalated(current, escalate);
    write(current);
    WebElement badge =
        new WebDriverWait(browser, Duration.ofSeconds(5))
            .until(
                d ->
                    d
                        .findElements(
                            By.cssSelector("tr[data-order-id='WO-FRESH'] .c-sla .badge.esc"))
                        .stream()
                        .findFirst()
                        .orElse(null));
    assertEquals("escalated", badge.getText());
    assertTrue(
        badge.getAttribute("title").contains("third complaint from the shop today"),
        badge.getAttribute("title"));
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(
            d ->
                d.findElement(By.cssSelector("[data-field=action-result]"))
                    .getText()
                    .equals("escalate: applied"));
    WebElement escalatedEntry =
        waitFor(By.cssSelector("#detail .timeline li[data-kind='ESCALATE']"));
    assertTrue(
        escalatedEntry
            .getText()
            .contains("escalated by ops:duty: third complaint from the shop today"),
        escalatedEntry.getText());
    assertEquals(
        "escalated",
        browser.findElement(By.cssSelector("#detail [data-field=escalated]")).getText());
    assertEquals(5, browser.findElements(By.cssSelector("#detail .timeline li")).size());
    screenshot("console-note-escalate.png");

    HttpResponse<String> teamB =
        ServerHttp.get(server, "/teams/v1/workorders/WO-FRESH", TokenRegistryTest.B);
    assertEquals(200, teamB.statusCode());
    assertEquals(404, ServerHttp.get(server, "/teams/v1/workorders/WO-FRESH", A).statusCode());

    viewportKeepingPage(1366, 768);
    Thread.sleep(300);
    screenshot("console-1366x768.png");

    // The view state is the URL: a bookmarked address opens the same filters, order and map.
    browser.get(base() + "/console?team=team-b&order=WO-FRESH&map=31.21050,121.45746,18");
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> !d.findElements(By.cssSelector("#live.on")).isEmpty());
    waitFor(row("WO-FRESH"));
    assertEquals("team-b", browser.findElement(By.id("f-team")).getAttribute("value"));
    assertTrue(browser.findElements(row("WO-OVERDUE")).isEmpty(), "team-a's order filtered out");
    assertEquals("WO-FRESH", waitFor(By.cssSelector("#detail h2")).getText());
    assertEquals(18L, ((Number) js("return window.streetsenseConsole.mapView()[2]")).longValue());
    assertFalse(browser.getCurrentUrl().contains(OPS));
  }

  @Test
  void aCameraGoingOfflineTurnsItsZonesUnknown_lowBatteryListed() throws Exception {
    Set<String> sending = streetAlive(3.1);
    browser(1366, 768);
    signIn(OPS);
    // Every device heard from: the zones are clear, and the weak sensor is listed.
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> "clear".equals(zoneState("JS-Z-F05")));
    waitFor(By.cssSelector("#devices [data-battery='jiashan-lane/JS-P-01']"));

    // JS-C-02 (the south side: F05–F08) goes silent; JS-C-01 keeps sending.
    sending.remove("JS-C-02");
    long silent = System.nanoTime();
    new WebDriverWait(browser, CAMERA_OFFLINE.plusSeconds(5), Duration.ofMillis(50))
        .until(d -> "unknown".equals(zoneState("JS-Z-F05")));
    System.out.printf(
        "console: camera silent → its zone unknown after %d ms (offline limit %d ms)%n",
        (System.nanoTime() - silent) / 1_000_000, CAMERA_OFFLINE.toMillis());
    assertEquals("clear", zoneState("JS-Z-F01"), "the north side is still watched");
    WebElement offline = waitFor(By.cssSelector("#devices [data-device='jiashan-lane/JS-C-02']"));
    assertTrue(offline.getText().contains("offline since"), offline.getText());
    assertTrue(
        browser
            .findElements(By.cssSelector("#devices [data-device='jiashan-lane/JS-C-01']"))
            .isEmpty());
    screenshot("console-device-offline-1366x768.png");

    // It comes back: the zone is clear again.
    sending.add("JS-C-02");
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> "clear".equals(zoneState("JS-Z-F05")));
    assertTrue(
        browser.findElement(By.id("street-banner")).getText().isEmpty(),
        "a live street: no warning");

    // Every camera and sensor falls silent: the street's clock runs on, every device goes
    // offline, every zone turns unknown, and the banner says nothing has been heard.
    streetSilent = true;
    long outage = System.nanoTime();
    new WebDriverWait(browser, CAMERA_OFFLINE.plusSeconds(5), Duration.ofMillis(50))
        .until(
            d ->
                "unknown".equals(zoneState("JS-Z-F01")) && "unknown".equals(zoneState("JS-Z-F05")));
    new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(50))
        .until(
            d -> d.findElement(By.id("street-banner")).getText().contains("no device heard for"));
    System.out.printf(
        "console: every device silent → zones unknown and the banner \"%s\" after %d ms%n",
        browser.findElement(By.id("street-banner")).getText(),
        (System.nanoTime() - outage) / 1_000_000);
    assertTrue(browser.findElement(By.id("street-banner")).isDisplayed());
    screenshot("console-street-silent-1366x768.png");
    streetSilent = false;
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> "clear".equals(zoneState("JS-Z-F05")));
  }

  /** A violation event as the detectors write it, keyed blockId/zoneId/type. */
  void violation(ViolationEventKind kind, String zone, Instant detected) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    ViolationEvent e = ViolationStandingTest.event(kind, zone, detected, Instant.now());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(
          new ProducerRecord<>(
              topics.violations(),
              lane.id() + "/" + zone + "/ILLEGAL_STALL",
              AvroCodec.of(ViolationEvent.class).encode(e)));
      producer.flush();
    }
  }

  @Test
  void aViolationStandsOnTheMapFromTheViolationsTopic_untilItClears() throws Exception {
    streetAlive(3.6);
    browser(1366, 768);
    signIn(OPS);
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> "clear".equals(zoneState("JS-Z-F03")));

    // The detectors open a violation (no order yet): the zone stands, with how long.
    Instant detected = Instant.now().truncatedTo(ChronoUnit.MILLIS).minusSeconds(150);
    violation(ViolationEventKind.OPENED, "JS-Z-F03", detected);
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> "standing".equals(zoneState("JS-Z-F03")));
    assertEquals("clear", zoneState("JS-Z-F04"), "only that zone");
    js("window.streetsenseConsole.openZone('jiashan-lane/JS-Z-F03')");
    // The popup is redrawn live (the time counts): wait for one whole rendering that says it.
    String standing =
        new WebDriverWait(browser, Duration.ofSeconds(5))
            .ignoring(StaleElementReferenceException.class)
            .until(
                d -> {
                  String t =
                      d.findElement(
                              By.cssSelector(".leaflet-popup .zone-popup [data-field=violation]"))
                          .getText();
                  return t.matches("violation standing 2:3\\d \\(ILLEGAL_STALL\\)") ? t : null;
                });
    System.out.println("console: zone popup says '" + standing + "'");

    // Cleared: the zone is clear again.
    violation(ViolationEventKind.CLEARED, "JS-Z-F03", detected);
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> "clear".equals(zoneState("JS-Z-F03")));

    // A page opened now gets the current state whole (nothing stands), and a new one stands again.
    violation(ViolationEventKind.OPENED, "JS-Z-F04", Instant.now().truncatedTo(ChronoUnit.MILLIS));
    browser.navigate().refresh();
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> "standing".equals(zoneState("JS-Z-F04")));
    assertEquals("clear", zoneState("JS-Z-F03"));
  }

  Object zoneState(String zone) {
    return js("return window.streetsenseConsole.zoneState(arguments[0])", "jiashan-lane/" + zone);
  }

  @Test
  void aTeamTokenSeesOnlyItsOwnOrders() throws Exception {
    WorkOrder mine = order("WO-A", "team-a", "JS-Z-F01", 30);
    write(mine, order("WO-B", "team-b", "JS-Z-F02", 30));
    browser(1366, 768);
    signIn(A);
    waitFor(row("WO-A"));
    assertTrue(browser.findElements(row("WO-B")).isEmpty(), "another team's order is not shown");
    assertTrue(browser.getPageSource().indexOf("WO-B") < 0, "nor anywhere in the page");
    waitFor(row("WO-A")).click();
    assertTrue(
        browser.findElements(By.id("reroute")).isEmpty(), "a team has no operations actions");

    // Live: another team's new order never arrives; ours rerouted away leaves the screen.
    write(order("WO-B2", "team-b", "JS-Z-NV1", 1), order("WO-A2", "team-a", "JS-Z-NV1", 1));
    waitFor(row("WO-A2"));
    assertTrue(browser.findElements(row("WO-B2")).isEmpty());
    TeamAction fake =
        TeamAction.newBuilder()
            .setActionId(UUID.randomUUID().toString())
            .setWorkOrderId("WO-A")
            .setOrderKey(mine.getOrderKey())
            .setAction(TeamActionType.REROUTE)
            .setActor("ops:duty")
            .setTeamId("team-b")
            .setRequestedAt(Instant.now())
            .build();
    write(rerouted(mine, fake));
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> d.findElements(row("WO-A")).isEmpty());
    assertFalse(browser.getPageSource().contains("WO-B"));
  }

  @Test
  void reconnectWithLastEventIdMissesNothingAndDoublesNothing() throws Exception {
    write(order("WO-0", "team-a", "JS-Z-F01", 30));
    browser(1366, 768);
    signIn(OPS);
    waitFor(row("WO-0"));
    String lastId = (String) js("return window.streetsenseConsole.lastEventId()");
    assertTrue(lastId != null && lastId.contains("-"), lastId);

    // Drop the stream; while it is down, 30 orders are committed in three transactions and one
    // order is changed; then the page reconnects with Last-Event-ID.
    js("window.streetsenseConsole.reconnect(2500)");
    new WebDriverWait(browser, Duration.ofSeconds(5))
        .until(d -> !d.findElements(By.cssSelector("#live.off")).isEmpty());
    Set<String> expected = new HashSet<>(Set.of("WO-0"));
    for (int t = 0; t < 3; t++) {
      List<WorkOrder> batch = new ArrayList<>();
      for (int i = 0; i < 10; i++) {
        String id = "WO-R" + t + "-" + i;
        batch.add(order(id, i % 2 == 0 ? "team-a" : "team-b", "JS-Z-NV1", 10));
        expected.add(id);
      }
      write(batch.toArray(WorkOrder[]::new));
    }
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> !d.findElements(By.cssSelector("#live.on")).isEmpty());
    new WebDriverWait(browser, Duration.ofSeconds(10))
        .until(d -> d.findElements(By.cssSelector("#queue tbody tr")).size() >= expected.size());
    Thread.sleep(500); // a duplicate, if any, would have arrived by now

    List<String> rows = new ArrayList<>();
    for (WebElement tr : browser.findElements(By.cssSelector("#queue tbody tr"))) {
      rows.add(tr.getAttribute("data-order-id"));
    }
    assertEquals(expected.size(), rows.size(), "no order doubled: " + rows);
    assertEquals(expected, new HashSet<>(rows), "no order missing");
    Map<?, ?> stats = (Map<?, ?>) js("return window.streetsenseConsole.stats");
    assertEquals(2L, ((Number) stats.get("connects")).longValue(), stats.toString());
    assertEquals(
        1L,
        ((Number) stats.get("snapshots")).longValue(),
        "resumed from Last-Event-ID, not re-sent whole: " + stats);
    assertEquals(30L, ((Number) stats.get("events")).longValue(), stats.toString());
  }

  @Test
  void markupInAShopNameIsShownAsText() throws Exception {
    String evil =
        "<script>window.pwned=1</script><img src=x onerror=\"window.pwned=2\"><b>Bold</b>";
    WorkOrder o = order("WO-XSS", "team-a", "JS-Z-F01", 30);
    o.setShopId("JS-S-01");
    o.setShopName(evil);
    write(o);
    browser(1366, 768);
    signIn(OPS);
    WebElement shop = waitFor(By.cssSelector("tr[data-order-id='WO-XSS'] .c-shop"));
    assertEquals(evil, shop.getText());
    assertTrue(shop.findElements(By.tagName("b")).isEmpty());
    browser.findElement(row("WO-XSS")).click();
    WebElement detailShop = waitFor(By.cssSelector("#detail [data-field=shop]"));
    assertTrue(detailShop.getText().startsWith(evil), detailShop.getText());
    assertTrue(detailShop.findElements(By.tagName("img")).isEmpty());
    Thread.sleep(300);
    assertNull(js("return window.pwned === undefined ? null : window.pwned"));
  }

  @Test
  void cityScale_1000OrdersOn15000Zones_firstRenderAndUpdate() throws Exception {
    List<BlockMap> blocks = new ArrayList<>(city.all());
    int zones = blocks.stream().mapToInt(b -> b.zones().size()).sum();
    int n = 1000;
    List<WorkOrder> orders = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      BlockMap b = blocks.get(i % blocks.size());
      Zone z = b.zones().get((i / blocks.size()) % b.zones().size());
      WorkOrder o =
          order(String.format("WO-P%04d", i), i % 3 == 0 ? "team-b" : "team-a", z.id(), 60 + i);
      o.setBlockId(b.id());
      o.setBlockName(b.name());
      o.setOrderKey(b.id() + "/" + z.id() + "/" + o.getType());
      o.setLocation(new GeoPoint(z.location().lat(), z.location().lon()));
      if (z.kind() == ZoneKind.FRONTAGE) {
        o.setShopId(z.shop().orElse(null));
        o.setShopName("Shop " + i);
      }
      orders.add(o);
    }
    for (int i = 0; i < n; i += 250) {
      write(orders.subList(i, Math.min(n, i + 250)).toArray(WorkOrder[]::new));
    }
    await(() -> server.view().size() == n);

    browser(1920, 1080);
    browser.get(base() + "/console");
    waitFor(By.id("token")).sendKeys(OPS);
    long t0 = System.nanoTime();
    browser.findElement(By.cssSelector("#login-form button")).click();
    new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(10))
        .until(
            d ->
                Boolean.TRUE.equals(
                    js(
                        "const s = window.streetsenseConsole.stats;"
                            + " return s.snapshots === 1 && s.firstRenderMs > 0"
                            + " && document.querySelectorAll('#queue tbody tr').length === arguments[0];",
                        n)));
    long firstRenderMs = (System.nanoTime() - t0) / 1_000_000;
    long markers = ((Number) js("return window.streetsenseConsole.markerCount()")).longValue();
    assertEquals(zones, markers, "every zone drawn");

    // One change: the page's time from the event to the re-rendered queue, map and KPIs.
    List<Long> applyMs = new ArrayList<>();
    for (int k = 0; k < 9; k++) {
      WorkOrder changed =
          TestOrders.moved(orders.get(k), WorkOrderStatus.ACCEPTED, "team:team-a", "on it", null);
      long before = ((Number) js("return window.streetsenseConsole.stats.events")).longValue();
      write(changed);
      new WebDriverWait(browser, Duration.ofSeconds(5), Duration.ofMillis(10))
          .until(
              d ->
                  ((Number) js("return window.streetsenseConsole.stats.events")).longValue()
                      > before);
      Thread.sleep(100);
      applyMs.add(
          Math.round(
              ((Number) js("return window.streetsenseConsole.stats.lastApplyMs")).doubleValue()));
    }
    long worstApply = applyMs.stream().mapToLong(Long::longValue).max().orElseThrow();
    long medianApply = applyMs.stream().sorted().toList().get(applyMs.size() / 2);
    System.out.printf(
        "console at city scale: %d blocks, %d zones, %d open orders: first render %d ms"
            + " (sign-in to drawn map and full queue); one change applied in %s ms (median %d,"
            + " worst %d)%n",
        blocks.size(), zones, n, firstRenderMs, applyMs, medianApply, worstApply);
    System.out.println(
        "console at city scale, in the page: "
            + js(
                "const s = window.streetsenseConsole.stats; return JSON.stringify({zonesFetchMs:"
                    + " s.zonesFetchMs, marks: s.marks, firstParts: s.firstParts, lastParts: s.parts})"));
    screenshot("console-city-1920x1080.png");
    // The targets (first render 2 s, an update 100 ms) are measured and printed above, not
    // asserted: a test's timing on a shared 2-core machine says more about the machine. What must
    // hold is that every order and every change arrived (awaited above).
    assertTrue(firstRenderMs > 0 && medianApply >= 0);
  }

  static void await(java.util.concurrent.Callable<Boolean> condition) throws Exception {
    long deadline = System.currentTimeMillis() + 30_000;
    while (!condition.call()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(50);
    }
  }
}

package io.streetsense.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.app.Pipeline;
import io.streetsense.app.PipelineSettings;
import io.streetsense.app.StateSettings;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.services.LocalServices;
import io.streetsense.services.NativePackages;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.MqttPublisher;
import io.streetsense.simulator.Scenarios;
import io.streetsense.simulator.SimulatedClock;
import io.streetsense.simulator.StreetScenario;
import io.streetsense.simulator.StreetSimulator;
import io.streetsense.testing.HeadlessChromium;
import io.streetsense.views.TokenRegistry;
import io.streetsense.views.ViewsConfig;
import io.streetsense.views.ViewsServer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The operations-centre console on the demo street, with nothing played by the test: the simulator
 * publishes the demo block's sensors and cameras over MQTT into the real bridge, the real Flink job
 * detects the scripted stall and files its work order on Kafka, and the views service serves the
 * console to headless Chromium — the parts {@code ./streetsense demo} runs, on the services it
 * starts (Mosquitto, Kafka, InfluxDB). The operator's reroute goes back through the actions topic
 * to the job, which applies it.
 *
 * <p>The street plays as the demo plays it: 20× ending now ({@link SimulatedClock#endingNow}), so
 * its time trails the wall clock by up to 30 minutes. The console runs on the street's clock (the
 * newest device time the views have heard): cameras that send are online, SLA timers count street
 * time, a silent camera turns its zones unknown after the offline limit in street time (3 wall
 * seconds at 20×), and the reroute is stamped with the street's time, so the job applies it at once
 * instead of when the street catches up with the wall clock.
 */
class ConsoleOnTheDemoStreetIT {
  static final AvroCodec<WorkOrder> ORDERS = AvroCodec.of(WorkOrder.class);
  static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

  /** The demo's defaults: 30 street minutes at 20×, ending now. */
  static final double SPEED = 20;

  static final Duration CAMERA_OFFLINE = Duration.ofSeconds(60);

  static final String OPS_PRINCIPAL = "ops:demo";

  @TempDir Path work;
  @TempDir Path profile;

  HeadlessChromium chrome;
  WebDriver browser;
  ViewsServer views;

  @Test
  void theStallOnTheConsole_rerouted_teamsSeeTheirOwn_aSilentCameraTurnsItsZonesUnknown()
      throws Exception {
    Path chromium = NativePackages.require("chromium", "chromium");
    Path chromedriver = NativePackages.require("chromedriver", "chromium-driver");
    BlockMaps maps = BlockMapLoader.loadBundledExamples();
    BlockMap block = demoBlock(maps);
    Zone stallZone =
        block.zonesOfKind(ZoneKind.NO_VENDING).stream()
            .filter(z -> !block.camerasViewing(z.id()).isEmpty())
            .findFirst()
            .orElseThrow();
    // The camera to silence: one that does not see the stall's zone; its zones that no other camera
    // and no sensor watches must turn unknown.
    Camera silent =
        block.cameras().stream()
            .filter(c -> !block.camerasViewing(stallZone.id()).contains(c))
            .findFirst()
            .orElseThrow();
    List<String> onlyItsZones = onlyWatchedBy(block, silent);
    assertFalse(onlyItsZones.isEmpty(), silent.id() + " watches zones of its own");
    String firstTeam = block.teams().get(0).id();

    try (LocalServices services = LocalServices.start(work.resolve("services"))) {
      PipelineSettings settings =
          PipelineSettings.local(
                  services.mqtt().serverUri(),
                  services.kafka().bootstrapServers(),
                  services.influx().url(),
                  Topics.defaults(),
                  Duration.ofSeconds(2),
                  true)
              .withState(StateSettings.in(work.resolve("flink-state")).withoutSavepointOnStop());
      Map<String, String> tokens = tokens(block);
      try (Pipeline pipeline = Pipeline.start(settings, maps);
          CommittedOrders committed =
              new CommittedOrders(settings.kafkaBootstrapServers(), settings.topics());
          ViewsServer started = startViews(settings, block, tokens, work.resolve("views"))) {
        views = started;
        chrome = HeadlessChromium.start(chromium, chromedriver, profile, 1366, 768);
        browser = chrome.driver();
        signIn(tokens.get(OPS_PRINCIPAL));
        recordRowsAsTheyAppear();

        Set<String> silenced = ConcurrentHashMap.newKeySet();
        Street street = Street.play(block, settings.mqttServerUri(), silenced);
        try {
          // The stall's order, as a read_committed consumer of the work-orders topic sees it.
          WorkOrder order =
              committed.await(
                  o -> o.getZoneId().equals(stallZone.id()) && o.getTeamId() != null,
                  Duration.ofSeconds(90),
                  street);
          long committedAt = committed.firstSeenMillis(order.getId());
          String id = order.getId();
          assertEquals(firstTeam, order.getTeamId(), "routed by the block map");
          System.out.printf(
              "demo street: order %s %s -> %s committed at street time %s (%d s behind the wall"
                  + " clock)%n",
              id,
              order.getStatus(),
              order.getTeamId(),
              street.now(),
              Duration.between(street.now(), Instant.now()).toSeconds());

          // On the operator's screen: in the queue and on the map.
          new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(20))
              .until(d -> !d.findElements(row(id)).isEmpty());
          long shownAt =
              ((Number) chrome.js("return window.__rowSeen[arguments[0]]", id)).longValue();
          long delayMs = shownAt - committedAt;
          System.out.printf(
              "console on the demo street: order %s committed (seen by a read_committed consumer)"
                  + " at %d, in the queue at %d: %d ms%n",
              id, committedAt, shownAt, delayMs);
          assertTrue(delayMs <= 5000, "in the queue " + delayMs + " ms after its commit");
          String zoneKey = block.id() + "/" + stallZone.id();
          new WebDriverWait(browser, Duration.ofSeconds(5))
              .until(d -> "open".equals(zoneState(zoneKey)));

          // The page runs on the street's clock, minutes behind the wall clock, and says so.
          camerasShownOnline(block);
          long pageStreet =
              ((Number) chrome.js("return window.streetsenseConsole.streetNow()")).longValue();
          long streetAt = street.now().toEpochMilli();
          long behind = System.currentTimeMillis() - pageStreet;
          System.out.printf(
              "console on the demo street: page's street time %s, %d ms from the street's, %d s"
                  + " behind the wall clock; banner: %s%n",
              Instant.ofEpochMilli(pageStreet),
              pageStreet - streetAt,
              behind / 1000,
              browser.findElement(By.id("street-banner")).getText());
          // One second of wall time is 20 s of street time: the page follows within a few.
          assertTrue(
              Math.abs(pageStreet - streetAt) <= 60_000,
              "page's street time " + (pageStreet - streetAt) + " ms from the street's");
          assertTrue(behind > CAMERA_OFFLINE.toMillis(), "the demo street runs behind");
          assertTrue(
              browser
                  .findElement(By.id("street-banner"))
                  .getText()
                  .contains("behind the wall clock"),
              "the banner says the street runs behind");
          assertTrue(browser.findElement(By.id("clock")).getText().startsWith("street "));

          // Its SLA timer counts down to the accept deadline, in street time.
          By sla = By.cssSelector("tr[data-order-id='" + id + "'] .c-sla span");
          String before = browser.findElement(sla).getText();
          assertTrue(before.startsWith("accept in "), before);
          new WebDriverWait(browser, Duration.ofSeconds(5))
              .until(d -> !d.findElement(sla).getText().equals(before));
          String after = browser.findElement(sla).getText();
          assertTrue(after.startsWith("accept in "), after);
          assertNotEquals(before, after);

          // The operator reroutes it in the page; the job applies it within seconds: the command
          // carries the street's time (the newest device time), which the job's event time reaches
          // once its slowest source has: here the berth sensors, which send only now and then
          // (their partitions count as idle after 30 s). Stamped with the wall clock it would wait
          // until the street caught up with the wall clock: over a minute at 20x.
          String newTeam = block.teams().get(1).id();
          browser.findElement(row(id)).click();
          chrome.waitFor(By.id("reroute"), Duration.ofSeconds(10));
          browser.findElement(By.id("reroute-team")).sendKeys(newTeam);
          browser.findElement(By.id("reroute-note")).sendKeys("a fruit cart: market supervision");
          long rerouteAt = System.currentTimeMillis();
          browser.findElement(By.id("reroute")).click();
          new WebDriverWait(browser, Duration.ofSeconds(30), Duration.ofMillis(20))
              .until(
                  d ->
                      d.findElement(By.cssSelector("tr[data-order-id='" + id + "'] .c-team"))
                          .getText()
                          .equals(newTeam));
          long rerouteMs = System.currentTimeMillis() - rerouteAt;
          System.out.printf(
              "console on the demo street: reroute clicked → new team in the queue after %d ms%n",
              rerouteMs);
          assertTrue(rerouteMs <= 15_000, "reroute applied after " + rerouteMs + " ms");
          WorkOrder rerouted =
              committed.await(
                  o -> o.getId().equals(id) && newTeam.equals(o.getTeamId()),
                  Duration.ofSeconds(10),
                  street);
          assertEquals("DISPATCHED", rerouted.getStatus().name());
          System.out.printf(
              "console on the demo street: the reroute in the order's history: %s%n",
              rerouted.getHistory().get(rerouted.getHistory().size() - 1));
          camerasShownOnline(block);

          // One camera goes silent: its zones turn unknown once the offline limit has passed in
          // street time (3 wall seconds at 20×).
          for (String zone : onlyItsZones) {
            assertEquals("clear", zoneState(block.id() + "/" + zone), zone + " clear while heard");
          }
          silenced.add(silent.id());
          long silentFrom = System.currentTimeMillis();
          Instant silentFromStreet = street.now();
          for (String zone : onlyItsZones) {
            new WebDriverWait(browser, Duration.ofSeconds(15), Duration.ofMillis(50))
                .until(d -> "unknown".equals(zoneState(block.id() + "/" + zone)));
          }
          long unknownAfterMs = System.currentTimeMillis() - silentFrom;
          Duration unknownAfterStreet = Duration.between(silentFromStreet, street.now());
          System.out.printf(
              "console on the demo street: camera %s silent → its zones %s unknown after %d ms"
                  + " (%d s of street time; offline after %d s without a frame)%n",
              silent.id(),
              onlyItsZones,
              unknownAfterMs,
              unknownAfterStreet.toSeconds(),
              CAMERA_OFFLINE.toSeconds());
          // The limit, plus one re-evaluation a wall second and the way to the page.
          assertTrue(
              unknownAfterStreet.compareTo(CAMERA_OFFLINE.plusSeconds(60)) <= 0,
              "unknown after " + unknownAfterStreet + " of street time");
          assertEquals("open", zoneState(zoneKey));
          assertTrue(
              chrome
                  .waitFor(
                      By.cssSelector(
                          "#devices [data-device='" + block.id() + "/" + silent.id() + "']"),
                      Duration.ofSeconds(5))
                  .getText()
                  .contains("offline"));
          browser.findElement(row(id)).click();
          chrome.waitFor(By.cssSelector("#detail h2"), Duration.ofSeconds(5));
          chrome.screenshot(SCREENSHOTS, "console-demo-street-1366x768.png");

          // The teams' API: the new team has it, the first team no longer.
          HttpResponse<String> mine = get("/teams/v1/workorders/" + id, tokens.get(newTeam));
          assertEquals(200, mine.statusCode(), mine.body());
          assertTrue(mine.body().contains("\"" + newTeam + "\""), mine.body());
          assertTrue(get("/teams/v1/workorders", tokens.get(newTeam)).body().contains(id));
          assertEquals(404, get("/teams/v1/workorders/" + id, tokens.get(firstTeam)).statusCode());
          assertFalse(get("/teams/v1/workorders", tokens.get(firstTeam)).body().contains(id));

          // A team's page holds that team's orders only (the order may have left the queue by
          // now: at 20× the stall clears a few wall seconds after the reroute).
          signOut();
          signIn(tokens.get(newTeam));
          new WebDriverWait(browser, Duration.ofSeconds(15)).until(d -> orderIds().contains(id));
          for (var team : browser.findElements(By.cssSelector("#queue tbody tr .c-team"))) {
            assertEquals(newTeam, team.getText(), "a team's queue holds its own orders");
          }
          assertTrue(browser.findElements(By.id("reroute")).isEmpty(), "no operations commands");
          signOut();
          signIn(tokens.get(firstTeam));
          new WebDriverWait(browser, Duration.ofSeconds(15))
              .until(d -> d.findElement(By.id("count")).getText().equals("0 open"));
          assertFalse(orderIds().contains(id), "another team's order is not held");
          assertFalse(browser.getPageSource().contains(id), "another team's order is not shown");
        } finally {
          street.close();
        }
        assertFalse(pipeline.failure().isDone(), "the pipeline kept running");
      } finally {
        if (chrome != null) {
          chrome.close();
        }
      }
    }
  }

  // ---- the street ------------------------------------------------------------------------------

  /**
   * The demo scenario of the block (seed 1, 30 minutes, stall from minute 3) published over MQTT by
   * the simulator on its own thread, paced as {@code ./streetsense demo} paces it: 20× on a clock
   * ending now; cameras in {@code silenced} send nothing from the moment they are added.
   */
  static final class Street implements AutoCloseable {
    final SimulatedClock clock;
    final StreetSimulator simulator;
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final Thread thread;
    private volatile Instant began;

    private Street(BlockMap block, String mqttUri, Set<String> silenced) throws Exception {
      clock = SimulatedClock.endingNow(Scenarios.DEMO_DURATION, SPEED);
      StreetScenario scenario =
          Scenarios.demo(block, 1, Scenarios.DEMO_DURATION).startingAt(clock.simStart());
      scenario.groundTruth().detectable().forEach(v -> System.out.println("  scripted: " + v));
      Iterator<DeviceMessage> messages =
          without(
              scenario.iterator(),
              m -> m.kind() == DeviceMessage.Kind.CAMERA && silenced.contains(m.deviceId()));
      simulator =
          new StreetSimulator(
              MqttPublisher.connect(mqttUri, null, MqttPublisher.DEFAULT_MAX_INFLIGHT),
              clock,
              Clock.systemUTC(),
              Duration.ofSeconds(5));
      thread =
          new Thread(
              () -> {
                try {
                  // The simulator anchors its pacing as its run begins (SimulatedClock.anchoredAt).
                  began = Instant.now();
                  simulator.run(
                      messages,
                      (sent, at) ->
                          System.out.printf(
                              "  [street %s] %,d messages published%n",
                              at == null ? "-" : at.atZone(block.timezone()).toLocalTime(), sent));
                } catch (Throwable e) {
                  failure.set(e);
                }
              },
              "demo-street");
      thread.setDaemon(true);
    }

    static Street play(BlockMap block, String mqttUri, Set<String> silenced) throws Exception {
      Street street = new Street(block, mqttUri, silenced);
      street.thread.start();
      return street;
    }

    /** The street's time now: what the simulator is publishing. */
    Instant now() {
      Instant from = began;
      return from == null ? clock.simStart() : clock.anchoredAt(from).simTimeAt(Instant.now());
    }

    @Override
    public void close() throws InterruptedException {
      simulator.close();
      thread.join(10_000);
    }
  }

  /** {@code messages} without those matching {@code drop} (asked as each message comes). */
  static Iterator<DeviceMessage> without(
      Iterator<DeviceMessage> messages, Predicate<DeviceMessage> drop) {
    return new Iterator<>() {
      DeviceMessage next;

      @Override
      public boolean hasNext() {
        while (next == null && messages.hasNext()) {
          DeviceMessage m = messages.next();
          if (!drop.test(m)) {
            next = m;
          }
        }
        return next != null;
      }

      @Override
      public DeviceMessage next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        DeviceMessage m = next;
        next = null;
        return m;
      }
    };
  }

  // ---- the work-orders topic -------------------------------------------------------------------

  /**
   * A downstream consumer of the work-orders topic ({@code read_committed}, from the beginning):
   * when it first saw each order, and every committed record.
   */
  static final class CommittedOrders implements AutoCloseable {
    final KafkaConsumer<byte[], byte[]> consumer;
    final Map<String, Long> firstSeen = new LinkedHashMap<>();
    final List<WorkOrder> records = new ArrayList<>();

    CommittedOrders(String bootstrap, Topics topics) {
      Properties p = new Properties();
      p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
      consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
      List<TopicPartition> parts = new ArrayList<>();
      consumer
          .partitionsFor(topics.workOrders())
          .forEach(i -> parts.add(new TopicPartition(i.topic(), i.partition())));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
    }

    /** The first committed record matching {@code condition}, read from now on or before. */
    WorkOrder await(Predicate<WorkOrder> condition, Duration timeout, Street street)
        throws Exception {
      for (WorkOrder o : records) {
        if (condition.test(o)) {
          return o;
        }
      }
      long deadline = System.nanoTime() + timeout.toNanos();
      while (System.nanoTime() < deadline) {
        if (street.failure.get() != null) {
          throw new AssertionError("the street failed", street.failure.get());
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long at = System.currentTimeMillis();
          WorkOrder o = ORDERS.decode(r.value());
          firstSeen.putIfAbsent(o.getId(), at);
          records.add(o);
          if (condition.test(o)) {
            return o;
          }
        }
      }
      throw new AssertionError("no committed work order as expected after " + timeout);
    }

    long firstSeenMillis(String id) {
      return firstSeen.get(id);
    }

    @Override
    public void close() {
      consumer.close();
    }
  }

  // ---- the views and the page ------------------------------------------------------------------

  /** A token per team of the block and one for the operations centre, as the demo prints them. */
  static Map<String, String> tokens(BlockMap block) {
    Map<String, String> tokens = new LinkedHashMap<>();
    int i = 0;
    for (var team : block.teams()) {
      tokens.put(team.id(), "demo-street-team-token-" + (++i) + "-0123456789abcdef");
    }
    tokens.put(OPS_PRINCIPAL, "demo-street-operations-token-0123456789abcdef");
    return tokens;
  }

  /** The views as the demo starts them (team API, Open311, console, MQTT push). */
  static ViewsServer startViews(
      PipelineSettings settings, BlockMap block, Map<String, String> tokens, Path stateDir)
      throws Exception {
    StringBuilder text = new StringBuilder();
    tokens.forEach((who, token) -> text.append(who).append('=').append(token).append('\n'));
    ViewsServer views =
        ViewsServer.start(
            ViewsConfig.builder()
                .kafkaBootstrap(settings.kafkaBootstrapServers())
                .topics(settings.topics())
                .httpPort(0)
                .tokens(TokenRegistry.parse(text.toString(), "test tokens"))
                .mqttUri(settings.mqttServerUri())
                .stateDir(stateDir)
                .blockMaps(BlockMaps.of(block))
                .build());
    assertTrue(views.awaitReady(Duration.ofSeconds(60)), "views ready");
    return views;
  }

  /** The block the demo plays by default. */
  static BlockMap demoBlock(BlockMaps maps) {
    return maps.all().stream()
        .filter(
            b ->
                b.zonesOfKind(ZoneKind.NO_VENDING).stream()
                    .anyMatch(z -> !b.camerasViewing(z.id()).isEmpty()))
        .min(java.util.Comparator.comparing(BlockMap::id))
        .orElseThrow();
  }

  /** The zones {@code camera} watches that no other camera and no sensor watches. */
  static List<String> onlyWatchedBy(BlockMap block, Camera camera) {
    List<String> zones = new ArrayList<>();
    for (Zone z : block.zones()) {
      List<Camera> watching = block.camerasViewing(z.id());
      boolean sensed = block.sensors().stream().anyMatch(s -> s.zone().equals(z.id()));
      if (watching.equals(List.of(camera)) && !sensed) {
        zones.add(z.id());
      }
    }
    return zones;
  }

  String base() {
    return "http://127.0.0.1:" + views.port();
  }

  void signIn(String token) {
    browser.get(base() + "/console");
    chrome.waitFor(By.id("token"), Duration.ofSeconds(15)).sendKeys(token);
    browser.findElement(By.cssSelector("#login-form button")).click();
    new WebDriverWait(browser, Duration.ofSeconds(15))
        .until(d -> !d.findElements(By.cssSelector("#live.on")).isEmpty());
    assertFalse(browser.getCurrentUrl().contains(token), "the token is never in the address");
  }

  void signOut() {
    browser.findElement(By.id("sign-out")).click();
    chrome.waitFor(By.id("token"), Duration.ofSeconds(5));
  }

  /** Records in the page the wall-clock time at which each queue row first appears. */
  void recordRowsAsTheyAppear() {
    chrome.js(
        "window.__rowSeen = {};"
            + " const note = () => { const now = Date.now();"
            + "   for (const tr of document.querySelectorAll('#queue tbody tr[data-order-id]'))"
            + "     if (!(tr.dataset.orderId in window.__rowSeen)) window.__rowSeen[tr.dataset.orderId] = now; };"
            + " new MutationObserver(note).observe(document.querySelector('#queue tbody'),"
            + "   { childList: true, subtree: true }); note();");
  }

  By row(String id) {
    return By.cssSelector("tr[data-order-id='" + id + "']");
  }

  @SuppressWarnings("unchecked")
  List<String> orderIds() {
    return (List<String>) chrome.js("return window.streetsenseConsole.orderIds()");
  }

  /**
   * Every camera of the block is heard from: none is listed offline, and no zone a camera watches
   * is drawn unknown.
   */
  void camerasShownOnline(BlockMap block) {
    for (Camera camera : block.cameras()) {
      assertTrue(
          browser
              .findElements(
                  By.cssSelector("#devices [data-device='" + block.id() + "/" + camera.id() + "']"))
              .isEmpty(),
          camera.id() + " is sending: not offline");
    }
    for (Zone z : block.zones()) {
      if (!block.camerasViewing(z.id()).isEmpty()) {
        assertNotEquals("unknown", zoneState(block.id() + "/" + z.id()), z.id() + " is watched");
      }
    }
  }

  Object zoneState(String zoneKey) {
    return chrome.js("return window.streetsenseConsole.zoneState(arguments[0])", zoneKey);
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(URI.create(base() + path))
                .header("Authorization", "Bearer " + token)
                .timeout(Duration.ofSeconds(10))
                .build(),
            HttpResponse.BodyHandlers.ofString());
  }
}

package io.streetsense.views;

import io.javalin.Javalin;
import io.streetsense.schemas.PipelineTopics;
import io.streetsense.schemas.Topics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The views service: the work-order view, the HTTP API on top of it, the action producer and the
 * MQTT push, started and stopped together.
 *
 * <pre>{@code
 * try (ViewsServer server = ViewsServer.start(config)) {
 *   server.awaitReady(Duration.ofSeconds(30));
 *   System.out.println("team API on http://127.0.0.1:" + server.port() + "/teams/v1/workorders");
 * }
 * }</pre>
 */
public final class ViewsServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ViewsServer.class);

  private final ViewsConfig config;
  private KafkaActionSink actions;
  private ActionOutcomes outcomes;
  private MqttPusher pusher;
  private WorkOrderView view;
  private ConsoleFeed console;
  private DeviceHealth devices;
  private ViolationStanding violations;
  private Javalin http;
  private boolean closed;

  private ViewsServer(ViewsConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Starts everything and returns without waiting for Kafka; the HTTP API answers 503 until the
   * pipeline's topics exist and the view has read the work-order topic.
   */
  public static ViewsServer start(ViewsConfig config) {
    ViewsServer server = new ViewsServer(config);
    try {
      server.startAll();
    } catch (Exception e) {
      server.close();
      throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
    }
    return server;
  }

  private void startAll() throws Exception {
    Topics topics = config.topics();
    // Created here, opened once the topics are there: the views never create a topic.
    actions = new KafkaActionSink(config.kafka(), topics.actions());
    outcomes = new ActionOutcomes();
    List<WorkOrderView.Listener> listeners = new ArrayList<>();
    listeners.add(outcomes);
    console = new ConsoleFeed();
    listeners.add(console);
    if (config.mqttUri() != null) {
      PahoTransport transport =
          new PahoTransport(
              config.mqttUri(),
              config.mqttClientId(),
              config.mqttUsername(),
              config.mqttPassword());
      pusher =
          new MqttPusher(transport, new PushOffsets(config.pushMarkerFile()), topics.workOrders());
      listeners.add(pusher);
    }
    // The street's time, set by the device messages the device-health view reads (block maps
    // only); without them it is the wall clock.
    StreetClock street = new StreetClock(config.http().clock());
    view =
        WorkOrderView.start(
            config.kafka(), topics.workOrders(), listeners, closed -> awaitTopics(closed));
    http =
        new HttpApi(
                view,
                outcomes,
                actions,
                config.tokens(),
                config.http(),
                console,
                config.blockMaps())
            .onStreetClock(street, config.deviceHealth().cameraOfflineAfter())
            .create();
    if (config.blockMaps() != null) {
      devices =
          DeviceHealth.start(
              config.kafka(),
              topics.camera(),
              topics.parking(),
              config.blockMaps(),
              config.deviceHealth(),
              config.http().clock(),
              street,
              console::devices,
              console::clock);
      // The map's zones come from the block maps: without them there is no map to stand on.
      violations =
          ViolationStanding.start(
              config.kafka(),
              topics.violations(),
              ViolationStanding.Settings.defaults(),
              street,
              console::violations);
    }
    http.start(config.httpHost(), config.httpPort());
    LOG.info("views service on http://{}:{} ({})", config.httpHost(), http.port(), config);
  }

  /**
   * On the view's thread, before it reads: waits for the topics the views use (the pipeline creates
   * them; the views may start first), refuses them if they are wrong for their role, then opens the
   * action producer and the refusal reader. Until then the API answers 503.
   */
  private boolean awaitTopics(BooleanSupplier closed) {
    Topics topics = config.topics();
    if (!PipelineTopics.await(
        config.kafka(),
        topics,
        List.of(topics.workOrders(), topics.actions(), topics.deadLetters()),
        1,
        null,
        closed)) {
      return false;
    }
    actions.open();
    outcomes.followRefusals(config.kafka(), topics.deadLetters());
    return true;
  }

  /** The HTTP port (the chosen one when configured with 0). */
  public int port() {
    return http.port();
  }

  /** Waits until the view has loaded the topic; false on timeout. */
  public boolean awaitReady(Duration timeout) throws InterruptedException {
    return view.awaitCaughtUp(timeout);
  }

  public WorkOrderView view() {
    return view;
  }

  public Optional<MqttPusher> pusher() {
    return Optional.ofNullable(pusher);
  }

  public ViewsConfig config() {
    return config;
  }

  /** Stops HTTP first (no new commands), then the view, the push (saving its marker), Kafka. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (console != null) {
      console.close(); // ends the console's open event streams, so HTTP can stop
    }
    if (http != null) {
      try {
        http.stop();
      } catch (RuntimeException e) {
        LOG.warn("stopping HTTP: {}", e.toString());
      }
    }
    if (view != null) {
      view.close();
    }
    if (devices != null) {
      devices.close();
    }
    if (violations != null) {
      violations.close();
    }
    if (pusher != null) {
      pusher.close();
    }
    if (outcomes != null) {
      outcomes.close();
    }
    if (actions != null) {
      actions.close();
    }
  }
}

package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.ingest.BridgeConfig;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.ingest.Secret;
import io.streetsense.schemas.PipelineTopics;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: the MQTT→Kafka bridge and the Flink job (on a local
 * MiniCluster), against services it did not start. The demo and the end-to-end tests start the
 * services first and then this; a city points it at its own brokers.
 *
 * <p>The job keeps its checkpoints on disk under the settings' state directory and resumes from the
 * newest one there; its checkpoints are watched, and {@link #failure()} says when they keep failing
 * ({@link LocalJob}). Tests and benchmarks that set no state directory get a temporary one.
 *
 * <p>On a real Flink cluster the job runs there instead ({@code StreetSense job} under {@code flink
 * run}) and the bridge runs as its own process ({@code StreetSense bridge}).
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final MqttKafkaBridge bridge;
  private final BridgeMetricsReporter bridgeMetrics;
  private final LocalJob local;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Pipeline(MqttKafkaBridge bridge, BridgeMetricsReporter bridgeMetrics, LocalJob local) {
    this.bridge = bridge;
    this.bridgeMetrics = bridgeMetrics;
    this.local = local;
  }

  /** Defines a pipeline's Flink job on the environment it runs in. */
  @FunctionalInterface
  public interface JobDefinition {
    void define(
        StreamExecutionEnvironment env,
        StreetSenseJob.Settings settings,
        BlockMaps blockMaps,
        Clock clock);
  }

  public static Pipeline start(PipelineSettings settings, BlockMaps blockMaps) throws Exception {
    return start(settings, blockMaps, new Configuration(), StreetSenseJob::defineKafkaWorkflow);
  }

  /**
   * The same pipeline with extra Flink configuration for its local cluster (e.g. a metrics
   * reporter) and {@code job} in place of the StreetSense job: the load-test benchmark runs the
   * real pipeline this way, and a bare passthrough job on the same bridge as its baseline.
   */
  public static Pipeline start(
      PipelineSettings settings,
      BlockMaps blockMaps,
      Configuration flinkConfiguration,
      JobDefinition job)
      throws Exception {
    PipelineTopics.ensure(
        PipelineTopics.adminProperties(
            settings.kafkaBootstrapServers(), settings.kafkaClientProperties()),
        settings.topics(),
        settings.partitions());
    LocalJob local =
        LocalJob.submit(
            "StreetSense",
            settings.state(),
            settings.influx(),
            flinkConfiguration,
            settings.parallelism(),
            settings.restartOnFailure(),
            env -> job.define(env, settings.jobSettings(), blockMaps, Clock.systemUTC()));
    MqttKafkaBridge bridge;
    try {
      bridge =
          MqttKafkaBridge.start(bridgeConfig(settings, blockMaps), DeviceDirectory.of(blockMaps));
    } catch (RuntimeException e) {
      local.close();
      throw e;
    }
    return new Pipeline(bridge, new BridgeMetricsReporter(bridge, settings.influx()), local);
  }

  public MqttKafkaBridge bridge() {
    return bridge;
  }

  public JobClient job() {
    return local.client();
  }

  /**
   * The job's state: what it resumed from, its checkpoints, and the {@link LocalJob#failure()}
   * signal that {@code streetsense run} turns into an exit.
   */
  public LocalJob local() {
    return local;
  }

  /**
   * Completes exceptionally with a {@link PipelineFailure} when the pipeline cannot go on as it
   * should (its checkpoints keep failing, or its job failed for good).
   */
  public CompletableFuture<Void> failure() {
    return local.failure();
  }

  static BridgeConfig bridgeConfig(PipelineSettings settings, BlockMaps blockMaps) {
    BridgeConfig.Builder config =
        BridgeConfig.builder()
            .mqttServerUri(settings.mqttServerUri())
            .mqttClientId("streetsense-bridge")
            .blocks(blockMaps.ids())
            .kafkaBootstrapServers(settings.kafkaBootstrapServers())
            .topics(settings.topics())
            .window(settings.bridgeWindow());
    if (settings.mqttUsername() != null) {
      config.mqttUsername(settings.mqttUsername());
    }
    if (settings.mqttPassword() != null) {
      config.mqttPassword(Secret.of(settings.mqttPassword()));
    }
    for (Map.Entry<Object, Object> property : settings.kafkaClientProperties().entrySet()) {
      config.kafkaProperty(property.getKey().toString(), property.getValue().toString());
    }
    return config.build();
  }

  /**
   * Stops the bridge first (draining what it holds into Kafka), then the job: with a savepoint into
   * its state directory where Flink allows it, else cancelled with its last checkpoint retained
   * ({@link LocalJob#close}). Closing twice does nothing.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    try {
      bridge.close();
      bridgeMetrics.close();
    } catch (Exception e) {
      LOG.warn("bridge did not close cleanly", e);
    }
    local.close();
  }
}

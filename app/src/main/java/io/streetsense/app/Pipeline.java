package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.ingest.BridgeConfig;
import io.streetsense.ingest.DeviceDirectory;
import io.streetsense.ingest.MqttKafkaBridge;
import io.streetsense.ingest.Secret;
import io.streetsense.schemas.PipelineTopics;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole pipeline in one process: the MQTT→Kafka bridge and the Flink job (on a local
 * MiniCluster), against services it did not start. The demo and the end-to-end tests start the
 * services first and then this; a city points it at its own brokers.
 *
 * <p>On a real Flink cluster the job runs there instead ({@code StreetSense job} under {@code flink
 * run}) and the bridge runs as its own process ({@code StreetSense bridge}).
 */
public final class Pipeline implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

  private final MqttKafkaBridge bridge;
  private final BridgeMetricsReporter bridgeMetrics;
  private final JobClient job;

  private Pipeline(MqttKafkaBridge bridge, BridgeMetricsReporter bridgeMetrics, JobClient job) {
    this.bridge = bridge;
    this.bridgeMetrics = bridgeMetrics;
    this.job = job;
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
    JobClient client = submitLocalJob(settings, blockMaps, flinkConfiguration, job);
    MqttKafkaBridge bridge;
    try {
      bridge =
          MqttKafkaBridge.start(bridgeConfig(settings, blockMaps), DeviceDirectory.of(blockMaps));
    } catch (RuntimeException e) {
      client.cancel().get(30, TimeUnit.SECONDS);
      throw e;
    }
    return new Pipeline(bridge, new BridgeMetricsReporter(bridge, settings.influx()), client);
  }

  public MqttKafkaBridge bridge() {
    return bridge;
  }

  public JobClient job() {
    return job;
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

  private static JobClient submitLocalJob(
      PipelineSettings settings,
      BlockMaps blockMaps,
      Configuration flinkConfiguration,
      JobDefinition job)
      throws Exception {
    Configuration conf = new Configuration(flinkConfiguration);
    conf.set(TaskManagerOptions.NUM_TASK_SLOTS, settings.parallelism());
    conf.set(RestOptions.BIND_PORT, "0"); // any free port: several pipelines may share a machine
    if (!settings.restartOnFailure()) {
      conf.set(RestartStrategyOptions.RESTART_STRATEGY, "none");
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(settings.parallelism());
    job.define(env, settings.jobSettings(), blockMaps, Clock.systemUTC());
    return env.executeAsync("StreetSense");
  }

  /** Stops the bridge first (draining what it holds into Kafka), then the job. */
  @Override
  public void close() {
    try {
      bridge.close();
      bridgeMetrics.close();
    } catch (Exception e) {
      LOG.warn("bridge did not close cleanly", e);
    }
    try {
      job.cancel().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.warn("job did not cancel cleanly", e);
    }
  }
}

package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.PipelineTopics;
import java.time.Clock;
import java.util.concurrent.Callable;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streetsense job}: the Flink job alone, for a Flink cluster (under {@code flink run}, or
 * through the job jar's {@link StreetSenseJob#main}); the bridge runs separately.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Run only the Flink job (for a Flink cluster; the bridge runs separately).",
      "",
      "Under 'flink run' it is submitted to that cluster. Needs --kafka, --influx and"
          + " --blockmaps."
    })
public final class JobCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--consumer-group",
      defaultValue = StreetSenseJob.DEFAULT_CONSUMER_GROUP,
      description =
          "Kafka consumer group of the job's sources (a new group starts from the beginning of the"
              + " device topics). Default: ${DEFAULT-VALUE}.")
  String consumerGroup;

  @Option(
      names = "--transactional-id-prefix",
      defaultValue = StreetSenseJob.DEFAULT_TRANSACTIONAL_ID_PREFIX,
      description =
          "Prefix of the job's Kafka transactional ids. Two jobs on one Kafka cluster need"
              + " different prefixes, or they fence each other's transactions. Default:"
              + " ${DEFAULT-VALUE}.")
  String transactionalIdPrefix;

  @Override
  public Integer call() throws Exception {
    BlockMaps maps = services.loadBlockMaps();
    StreetSenseJob.Settings settings = services.jobSettings(consumerGroup, transactionalIdPrefix);
    PipelineTopics.ensure(
        PipelineTopics.adminProperties(
            settings.kafkaBootstrapServers(), settings.kafkaClientProperties()),
        settings.topics(),
        services.partitions());
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(services.parallelism());
    StreetSenseJob.defineKafkaWorkflow(env, settings, maps, Clock.systemUTC());
    env.execute("StreetSense");
    return 0;
  }
}

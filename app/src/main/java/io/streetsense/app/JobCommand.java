package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.schemas.PipelineTopics;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.LocalStreamEnvironment;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streetsense job}: the Flink job alone, for a Flink cluster (under {@code flink run}, or
 * through the job jar's {@link StreetSenseJob#main}); the bridge runs separately.
 *
 * <p>Outside a Flink cluster it runs on a local cluster in this process, with its state kept as for
 * {@code run} ({@link LocalJob}): checkpoints under {@code --state-dir}, resumed on the next start,
 * a savepoint on Ctrl-C, an exit when checkpoints keep failing. Under a cluster, the cluster's own
 * configuration (checkpoint storage, restore, restarts) decides, and the state options are ignored.
 */
@Command(
    name = "job",
    mixinStandardHelpOptions = true,
    description = {
      "Run only the Flink job (for a Flink cluster; the bridge runs separately).",
      "",
      "Under 'flink run' it is submitted to that cluster, whose configuration decides where"
          + " checkpoints go. Run directly, it runs on a local cluster in this process with its"
          + " checkpoints under --state-dir, as 'run' does. Needs --kafka, --influx and"
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
    // The environment tells where this runs: under 'flink run' or a cluster's REST submission it is
    // the cluster's context environment; run directly, a local one (creating it starts nothing).
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    if (env instanceof LocalStreamEnvironment) {
      return runLocally(maps, settings);
    }
    if (services.state().anyGiven()) {
      System.err.println(
          "streetsense job: on a Flink cluster the cluster's configuration decides checkpoint"
              + " storage and restore; --state-dir, --fresh, --from-savepoint and"
              + " --max-failed-checkpoints are ignored");
    }
    env.setParallelism(services.parallelism());
    StreetSenseJob.defineKafkaWorkflow(env, settings, maps, Clock.systemUTC());
    env.execute("StreetSense");
    return 0;
  }

  /** On a local cluster with durable state, until Ctrl-C or the job gives up. */
  private int runLocally(BlockMaps maps, StreetSenseJob.Settings settings) throws Exception {
    LocalJob job =
        LocalJob.submit(
            "StreetSense",
            services.state().settings(),
            settings.influx(),
            new Configuration(),
            services.parallelism(),
            true,
            env -> StreetSenseJob.defineKafkaWorkflow(env, settings, maps, Clock.systemUTC()));
    System.out.println("StreetSense job: " + job.stateLine());
    CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    Thread hook =
        new Thread(
            () -> {
              job.close(); // inside the hook: the JVM halts when it returns
              stopRequested.complete(null);
            },
            "streetsense-job-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    System.out.println(
        "running on a local cluster; Flink job "
            + job.client().getJobID()
            + " (REST API on "
            + job.restUrl()
            + "); Ctrl-C stops");
    try {
      CompletableFuture.anyOf(stopRequested, job.failure()).join();
    } catch (java.util.concurrent.CompletionException e) {
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it stops the job
      }
      System.err.println("streetsense job: " + e.getCause().getMessage());
      job.close();
      return 1;
    }
    return 0;
  }
}

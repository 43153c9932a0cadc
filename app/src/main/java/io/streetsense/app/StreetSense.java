package io.streetsense.app;

import io.streetsense.blockmap.BlockMapException;
import io.streetsense.blockmap.BlockMaps;
import java.io.File;
import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The {@code streetsense} command line: the demo on an embedded street, the pipeline against a
 * city's own services, or the Flink job alone for a Flink cluster.
 */
@Command(
    name = "streetsense",
    mixinStandardHelpOptions = true,
    version = "StreetSense 0.1.0",
    description = {
      "Streaming street sensing: parking sensors and street cameras in, violations and",
      "closed-loop work orders out.",
      "",
      "Options of 'run' and 'job' may also come from a properties file: --config FILE",
      "(keys are the long option names without dashes, e.g. kafka=broker-1:9092)."
    },
    subcommands = {
      DemoCommand.class,
      StreetSense.Run.class,
      StreetSense.Job.class,
      BridgeCommand.class
    })
public final class StreetSense implements Callable<Integer> {

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(commandLine(args).execute(args));
  }

  static CommandLine commandLine(String[] args) {
    CommandLine cli = new CommandLine(new StreetSense());
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--config")) {
        cli.setDefaultValueProvider(
            new CommandLine.PropertiesDefaultProvider(new File(args[i + 1])));
      }
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException || e instanceof BlockMapException) {
            commandLine.getErr().println("streetsense: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cli;
  }

  /** Holds the --config option so picocli accepts it; the file is read before parsing. */
  static final class ConfigFileOption {
    @CommandLine.Option(
        names = "--config",
        paramLabel = "FILE",
        description = "Properties file with default values for the options.")
    File config;
  }

  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Run the pipeline (MQTT bridge and Flink job, in this process) against services",
        "you run: your MQTT broker, Kafka and InfluxDB, with your block maps. Ctrl-C stops it."
      })
  static final class Run implements Callable<Integer> {
    @Mixin ServiceOptions services;
    @Mixin ConfigFileOption config;

    @Override
    public Integer call() throws Exception {
      BlockMaps maps = services.loadBlockMaps();
      PipelineSettings settings = services.settings();
      System.out.println(
          "StreetSense: " + maps.ids().size() + " block(s) " + maps.ids() + "; " + settings);
      CountDownLatch stopped = new CountDownLatch(1);
      try (Pipeline pipeline = Pipeline.start(settings, maps)) {
        Runtime.getRuntime()
            .addShutdownHook(
                new Thread(
                    () -> {
                      pipeline.close();
                      stopped.countDown();
                    }));
        System.out.println("running; Flink job " + pipeline.job().getJobID() + "; Ctrl-C stops");
        stopped.await();
      }
      return 0;
    }
  }

  @Command(
      name = "job",
      mixinStandardHelpOptions = true,
      description = {
        "Run only the Flink job. Under 'flink run' it is submitted to that cluster; run",
        "the bridge separately. Needs --kafka, --influx and --blockmaps."
      })
  static final class Job implements Callable<Integer> {
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
      Pipeline.ensureTopics(
          settings.kafkaBootstrapServers(),
          settings.kafkaClientProperties(),
          settings.topics(),
          services.partitions);
      StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
      env.setParallelism(services.parallelism);
      StreetSenseJob.defineKafkaWorkflow(env, settings, maps, Clock.systemUTC());
      env.execute("StreetSense");
      return 0;
    }
  }
}

package io.streetsense.cli;

import io.streetsense.app.BridgeMetricsReporter;
import io.streetsense.app.InfluxOptions;
import io.streetsense.ingest.BridgeMain;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streetsense bridge}: the MQTT→Kafka bridge on its own (one or more per deployment, beside
 * a Flink cluster running the job), as {@code ingest}'s {@link BridgeMain} runs it, plus its
 * counters in InfluxDB as the {@code pipeline} measurement ({@code stage=ingest}, tagged with the
 * instance's MQTT client id) when {@code --influx} is given.
 */
@Command(
    name = "bridge",
    mixinStandardHelpOptions = true,
    description = {
      "Run only the MQTT->Kafka bridge.",
      "",
      "Configured by a bridge properties file (keys: see --bridge-help). With --influx its"
          + " counters go to InfluxDB (measurement pipeline, stage=ingest). Stop with SIGTERM or"
          + " Ctrl-C: messages in flight are drained first."
    })
final class BridgeCommand implements Callable<Integer> {
  @Option(
      names = "--bridge-config",
      paramLabel = "FILE",
      description = "The bridge's properties file (MQTT, Kafka, block maps).")
  Path bridgeConfig;

  @Option(names = "--bridge-help", description = "List the bridge's configuration keys.")
  boolean bridgeHelp;

  @Mixin InfluxOptions influx;

  @Override
  public Integer call() throws Exception {
    List<String> args = new ArrayList<>();
    if (bridgeHelp) {
      args.add("--help");
    } else if (bridgeConfig != null) {
      args.add("--config");
      args.add(bridgeConfig.toString());
    }
    InfluxDbSettings metrics = influx.given() ? influx.settings() : null;
    return BridgeMain.run(
        args.toArray(String[]::new),
        System.out,
        System.err,
        bridge -> metrics == null ? () -> {} : new BridgeMetricsReporter(bridge, metrics));
  }
}

package io.streetsense.cli;

import io.streetsense.app.ConfigFileOption;
import io.streetsense.app.Pipeline;
import io.streetsense.app.PipelineSettings;
import io.streetsense.app.ServiceOptions;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.views.ViewsServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code streetsense run}: the MQTT→Kafka bridge and the Flink job in this process, against the
 * city's own MQTT broker, Kafka and InfluxDB; with {@code --views-port} also the team API, Open311
 * and the MQTT push, so that one process serves a small deployment.
 */
@Command(
    name = "run",
    mixinStandardHelpOptions = true,
    description = {
      "Run the pipeline (bridge and Flink job) against your MQTT broker, Kafka and InfluxDB.",
      "",
      "The MQTT->Kafka bridge and the Flink job run in this process, with your block maps."
          + " With --views-port it also serves the team API, Open311 and the MQTT push to"
          + " teams, so that one process serves a small deployment.",
      "",
      "The job's checkpoints go to --state-dir (default ./streetsense-state) and each start"
          + " resumes from the newest one there (--fresh: start over; --from-savepoint PATH)."
          + " Ctrl-C or SIGTERM stops it with a savepoint there. If --max-failed-checkpoints"
          + " checkpoints fail in a row it exits with status 1 and says what to change."
    })
final class RunCommand implements Callable<Integer> {
  @Mixin ServiceOptions services;
  @Mixin ViewsOptions views;
  @Mixin ConfigFileOption config;

  @Override
  public Integer call() throws Exception {
    BlockMaps maps = services.loadBlockMaps();
    PipelineSettings settings = services.settings();
    System.out.println(
        "StreetSense: " + maps.ids().size() + " block(s) " + maps.ids() + "; " + settings);
    CompletableFuture<Void> stopRequested = new CompletableFuture<>();
    try (Pipeline pipeline = Pipeline.start(settings, maps);
        ViewsServer viewsServer =
            views.portGiven() ? views.start(services.kafka(), services.mqtt(), maps) : null) {
      System.out.println("state: " + pipeline.local().stateLine());
      // Ctrl-C / SIGTERM: the views, then the bridge, then the job with a savepoint (Pipeline).
      Thread hook =
          new Thread(
              () -> {
                // Close here, then wake the main thread: the JVM halts when this hook returns, so
                // the savepoint must be taken inside it.
                if (viewsServer != null) {
                  viewsServer.close();
                }
                pipeline.close();
                stopRequested.complete(null);
              },
              "streetsense-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      System.out.println(
          "running; Flink job "
              + pipeline.job().getJobID()
              + " (web UI and REST API on "
              + pipeline.local().restUrl()
              + "); Ctrl-C stops");
      try {
        CompletableFuture.anyOf(stopRequested, pipeline.failure()).join();
      } catch (CompletionException e) {
        // Checkpoints kept failing, or the job failed for good: say why and what to change, and
        // exit non-zero, so that a supervisor restarts or alerts instead of an uncommitted run.
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
          // the hook is running: it closes the pipeline
        }
        System.err.println("streetsense run: " + e.getCause().getMessage());
        return 1;
      }
    }
    return 0;
  }
}

package io.streetsense.cli;

import io.streetsense.app.ConfigFileOption;
import io.streetsense.app.Pipeline;
import io.streetsense.app.PipelineSettings;
import io.streetsense.app.ServiceOptions;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.views.ViewsServer;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
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
          + " teams, so that one process serves a small deployment. Ctrl-C stops it."
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
    CountDownLatch stopped = new CountDownLatch(1);
    try (Pipeline pipeline = Pipeline.start(settings, maps);
        ViewsServer viewsServer =
            views.portGiven() ? views.start(services.kafka(), services.mqtt()) : null) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    if (viewsServer != null) {
                      viewsServer.close();
                    }
                    pipeline.close();
                    stopped.countDown();
                  },
                  "streetsense-shutdown"));
      System.out.println("running; Flink job " + pipeline.job().getJobID() + "; Ctrl-C stops");
      stopped.await();
    }
    return 0;
  }
}

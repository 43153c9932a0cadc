package io.streetsense.cli;

import io.streetsense.app.ConfigFileOption;
import io.streetsense.app.KafkaOptions;
import io.streetsense.app.MqttOptions;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.views.ViewsServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code streetsense views}: the people-facing views on their own, built from the pipeline's Kafka
 * topics: the enforcement teams' HTTP API, the operations centre's commands, Open311 GeoReport v2,
 * and, with {@code --mqtt}, the push of dispatched orders to {@code teams/{teamId}/workorders}.
 * They write back only team actions, as commands on the actions topic.
 */
@Command(
    name = "views",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Serve the team API, the operations centre's commands, Open311 and the push to teams.",
      "",
      "The enforcement teams' HTTP API (/teams/v1), the operations centre's commands"
          + " (/ops/v1), Open311 GeoReport v2 (/open311/v2) and, with --mqtt, the push of"
          + " dispatched orders to MQTT teams/{teamId}/workorders: views of the pipeline's"
          + " Kafka topics, writing back only commands on the actions topic. Needs --kafka.",
      "",
      "Secrets never go on the command line: tokens come from --tokens-file or $"
          + ViewsOptions.TOKENS_VARIABLE
          + " (lines or commas: teamId=token, ops:user=token); the MQTT password from"
          + " --mqtt-password-file or $"
          + MqttOptions.PASSWORD_VARIABLE
          + "; Kafka security from --kafka-properties. Ctrl-C stops it."
    })
final class ViewsCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin MqttOptions mqtt;
  @Mixin ViewsOptions views;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--blockmaps",
      description =
          "Folder of block-map YAML files: the console at /console then maps every zone and"
              + " shows device health from the camera and parking topics. Optional.")
  Path blockMaps;

  @Override
  public Integer call() throws Exception {
    CountDownLatch stopped = new CountDownLatch(1);
    BlockMaps maps = blockMaps == null ? null : BlockMapLoader.loadDirectory(blockMaps);
    try (ViewsServer server = views.start(kafka, mqtt, maps)) {
      Runtime.getRuntime()
          .addShutdownHook(
              new Thread(
                  () -> {
                    server.close();
                    stopped.countDown();
                  },
                  "views-shutdown"));
      System.out.println("Ctrl-C stops");
      stopped.await();
    }
    return 0;
  }
}

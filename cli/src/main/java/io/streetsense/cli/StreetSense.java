package io.streetsense.cli;

import io.streetsense.app.ConfigFileOption;
import io.streetsense.app.JobCommand;
import io.streetsense.app.PipelineFailure;
import io.streetsense.blockmap.BlockMapException;
import io.streetsense.demo.DemoCommand;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code streetsense} command line: every runnable part of StreetSense under one name. The demo
 * on an embedded street; the whole pipeline against a city's own services ({@code run}, which can
 * serve the views too); or each part alone for a larger deployment: the Flink job for a Flink
 * cluster ({@code job}), the MQTT→Kafka bridge ({@code bridge}) and the people-facing views ({@code
 * views}).
 */
@Command(
    name = "streetsense",
    mixinStandardHelpOptions = true,
    version = "StreetSense 0.1.0",
    description = {
      "Streaming street sensing: parking sensors and street cameras in, violations and"
          + " closed-loop work orders out.",
      "",
      "Options of 'run', 'job', 'views' and 'explain' may also come from one properties file, --config"
          + " FILE (keys are the long option names without dashes, e.g. kafka=broker-1:9092)."
    },
    subcommands = {
      DemoCommand.class,
      RunCommand.class,
      JobCommand.class,
      BridgeCommand.class,
      ViewsCommand.class,
      ExplainCommand.class
    })
public final class StreetSense implements Callable<Integer> {

  @Override
  public Integer call() {
    new CommandLine(this).usage(System.out);
    return 0;
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }

  /**
   * Runs one command line; the exit code: 0 done, 2 bad options or block maps, 1 failed (a {@link
   * PipelineFailure}, e.g. checkpoints failing in a row, printed as one message).
   */
  static int execute(String[] args) {
    CommandLine cli = new CommandLine(new StreetSense());
    try {
      ConfigFileOption.install(cli, args);
    } catch (IllegalArgumentException e) {
      cli.getErr().println("streetsense: " + e.getMessage());
      return 2;
    }
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (e instanceof IllegalArgumentException || e instanceof BlockMapException) {
            commandLine.getErr().println("streetsense: " + e.getMessage());
            return 2;
          }
          if (e instanceof PipelineFailure) {
            commandLine.getErr().println("streetsense: " + e.getMessage());
            return 1;
          }
          throw e;
        });
    return cli.execute(args);
  }
}

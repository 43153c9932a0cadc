package io.streetsense.app;

import java.io.File;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * The {@code --config FILE} option of the {@code streetsense} commands: a properties file whose
 * keys are the long option names without dashes ({@code kafka=broker-1:9092}), giving defaults that
 * the command line overrides. One file can serve {@code run}, {@code job} and {@code views}: each
 * reads the keys of its own options. Held here so that picocli accepts the option; the file is read
 * before parsing ({@link #install}).
 */
public final class ConfigFileOption {
  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "Properties file with default values for the options.")
  File config;

  /**
   * Makes the {@code --config} file among {@code args}, if any, the source of default values of
   * {@code cli}.
   *
   * @throws IllegalArgumentException when the file does not exist (a misspelt path must not
   *     silently give every option its built-in default)
   */
  public static void install(CommandLine cli, String[] args) {
    for (int i = 0; i < args.length - 1; i++) {
      if (args[i].equals("--config")) {
        File file = new File(args[i + 1]);
        if (!file.isFile()) {
          throw new IllegalArgumentException("--config: no such file " + file.getAbsolutePath());
        }
        cli.setDefaultValueProvider(new CommandLine.PropertiesDefaultProvider(file));
      }
    }
  }
}

package io.streetsense.benchmarks.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code java -jar streetsense.jar run --config FILE} as a city runs it: a child JVM whose working
 * directory is the deployment's folder (so the default {@code --state-dir ./streetsense-state}
 * applies), output in a log file.
 */
final class RunProcess {
  private final Process process;
  private final Path log;
  private final long startedNanos = System.nanoTime();

  private RunProcess(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static RunProcess start(Path jar, Path config, Path workingDir, Path log, String maxHeap)
      throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(
                List.of(
                    java,
                    "-Xmx" + maxHeap,
                    "-jar",
                    jar.toAbsolutePath().toString(),
                    "run",
                    "--config",
                    config.toAbsolutePath().toString()))
            .directory(workingDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    return new RunProcess(builder.start(), log);
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean alive() {
    return process.isAlive();
  }

  String output() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  /** The first output line starting with {@code prefix}, or "". */
  String line(String prefix) {
    return output().lines().filter(l -> l.startsWith(prefix)).findFirst().orElse("");
  }

  /** Waits for {@code text} in the output; the time it took, from the start of the process. */
  Duration awaitOutput(String text, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!output().contains(text)) {
      if (!process.isAlive()) {
        throw new IllegalStateException(
            "streetsense run exited " + process.exitValue() + " (log " + log + "):\n" + tail());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            "no '" + text + "' within " + timeout + " (log " + log + "):\n" + tail());
      }
      Thread.sleep(200);
    }
    return Duration.ofNanos(System.nanoTime() - startedNanos);
  }

  /** SIGKILL: no shutdown hook, no savepoint. */
  void kill() throws InterruptedException {
    if (process.isAlive()) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM, as a service manager stops it; the exit status, or -1 if it had to be killed. */
  int terminate(Duration timeout) throws InterruptedException {
    if (process.isAlive()) {
      process.destroy();
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        return -1;
      }
    }
    return process.exitValue();
  }

  String tail() {
    String out = output();
    return out.substring(Math.max(0, out.length() - 3000));
  }
}

package io.streetsense.benchmarks.load;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A child JVM of the load test (the generator or the system under test) on this JVM's classpath:
 * commands go to its stdin, its {@code @@} messages ({@link ChildProtocol}) to a listener, and
 * everything else it prints to a log file.
 */
final class ChildJvm implements AutoCloseable {
  private final String name;
  private final Process process;
  private final BufferedWriter stdin;
  private final Path log;
  private final Map<String, JsonNode> last = new ConcurrentHashMap<>();
  private final Object arrivals = new Object();
  private volatile boolean ended;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.stdin =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
  }

  static ChildJvm start(
      String name,
      List<String> jvmOptions,
      Class<?> mainClass,
      List<String> args,
      Path workDir,
      Consumer<JsonNode> listener)
      throws IOException {
    Files.createDirectories(workDir);
    String classpath =
        Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
            .filter(e -> !e.isEmpty())
            .map(e -> Path.of(e).toAbsolutePath().toString())
            .collect(Collectors.joining(File.pathSeparator));
    Path argFile = workDir.resolve(name + ".classpath");
    Files.writeString(
        argFile, "-cp\n\"" + classpath.replace("\\", "\\\\").replace("\"", "\\\"") + "\"\n");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("@" + argFile);
    command.add(mainClass.getName());
    command.addAll(args);
    Path log = workDir.resolve(name + ".log");
    Process p =
        new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true).start();
    ChildJvm child = new ChildJvm(name, p, log);
    // Should this JVM be stopped, the child goes with it (on its own it would notice only when its
    // stdin closes, and then wait for services that are gone).
    Runtime.getRuntime()
        .addShutdownHook(new Thread(() -> p.destroyForcibly(), "stop-child-" + name));
    Thread reader = new Thread(() -> child.read(listener), "child-" + name + "-stdout");
    reader.setDaemon(true);
    reader.start();
    return child;
  }

  private void read(Consumer<JsonNode> listener) {
    try (BufferedReader r =
            new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter out = new PrintWriter(Files.newBufferedWriter(log, StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        var message = ChildProtocol.parse(line);
        if (message.isPresent()) {
          JsonNode m = message.get();
          String type = m.path("type").asText();
          try {
            listener.accept(m);
          } catch (RuntimeException e) {
            out.println("listener failed on " + type + ": " + e);
          }
          last.put(type, m);
          if (!"status".equals(type)) {
            out.println(line.length() > 2000 ? line.substring(0, 2000) + "..." : line);
            out.flush();
          }
          synchronized (arrivals) {
            arrivals.notifyAll();
          }
        } else {
          out.println(line);
          out.flush();
        }
      }
    } catch (IOException e) {
      // the child is gone
    } finally {
      ended = true;
      synchronized (arrivals) {
        arrivals.notifyAll();
      }
    }
  }

  String name() {
    return name;
  }

  long pid() {
    return process.pid();
  }

  Path log() {
    return log;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** The latest message of a type, or null. */
  JsonNode last(String type) {
    return last.get(type);
  }

  synchronized void send(String command) throws IOException {
    stdin.write(command);
    stdin.newLine();
    stdin.flush();
  }

  /**
   * Waits for a message of {@code type} that arrives after this call (or is there already when
   * {@code already} is true).
   */
  JsonNode await(String type, Duration timeout, boolean already) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode before = already ? null : last.get(type);
    synchronized (arrivals) {
      while (true) {
        JsonNode now = last.get(type);
        if (now != null && now != before) {
          return now;
        }
        JsonNode failed = last.get("failed");
        if (failed != null) {
          throw new IllegalStateException(
              name + " failed: " + failed.path("error").asText() + " (log: " + log + ")");
        }
        if (ended) {
          throw new IllegalStateException(
              name + " ended before sending '" + type + "' (log: " + log + ")");
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new IllegalStateException(
              name + " sent no '" + type + "' within " + timeout + " (log: " + log + ")");
        }
        arrivals.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
      }
    }
  }

  /** Asks the child to stop, waits up to {@code timeout}, then kills it (this process only). */
  void stop(Duration timeout) {
    if (!process.isAlive()) {
      return;
    }
    try {
      send("stop");
    } catch (IOException e) {
      // its stdin is closed: it is going anyway
    }
    try {
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
          process.destroyForcibly();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
    }
  }

  @Override
  public void close() {
    stop(Duration.ofSeconds(60));
  }
}

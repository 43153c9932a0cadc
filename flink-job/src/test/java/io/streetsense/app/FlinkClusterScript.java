package io.streetsense.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Flink standalone cluster driven through {@code deploy/flink-cluster}, the way an operator
 * drives it: every start, submission, savepoint and kill is the script's. The cluster's REST API is
 * read directly for what the tests check (job state, checkpoint counts).
 */
final class FlinkClusterScript implements AutoCloseable {
  private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path script;
  private final Path dir;
  private final String restUrl;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private FlinkClusterScript(Path script, Path dir, String restUrl) {
    this.script = script;
    this.dir = dir;
    this.restUrl = restUrl;
  }

  /** {@code deploy/flink-cluster --dir DIR start OPTIONS...}; returns once the cluster is up. */
  static FlinkClusterScript start(Path dir, String... options) {
    Path script = repositoryRoot().resolve("deploy").resolve("flink-cluster");
    List<String> args = new ArrayList<>(List.of("start"));
    args.addAll(List.of(options));
    String url = run(script, dir, args);
    return new FlinkClusterScript(script, dir, url);
  }

  /** The checkout's root: the folder holding {@code deploy/flink-cluster}, looking upwards. */
  static Path repositoryRoot() {
    for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
      if (Files.isExecutable(d.resolve("deploy").resolve("flink-cluster"))) {
        return d;
      }
    }
    throw new IllegalStateException(
        "no deploy/flink-cluster above " + Path.of("").toAbsolutePath());
  }

  String restUrl() {
    return restUrl;
  }

  Path dir() {
    return dir;
  }

  /** Uploads and runs the job jar; returns the job id once every task runs. */
  String submit(Path jar, List<String> programArgs) {
    List<String> args = new ArrayList<>(List.of("submit", jar.toString()));
    args.addAll(programArgs);
    return run(script, dir, args);
  }

  /** As {@link #submit}, restoring the job's state from {@code savepoint}. */
  String resume(Path jar, String savepoint, List<String> programArgs) {
    List<String> args = new ArrayList<>(List.of("resume", jar.toString(), savepoint));
    args.addAll(programArgs);
    return run(script, dir, args);
  }

  /** Stops the job with a final savepoint; returns the savepoint's path. */
  String stopWithSavepoint(String jobId) {
    return run(script, dir, List.of("stop-with-savepoint", jobId));
  }

  void cancel(String jobId) {
    run(script, dir, List.of("cancel", jobId));
  }

  /** SIGKILLs every running TaskManager of the cluster. */
  void killTaskManager() {
    run(script, dir, List.of("kill-taskmanager"));
  }

  /** Starts a fresh TaskManager; returns once it has registered with the JobManager. */
  void startTaskManager() {
    run(script, dir, List.of("start-taskmanager"));
  }

  /** The process of the one running TaskManager, from the script's pid files. */
  ProcessHandle taskManagerProcess() {
    try (Stream<Path> files = Files.list(dir.resolve("pids"))) {
      List<ProcessHandle> alive =
          files
              .filter(f -> f.getFileName().toString().matches("taskmanager-\\d+\\.pid"))
              .map(FlinkClusterScript::pidOf)
              .flatMap(pid -> ProcessHandle.of(pid).stream())
              .filter(ProcessHandle::isAlive)
              .toList();
      if (alive.size() != 1) {
        throw new IllegalStateException("expected one running TaskManager, found " + alive);
      }
      return alive.get(0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static long pidOf(Path file) {
    try {
      return Long.parseLong(Files.readString(file).strip());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where the cluster writes the checkpoints of {@code jobId} ({@code chk-N} folders). */
  Path checkpointsOf(String jobId) {
    return dir.resolve("checkpoints").resolve(jobId);
  }

  /** GET on the cluster's REST API. */
  JsonNode get(String path) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(URI.create(restUrl + path))
                  .timeout(Duration.ofSeconds(30))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        throw new IllegalStateException(
            "GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
      }
      return JSON.readTree(response.body());
    } catch (IOException e) {
      throw new UncheckedIOException("GET " + path, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public void close() {
    run(script, dir, List.of("stop"));
  }

  /**
   * Runs the script; its messages (stderr) are echoed with a prefix, its result (stdout, last line)
   * is returned. A non-zero exit fails with the script's own error message.
   */
  private static String run(Path script, Path dir, List<String> args) {
    List<String> command = new ArrayList<>(List.of(script.toString(), "--dir", dir.toString()));
    command.addAll(args);
    Process process;
    try {
      process = new ProcessBuilder(command).start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + command, e);
    }
    try {
      process.getOutputStream().close();
    } catch (IOException ignored) {
      // nothing to close
    }
    CompletableFuture<List<String>> stdout = lines(process.getInputStream(), null);
    CompletableFuture<List<String>> stderr = lines(process.getErrorStream(), "  | ");
    try {
      if (!process.waitFor(SCRIPT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError(
            "deploy/flink-cluster " + args + " did not end in " + SCRIPT_TIMEOUT);
      }
      List<String> out = stdout.join();
      List<String> err = stderr.join();
      if (process.exitValue() != 0) {
        throw new AssertionError(
            "deploy/flink-cluster "
                + String.join(" ", args)
                + " failed (exit "
                + process.exitValue()
                + "):\n"
                + String.join("\n", err.subList(Math.max(0, err.size() - 20), err.size())));
      }
      return out.isEmpty() ? "" : out.get(out.size() - 1).strip();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running the script", e);
    }
  }

  /** Reads a stream to its end on a thread of its own (a full pipe would block the script). */
  private static CompletableFuture<List<String>> lines(InputStream in, String echoPrefix) {
    CompletableFuture<List<String>> result = new CompletableFuture<>();
    Thread reader =
        new Thread(
            () -> {
              List<String> lines = new ArrayList<>();
              try (BufferedReader r =
                  new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                  lines.add(line);
                  if (echoPrefix != null) {
                    System.out.println(echoPrefix + line);
                  }
                }
                result.complete(lines);
              } catch (IOException e) {
                result.completeExceptionally(e);
              }
            },
            "flink-cluster-script-output");
    reader.setDaemon(true);
    reader.start();
    return result;
  }
}

package io.streetsense.services.internal;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One native or JVM child process with its output in a log file, killed when our JVM goes away.
 *
 * <p>Two mechanisms keep children from outliving us:
 *
 * <ul>
 *   <li>a JVM shutdown hook (normal exit, {@code System.exit}, SIGINT, SIGTERM), and
 *   <li>an orphan guard for the cases where hooks do not run (SIGKILL of our JVM, a crash): the
 *       command runs under a tiny {@code /bin/sh} wrapper whose stdin is a pipe from this JVM. When
 *       this JVM dies, the kernel closes the pipe, the wrapper reads end-of-file and SIGKILLs the
 *       child. Linux' {@code PR_SET_PDEATHSIG} is not an option: it fires when the <em>thread</em>
 *       that forked exits, and our callers start services from short-lived pool threads.
 * </ul>
 *
 * <p>Signals go to the real child (its pid is written by the wrapper), not to the wrapper.
 */
public final class ChildProcess {
  private static final Logger LOG = LoggerFactory.getLogger(ChildProcess.class);

  /**
   * $1 = pid file, $2... = command. fd 3 keeps the pipe from the JVM for the watcher only; the
   * child gets /dev/null as stdin. The wrapper exits with the child's status.
   */
  private static final String GUARD =
      "pidfile=$1; shift\n"
          + "exec 3<&0\n"
          + "\"$@\" </dev/null 3<&- &\n"
          + "c=$!\n"
          + "echo \"$c\" > \"$pidfile.tmp\" && mv \"$pidfile.tmp\" \"$pidfile\"\n"
          + "(while read -r _ <&3; do :; done; kill -9 \"$c\" 2>/dev/null) &\n"
          + "w=$!\n"
          + "exec 3<&-\n"
          + "wait \"$c\"; s=$?\n"
          + "kill \"$w\" 2>/dev/null\n"
          + "exit \"$s\"\n";

  private final String name;
  private final List<String> command;
  private final Path workDir;
  private final Path logFile;
  private final Map<String, String> environment;
  private final Duration stopTimeout;

  private Process wrapper;
  private ProcessHandle child;
  private Thread shutdownHook;

  /**
   * @param name short name used in logs and errors ("kafka", "mosquitto")
   * @param command the executable and its arguments
   * @param workDir working directory of the child, also holds the pid file
   * @param logFile stdout and stderr of the child are appended here
   * @param environment extra environment variables
   * @param stopTimeout how long {@link #stop()} waits after SIGTERM before SIGKILL
   */
  public ChildProcess(
      String name,
      List<String> command,
      Path workDir,
      Path logFile,
      Map<String, String> environment,
      Duration stopTimeout) {
    this.name = name;
    this.command = List.copyOf(command);
    this.workDir = workDir;
    this.logFile = logFile;
    this.environment = Map.copyOf(environment);
    this.stopTimeout = stopTimeout;
  }

  public String name() {
    return name;
  }

  public Path logFile() {
    return logFile;
  }

  /** Starts the process; returns as soon as its pid is known (not when it is ready). */
  public synchronized void start() {
    if (isAlive()) {
      throw new IllegalStateException(name + " is already running (pid " + child.pid() + ")");
    }
    Path pidFile = workDir.resolve(name + ".pid");
    try {
      Files.createDirectories(workDir);
      Files.deleteIfExists(pidFile);
      Files.createDirectories(logFile.getParent());
      List<String> full = new ArrayList<>(List.of("/bin/sh", "-c", GUARD, "guard"));
      full.add(pidFile.toString());
      full.addAll(command);
      ProcessBuilder builder =
          new ProcessBuilder(full)
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
      builder.environment().putAll(environment);
      wrapper = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("could not start " + name + ": " + command, e);
    }
    // Our end of the pipe: never written, never closed while the child runs (see class comment).
    child = awaitPid(pidFile);
    shutdownHook = new Thread(this::killOnJvmExit, "kill-" + name + "-" + child.pid());
    Runtime.getRuntime().addShutdownHook(shutdownHook);
    LOG.info("started {} (pid {}), log: {}", name, child.pid(), logFile);
  }

  private ProcessHandle awaitPid(Path pidFile) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      try {
        if (Files.exists(pidFile)) {
          long pid = Long.parseLong(Files.readString(pidFile).trim());
          // If the child already died, of() is empty: track the wrapper so isAlive() is false.
          return ProcessHandle.of(pid).orElse(wrapper.toHandle());
        }
        if (!wrapper.isAlive()) {
          break;
        }
        Thread.sleep(5);
      } catch (IOException | NumberFormatException e) {
        // pid file being written; try again
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        wrapper.destroyForcibly();
        throw new IllegalStateException("interrupted while starting " + name, e);
      }
    }
    wrapper.destroyForcibly();
    throw new IllegalStateException(
        "could not start " + name + " (no pid after 10 s): " + command + tailForError());
  }

  public synchronized boolean isAlive() {
    return child != null && child.isAlive();
  }

  public synchronized long pid() {
    return child == null ? -1 : child.pid();
  }

  /**
   * Exit code of the wrapper, which is the child's, or empty while it runs or was never started.
   */
  public synchronized Optional<Integer> exitCode() {
    if (wrapper == null || wrapper.isAlive()) {
      return Optional.empty();
    }
    return Optional.of(wrapper.exitValue());
  }

  /** SIGTERM, wait up to the stop timeout, then SIGKILL. No-op when not running. */
  public synchronized void stop() {
    if (child == null) {
      return;
    }
    if (child.isAlive()) {
      child.destroy();
      if (!awaitExit(stopTimeout)) {
        LOG.warn("{} did not stop within {}; killing it", name, stopTimeout);
        child.destroyForcibly();
        awaitExit(Duration.ofSeconds(30));
      }
    }
    cleanUp();
  }

  /** SIGKILL and wait until the process is gone. No-op when not running. */
  public synchronized void kill() {
    if (child == null) {
      return;
    }
    if (child.isAlive()) {
      child.destroyForcibly();
      awaitExit(Duration.ofSeconds(30));
    }
    cleanUp();
  }

  private boolean awaitExit(Duration timeout) {
    try {
      child.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      return true;
    } catch (TimeoutException e) {
      return false;
    } catch (ExecutionException e) {
      return !child.isAlive();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !child.isAlive();
    }
  }

  private void cleanUp() {
    try {
      wrapper.waitFor(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (wrapper.isAlive()) {
      wrapper.destroyForcibly();
    }
    try {
      wrapper.getOutputStream().close();
    } catch (IOException e) {
      // nothing to do: the pipe is gone either way
    }
    if (shutdownHook != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down already
      }
      shutdownHook = null;
    }
  }

  private void killOnJvmExit() {
    ProcessHandle handle = child;
    if (handle != null && handle.isAlive()) {
      // A graceful stop lets Kafka and Mosquitto write their state; bounded so exit is not stuck.
      handle.destroy();
      try {
        handle.onExit().get(5, TimeUnit.SECONDS);
      } catch (Exception e) {
        handle.destroyForcibly();
      }
    }
  }

  /** A readiness probe; exceptions count as "not ready yet". */
  @FunctionalInterface
  public interface ReadinessCheck {
    boolean isReady() throws Exception;
  }

  /**
   * Polls {@code check} until it returns true. Fails fast, with the tail of the log, when the
   * process exits; kills the process and fails when {@code timeout} passes.
   */
  public void awaitReady(Duration timeout, String what, ReadinessCheck check) {
    long deadline = System.nanoTime() + timeout.toNanos();
    Exception last = null;
    while (true) {
      if (!isAlive()) {
        throw new IllegalStateException(
            name
                + " exited"
                + exitCode().map(c -> " with code " + c).orElse("")
                + " before "
                + what
                + tailForError());
      }
      try {
        if (check.isReady()) {
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      } catch (Exception e) {
        last = e;
      }
      if (System.nanoTime() > deadline) {
        kill();
        throw new IllegalStateException(
            name
                + " did not get ready within "
                + timeout.toSeconds()
                + " s (waiting for "
                + what
                + (last == null ? "" : "; last error: " + last)
                + ")"
                + tailForError(),
            last);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
        throw new IllegalStateException("interrupted while waiting for " + what, e);
      }
    }
  }

  /** Log tail formatted for an exception message. */
  public String tailForError() {
    return "\n--- last lines of " + logFile + " ---\n" + tail(logFile, 40);
  }

  /** The last {@code maxLines} lines of a text file, or a note that it does not exist. */
  public static String tail(Path file, int maxLines) {
    if (!Files.exists(file)) {
      return "(" + file + " does not exist)";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, 16 * 1024);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
      int from = Math.max(0, lines.length - maxLines);
      return String.join("\n", List.of(lines).subList(from, lines.length));
    } catch (IOException e) {
      return "(could not read " + file + ": " + e + ")";
    }
  }
}

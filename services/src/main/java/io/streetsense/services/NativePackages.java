package io.streetsense.services;

import io.streetsense.services.internal.ChildProcess;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the native programs the services need and, when we run as root on Debian, installs them.
 *
 * <pre>{@code
 * Path mosquitto = NativePackages.require("mosquitto", "mosquitto");
 * Path influxd = NativePackages.require("influxd", "influxdb");
 * }</pre>
 *
 * <p>Without root nothing is installed: the error says which package to install. Debian's
 * maintainer scripts try to start the packaged service right after installing it (on this kind of
 * machine {@code /usr/sbin/policy-rc.d} forbids that and there is no systemd, so nothing starts).
 * Where one does start, it listens on the stock ports ({@code *:1883}, {@code *:8086}), which our
 * instances never use, so it cannot interfere with them; we stop it anyway so that an installation
 * made by a test run does not leave a daemon behind.
 */
public final class NativePackages {
  private static final Logger LOG = LoggerFactory.getLogger(NativePackages.class);
  private static final List<String> EXTRA_DIRS =
      List.of("/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin");

  private static boolean aptUpdated;
  private static Boolean root;

  private NativePackages() {}

  /**
   * Returns the path of {@code executable}, installing {@code debianPackage} with apt-get first if
   * it is missing and we are root.
   *
   * @throws IllegalStateException when it is missing and cannot be installed; the message is one
   *     line saying what to install
   */
  public static synchronized Path require(String executable, String debianPackage) {
    Optional<Path> found = find(executable);
    if (found.isPresent()) {
      return found.get();
    }
    String hint =
        executable + " is not installed: run `sudo apt-get install " + debianPackage + "`";
    if (!isRoot()) {
      throw new IllegalStateException(hint);
    }
    Optional<Path> aptGet = find("apt-get");
    if (aptGet.isEmpty()) {
      throw new IllegalStateException(
          executable + " is not installed and there is no apt-get: install " + debianPackage);
    }
    LOG.info("{} is missing: installing Debian package {} with apt-get", executable, debianPackage);
    if (!aptUpdated) {
      run(hint, aptGet.get().toString(), "update");
      aptUpdated = true;
    }
    run(
        hint,
        aptGet.get().toString(),
        "-o",
        "DPkg::Lock::Timeout=300",
        "install",
        "-y",
        "--no-install-recommends",
        debianPackage);
    stopPackagedService(debianPackage);
    return find(executable)
        .orElseThrow(
            () ->
                new IllegalStateException(
                    executable + " still missing after installing " + debianPackage + "; " + hint));
  }

  /** The executable on PATH or in the usual system directories. */
  public static Optional<Path> find(String executable) {
    Set<String> dirs = new LinkedHashSet<>();
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(File.pathSeparator)) {
        if (!dir.isEmpty()) {
          dirs.add(dir);
        }
      }
    }
    dirs.addAll(EXTRA_DIRS);
    for (String dir : dirs) {
      Path candidate = Path.of(dir, executable);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** True when this JVM runs with effective uid 0. */
  public static synchronized boolean isRoot() {
    if (root == null) {
      String uid = output("id", "-u");
      root = uid.isEmpty() ? "root".equals(System.getProperty("user.name")) : "0".equals(uid);
    }
    return root;
  }

  /**
   * Stops the service a package's maintainer script may have started (see the class comment). Only
   * called right after we installed the package, so it never touches a service someone else runs.
   */
  private static void stopPackagedService(String debianPackage) {
    Optional<Path> service = find("service");
    if (service.isEmpty() || !Files.exists(Path.of("/etc/init.d", debianPackage))) {
      return;
    }
    if ("running".equals(statusOf(service.get(), debianPackage))) {
      LOG.info("stopping the {} service that its package just started", debianPackage);
      output(service.get().toString(), debianPackage, "stop");
    }
  }

  private static String statusOf(Path service, String debianPackage) {
    try {
      Process p =
          new ProcessBuilder(service.toString(), debianPackage, "status")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return "unknown";
      }
      return p.exitValue() == 0 ? "running" : "stopped";
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  private static void run(String hint, String... command) {
    LOG.info("running: {}", String.join(" ", command));
    Path log;
    try {
      log = Files.createTempFile("streetsense-apt-", ".log");
    } catch (IOException e) {
      throw new IllegalStateException(hint + " (could not create a temp file: " + e + ")", e);
    }
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
      builder.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = builder.start();
      if (!p.waitFor(15, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IllegalStateException(
            String.join(" ", command) + " timed out after 15 min" + tail(log));
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed with exit code " + p.exitValue() + tail(log));
      }
    } catch (IOException e) {
      throw new IllegalStateException(hint + " (" + e.getMessage() + ")", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted: " + String.join(" ", command), e);
    } finally {
      try {
        Files.deleteIfExists(log);
      } catch (IOException e) {
        // a temp file left behind is harmless
      }
    }
  }

  private static String tail(Path log) {
    return "\n" + ChildProcess.tail(log, 30);
  }

  private static String output(String... command) {
    try {
      Process p = new ProcessBuilder(new ArrayList<>(List.of(command))).start();
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(30, TimeUnit.SECONDS);
      return out;
    } catch (IOException e) {
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }
}

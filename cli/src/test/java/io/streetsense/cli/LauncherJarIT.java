package io.streetsense.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarFile;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;

/**
 * The packaged launcher, {@code cli/target/streetsense.jar} (what {@code ./streetsense} runs): its
 * manifest names every module the commands need, and each jar it names is in {@code lib/}. A
 * test-scope declaration in this module's pom silently takes a module out of the runtime class path
 * (the nearest declaration wins), and the demo then fails at start with NoClassDefFoundError while
 * every test, which runs on the test class path, still passes.
 */
class LauncherJarIT {
  private static final List<String> NEEDED =
      List.of("app", "demo", "services", "simulator", "views", "ingest", "sinks", "detectors");

  @Test
  void manifestClassPath_namesEveryModuleTheCommandsNeed_andLibHoldsThem() throws Exception {
    Path jar = Path.of("target", "streetsense.jar");
    assertTrue(Files.isRegularFile(jar), "the launcher jar is built before the ITs: " + jar);
    Manifest manifest;
    try (JarFile file = new JarFile(jar.toFile())) {
      manifest = file.getManifest();
    }
    String classPath = manifest.getMainAttributes().getValue("Class-Path");
    assertTrue(
        "io.streetsense.cli.StreetSense"
            .equals(manifest.getMainAttributes().getValue("Main-Class")),
        "Main-Class");
    for (String module : NEEDED) {
      assertTrue(
          classPath.contains("lib/streetsense-" + module + "-"),
          "the launcher's Class-Path names streetsense-" + module + ": " + classPath);
    }
    for (String entry : classPath.trim().split("\\s+")) {
      assertTrue(Files.isRegularFile(jar.resolveSibling(entry)), "lib holds " + entry);
    }
  }
}

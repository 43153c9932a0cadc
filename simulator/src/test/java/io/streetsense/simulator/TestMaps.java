package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared block maps of the project, found by walking up from the working directory. */
final class TestMaps {
  private static BlockMap jiashan;

  private TestMaps() {}

  /** The {@code shared/blockmaps} directory above {@code user.dir}. */
  static Path sharedBlockmaps() {
    Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      Path candidate = d.resolve("shared").resolve("blockmaps");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException("no shared/blockmaps above " + dir);
  }

  static synchronized BlockMap jiashan() {
    if (jiashan == null) {
      jiashan = BlockMapLoader.load(sharedBlockmaps().resolve("jiashan-lane.yaml"));
    }
    return jiashan;
  }
}

package io.streetsense.ingest;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import java.nio.file.Files;
import java.nio.file.Path;

/** The shared block maps ({@code ../shared/blockmaps}), found by walking up from the work dir. */
final class TestMaps {
  private TestMaps() {}

  static Path sharedBlockmaps() {
    for (Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        dir != null;
        dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("blockmaps");
      if (Files.isRegularFile(candidate.resolve("jiashan-lane.yaml"))) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "shared/blockmaps/jiashan-lane.yaml not found above " + System.getProperty("user.dir"));
  }

  static Path jiashanLaneFile() {
    return sharedBlockmaps().resolve("jiashan-lane.yaml");
  }

  static BlockMaps jiashanLane() {
    return BlockMaps.of(BlockMapLoader.load(jiashanLaneFile()));
  }
}

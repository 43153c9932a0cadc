package io.streetsense.detectors;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real-shaped block maps in {@code ../shared/blockmaps}, beside the checkout. */
public final class SharedMaps {
  private SharedMaps() {}

  public static Path directory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("blockmaps");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no shared/blockmaps directory beside the checkout (looked upwards from "
            + Path.of("").toAbsolutePath()
            + ")");
  }

  public static BlockMap load(String blockId) {
    return BlockMapLoader.load(directory().resolve(blockId + ".yaml"));
  }
}

package io.streetsense.testing;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The real-shaped block maps in {@code shared/blockmaps}, beside the checkout (CI has it too). A
 * user's clone has no such folder: the demo uses the project's bundled examples instead, and only
 * the tests come here.
 */
public final class SharedBlockMaps {
  private SharedBlockMaps() {}

  /** The {@code shared/blockmaps} folder, found by walking up from the working directory. */
  public static Path directory() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("shared").resolve("blockmaps");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no shared/blockmaps folder beside the checkout (looked upwards from "
            + Path.of("").toAbsolutePath()
            + ")");
  }

  public static Path file(String blockId) {
    return directory().resolve(blockId + ".yaml");
  }

  public static BlockMap load(String blockId) {
    return BlockMapLoader.load(file(blockId));
  }

  public static BlockMaps all() {
    return BlockMapLoader.loadDirectory(directory());
  }
}

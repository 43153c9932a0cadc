package io.streetsense.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The example block maps in the repository's top-level {@code blockmaps/} folder: {@code
 * jiashan-lane} (small, every key explained in comments) and {@code lingyan-south} (a full
 * commercial street). Every module's tests and the benchmark programs find them here, the same way:
 * by walking up from the working directory to the repository root (the folder holding {@code
 * mvnw}). A clone has them; nothing outside the repository is read.
 *
 * <p>Paths only, so that the block-map module's own tests can use this class too (it cannot depend
 * on a module that depends on it); load a map with {@code BlockMapLoader.load(file(id))}.
 */
public final class RepositoryBlockMaps {
  /** The folder's name at the repository root. */
  public static final String FOLDER = "blockmaps";

  private RepositoryBlockMaps() {}

  /** The repository's {@code blockmaps/} folder. */
  public static Path directory() {
    Path start = Path.of("").toAbsolutePath();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve(FOLDER);
      if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    throw new IllegalStateException(
        "no "
            + FOLDER
            + "/ folder at the repository root (looked upwards from "
            + start
            + " for a folder holding mvnw and "
            + FOLDER
            + "/)");
  }

  /** The map of one block, {@code blockmaps/<blockId>.yaml}; fails naming the file if missing. */
  public static Path file(String blockId) {
    Path file = directory().resolve(blockId + ".yaml");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("no block map " + file);
    }
    return file;
  }
}

package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Path;

/**
 * The repository's example block maps this module's tests use (see {@link RepositoryBlockMaps}).
 */
final class TestMaps {
  private static BlockMap jiashan;

  private TestMaps() {}

  static Path repositoryBlockMaps() {
    return RepositoryBlockMaps.directory();
  }

  static synchronized BlockMap jiashan() {
    if (jiashan == null) {
      jiashan = BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane"));
    }
    return jiashan;
  }
}

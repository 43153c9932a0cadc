package io.streetsense.ingest;

import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.testing.RepositoryBlockMaps;
import java.nio.file.Path;

/**
 * The repository's example block maps this module's tests use (see {@link RepositoryBlockMaps}).
 */
final class TestMaps {
  private TestMaps() {}

  static Path repositoryBlockMaps() {
    return RepositoryBlockMaps.directory();
  }

  static Path jiashanLaneFile() {
    return RepositoryBlockMaps.file("jiashan-lane");
  }

  static BlockMaps jiashanLane() {
    return BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane")));
  }
}

package io.streetsense.ingest;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.testing.SharedBlockMaps;
import java.nio.file.Path;

/** The shared block maps this module's tests use (see {@link SharedBlockMaps}). */
final class TestMaps {
  private TestMaps() {}

  static Path sharedBlockmaps() {
    return SharedBlockMaps.directory();
  }

  static Path jiashanLaneFile() {
    return SharedBlockMaps.file("jiashan-lane");
  }

  static BlockMaps jiashanLane() {
    return BlockMaps.of(SharedBlockMaps.load("jiashan-lane"));
  }
}

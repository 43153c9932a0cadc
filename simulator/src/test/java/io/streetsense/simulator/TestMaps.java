package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.testing.SharedBlockMaps;
import java.nio.file.Path;

/** The shared block maps this module's tests use (see {@link SharedBlockMaps}). */
final class TestMaps {
  private static BlockMap jiashan;

  private TestMaps() {}

  static Path sharedBlockmaps() {
    return SharedBlockMaps.directory();
  }

  static synchronized BlockMap jiashan() {
    if (jiashan == null) {
      jiashan = SharedBlockMaps.load("jiashan-lane");
    }
    return jiashan;
  }
}

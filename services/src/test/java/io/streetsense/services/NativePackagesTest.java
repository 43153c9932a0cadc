package io.streetsense.services;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class NativePackagesTest {

  @Test
  void find_locatesAnExecutableOnThePath() {
    assertTrue(NativePackages.find("sh").map(Files::isExecutable).orElse(false));
  }

  @Test
  void find_missingExecutable_isEmpty() {
    assertTrue(NativePackages.find("no-such-program-" + System.nanoTime()).isEmpty());
  }

  @Test
  void require_presentExecutable_installsNothing() {
    assertEquals(NativePackages.find("sh").get(), NativePackages.require("sh", "dash"));
  }
}

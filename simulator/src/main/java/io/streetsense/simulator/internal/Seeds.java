package io.streetsense.simulator.internal;

import java.util.Random;

/**
 * Seeds derived from a scenario seed and a name (block, device, script line). Every device draws
 * from its own random source, so adding a camera to a map or an event to a script does not change
 * what the other devices send.
 */
public final class Seeds {
  private Seeds() {}

  /** A random source for {@code parts} under {@code seed}; stable across JVMs and runs. */
  public static Random random(long seed, Object... parts) {
    return new Random(of(seed, parts));
  }

  static long of(long seed, Object... parts) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    for (Object part : parts) {
      String s = String.valueOf(part);
      for (int i = 0; i < s.length(); i++) {
        h = mix(h ^ s.charAt(i));
      }
      h = mix(h ^ 0x1F); // separator: ("ab","c") differs from ("a","bc")
    }
    return h;
  }

  /** The 64-bit finaliser of MurmurHash3. */
  private static long mix(long z) {
    z = (z ^ (z >>> 33)) * 0xff51afd7ed558ccdL;
    z = (z ^ (z >>> 33)) * 0xc4ceb9fe1a85ec53L;
    return z ^ (z >>> 33);
  }
}

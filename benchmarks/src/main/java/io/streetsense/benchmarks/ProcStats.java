package io.streetsense.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU and memory of processes from Linux's {@code /proc} (any process), and a JVM's heap from its
 * {@code hsperfdata} file (the shared-memory counters {@code jstat} reads), so nothing is attached
 * to and no tool is started per sample. Elsewhere than Linux the figures are -1. Read by the bridge
 * benchmark's CPU meter and the load test alike.
 */
public final class ProcStats {
  /** USER_HZ: the unit of {@code /proc} CPU times (100 on every Linux this runs on). */
  public static final double TICKS_PER_SECOND = 100.0;

  private ProcStats() {}

  /** utime + stime of a process in ticks, or -1. */
  public static long cpuTicks(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // After "comm" (which may hold spaces): state is field 3, utime 14, stime 15.
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** Resident set size in bytes, or -1. */
  public static long rssBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          String[] f = line.trim().split("\\s+");
          return Long.parseLong(f[1]) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** {busy, total} ticks of the whole machine from {@code /proc/stat}. */
  public static long[] machineTicks() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
      String[] f = lines.get(0).trim().split("\\s+");
      long total = 0;
      // user nice system idle iowait irq softirq steal (guest times are inside user)
      for (int i = 1; i <= 8 && i < f.length; i++) {
        total += Long.parseLong(f[i]);
      }
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {total - idle, total};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  /** The 1, 5 and 15 minute load averages, or "n/a". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  /** The 1-minute load average, or NaN. */
  public static double loadAverage1() {
    try {
      return Double.parseDouble(loadAverage().split(" ")[0]);
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }

  /**
   * A JVM's heap: used and committed bytes (all generations' spaces) and accumulated GC time in
   * milliseconds, from {@code /tmp/hsperfdata_<user>/<pid>}.
   */
  public record JvmHeap(long used, long committed, double gcMillis) {}

  public static JvmHeap jvmHeap(long pid) {
    Path file =
        Path.of("/tmp", "hsperfdata_" + System.getProperty("user.name"), Long.toString(pid));
    try {
      return parseHeap(Files.readAllBytes(file));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** The heap figures out of an hsperfdata file's bytes (format version 2), or null. */
  public static JvmHeap parseHeap(byte[] bytes) {
    Map<String, Long> longs = perfLongs(bytes);
    if (longs == null) {
      return null;
    }
    long used = 0;
    long committed = 0;
    double gcTicks = 0;
    for (Map.Entry<String, Long> e : longs.entrySet()) {
      String k = e.getKey();
      if (k.startsWith("sun.gc.generation.") && k.contains(".space.")) {
        if (k.endsWith(".used")) {
          used += e.getValue();
        } else if (k.endsWith(".capacity")) {
          committed += e.getValue();
        }
      } else if (k.startsWith("sun.gc.collector.") && k.endsWith(".time")) {
        gcTicks += e.getValue();
      }
    }
    Long frequency = longs.get("sun.os.hrt.frequency");
    double gcMillis = frequency == null || frequency == 0 ? -1 : gcTicks * 1000.0 / frequency;
    return new JvmHeap(used, committed, gcMillis);
  }

  /** Every scalar long counter of an hsperfdata buffer by name, or null if it is not one. */
  public static Map<String, Long> perfLongs(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes);
    if (bytes.length < 32 || b.order(ByteOrder.BIG_ENDIAN).getInt(0) != 0xcafec0c0) {
      return null;
    }
    b.order(b.get(4) == 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
    if (b.get(5) != 2) {
      return null;
    }
    int position = b.getInt(24);
    int entries = b.getInt(28);
    Map<String, Long> out = new HashMap<>();
    for (int i = 0; i < entries && position + 20 <= bytes.length; i++) {
      int length = b.getInt(position);
      int nameOffset = b.getInt(position + 4);
      int vectorLength = b.getInt(position + 8);
      byte type = b.get(position + 12);
      int dataOffset = b.getInt(position + 16);
      if (length <= 0) {
        break;
      }
      if (type == 'J' && vectorLength == 0 && position + dataOffset + 8 <= bytes.length) {
        int start = position + nameOffset;
        int end = start;
        while (end < bytes.length && bytes[end] != 0) {
          end++;
        }
        String name = new String(bytes, start, end - start, StandardCharsets.US_ASCII);
        out.put(name, b.getLong(position + dataOffset));
      }
      position += length;
    }
    return out;
  }
}

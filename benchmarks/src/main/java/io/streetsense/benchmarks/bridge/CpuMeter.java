package io.streetsense.benchmarks.bridge;

import io.streetsense.benchmarks.ProcStats;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where the CPU goes during a case: CPU time of this JVM, the Kafka broker and Mosquitto (from
 * {@code /proc/PID/stat}), the whole machine's busy share (from {@code /proc/stat}; both read by
 * {@link ProcStats}), and this JVM's threads grouped by name (from the {@link ThreadMXBean}; digits
 * in names are folded so that e.g. all publisher threads make one group). Linux only; elsewhere the
 * figures are empty.
 */
final class CpuMeter {
  private final Map<String, Long> processes;
  private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();

  /**
   * @param processes name → pid of the processes to watch besides this JVM
   */
  CpuMeter(Map<String, Long> processes) {
    this.processes = new LinkedHashMap<>();
    this.processes.put("bench-jvm", ProcessHandle.current().pid());
    this.processes.putAll(processes);
    if (threads.isThreadCpuTimeSupported() && !threads.isThreadCpuTimeEnabled()) {
      threads.setThreadCpuTimeEnabled(true);
    }
  }

  /** A reading to subtract from a later one. */
  record Reading(
      long nanos,
      long machineBusyTicks,
      long machineTotalTicks,
      Map<String, Long> processTicks,
      Map<Long, ThreadTime> threads) {}

  /** CPU time of one live thread. */
  record ThreadTime(String group, long nanos) {}

  /**
   * A case's CPU use.
   *
   * @param machineBusyPercent busy share of all cores (100 = every core busy all the time)
   * @param processCores CPU seconds per wall second per process (1.0 = one core)
   * @param jvmThreadCores the same for this JVM's thread groups, busiest first
   */
  record Usage(
      double machineBusyPercent,
      Map<String, Double> processCores,
      Map<String, Double> jvmThreadCores) {}

  Reading read() {
    long[] machine = ProcStats.machineTicks();
    Map<String, Long> procs = new LinkedHashMap<>();
    processes.forEach((name, pid) -> procs.put(name, ProcStats.cpuTicks(pid)));
    Map<Long, ThreadTime> byThread = new HashMap<>();
    long[] ids = threads.getAllThreadIds();
    ThreadInfo[] infos = threads.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] == null) {
        continue;
      }
      long t = threads.getThreadCpuTime(ids[i]);
      if (t >= 0) {
        byThread.put(ids[i], new ThreadTime(group(infos[i].getThreadName()), t));
      }
    }
    return new Reading(System.nanoTime(), machine[0], machine[1], procs, byThread);
  }

  static Usage between(Reading a, Reading b) {
    double seconds = Math.max(1e-9, (b.nanos() - a.nanos()) / 1e9);
    long total = b.machineTotalTicks() - a.machineTotalTicks();
    double busy = total <= 0 ? 0 : 100.0 * (b.machineBusyTicks() - a.machineBusyTicks()) / total;
    Map<String, Double> procs = new LinkedHashMap<>();
    b.processTicks()
        .forEach(
            (name, ticks) -> {
              Long before = a.processTicks().get(name);
              if (ticks >= 0 && before != null && before >= 0) {
                procs.put(name, round((ticks - before) / ProcStats.TICKS_PER_SECOND / seconds));
              }
            });
    // Per thread id: a thread started during the case counts from zero; one that ended during it
    // is lost (the benchmark keeps its own threads alive until the reading).
    Map<String, Long> nanosByGroup = new TreeMap<>();
    b.threads()
        .forEach(
            (id, t) -> {
              ThreadTime before = a.threads().get(id);
              long delta = t.nanos() - (before == null ? 0 : before.nanos());
              nanosByGroup.merge(t.group(), Math.max(0, delta), Long::sum);
            });
    Map<String, Double> groups = new TreeMap<>();
    nanosByGroup.forEach(
        (name, nanos) -> {
          double cores = nanos / 1e9 / seconds;
          if (cores >= 0.005) {
            groups.put(name, round(cores));
          }
        });
    Map<String, Double> sorted = new LinkedHashMap<>();
    groups.entrySet().stream()
        .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
        .limit(12)
        .forEach(e -> sorted.put(e.getKey(), e.getValue()));
    return new Usage(round(busy), procs, sorted);
  }

  /** Folds digits so that numbered threads of one kind make one group. */
  static String group(String threadName) {
    return threadName.replaceAll("\\d+", "#");
  }

  private static double round(double v) {
    return Math.round(v * 100) / 100.0;
  }
}

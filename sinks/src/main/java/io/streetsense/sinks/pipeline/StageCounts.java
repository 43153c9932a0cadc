package io.streetsense.sinks.pipeline;

/** What the detect stage did in one interval (or part of it, for one device). A Flink POJO. */
public final class StageCounts {
  /** The interval's end (exclusive), epoch ms: the point's time. */
  public long intervalEnd;

  public long events;
  public long duplicates;
  public long late;
  public long deadLetters;

  /** Messages missing from consecutively numbered devices (gaps in {@code seq}). */
  public long missing;

  /** Devices with such a gap. */
  public long devicesWithGaps;

  /** The largest lag seen in the interval, ms; -1 when none was known. */
  public long maxLagMs = -1;

  public StageCounts() {}

  StageCounts(long intervalEnd) {
    this.intervalEnd = intervalEnd;
  }

  void add(StageCounts other) {
    events += other.events;
    duplicates += other.duplicates;
    late += other.late;
    deadLetters += other.deadLetters;
    missing += other.missing;
    devicesWithGaps += other.devicesWithGaps;
    maxLagMs = Math.max(maxLagMs, other.maxLagMs);
  }
}

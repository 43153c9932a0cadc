package io.streetsense.sinks.pipeline;

/**
 * One input of the pipeline's detect stage as its tally sees it: a device message entering the job,
 * or a dead letter the detectors wrote. A Flink POJO.
 */
public final class StageSample {
  public enum Kind {
    /** A device message entering the detectors. */
    EVENT,
    /** A device message the detectors refused because it was behind the watermark. */
    LATE,
    /** Any other dead letter of the detectors (unknown device, ...). */
    DEAD_LETTER
  }

  /** {@code blockId/deviceId}: the tally keeps each device's recent sequence numbers. */
  public String device;

  /** The device's sequence number (sensor {@code seq}, camera {@code frame}); -1 when unknown. */
  public long seq = -1;

  /**
   * The device numbers its messages one by one (parking sensors' {@code seq}, docs/interfaces.md),
   * so a gap in the numbers is messages lost before Kafka. Camera frame numbers skip frames the
   * camera did not analyse: no gaps counted for them.
   */
  public boolean consecutive;

  public Kind kind;

  /** Processing time at the job's input minus the bridge's receive time, ms; -1 when unknown. */
  public long lagMs = -1;

  public StageSample() {}

  public StageSample(String device, long seq, Kind kind, long lagMs) {
    this(device, seq, false, kind, lagMs);
  }

  public StageSample(String device, long seq, boolean consecutive, Kind kind, long lagMs) {
    this.device = device;
    this.seq = seq;
    this.consecutive = consecutive;
    this.kind = kind;
    this.lagMs = lagMs;
  }
}

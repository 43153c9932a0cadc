package io.streetsense.sinks.workorders;

/**
 * Keyed state of the work-order loop while team actions wait for the street's event time: the
 * processing-time check that notices when that event time stands still. A Flink POJO.
 */
public final class StreetWatch {
  /** The registered processing-time timer. */
  public long timer;

  /** The operator's watermark when the watch was (re)armed. */
  public long watermark;

  public StreetWatch() {}

  StreetWatch(long timer, long watermark) {
    this.timer = timer;
    this.watermark = watermark;
  }
}

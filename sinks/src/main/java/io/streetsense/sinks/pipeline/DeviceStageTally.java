package io.streetsense.sinks.pipeline;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First half of the detect stage's tally, keyed by device: counts a device's messages, duplicates
 * (a sequence number seen among the device's last {@link #REMEMBERED_SEQS}), late messages and dead
 * letters per event-time interval, and hands each interval's counts on when the watermark passes
 * its end. The bridge passes duplicates on by design (MQTT QoS 1 redelivers); this is where they
 * are counted, the detectors themselves ignore them.
 *
 * <p>Gaps: a parking sensor numbers its messages one by one, so a {@code seq} more than one past
 * the highest seen so far means messages that never reached Kafka (e.g. the broker's queue for an
 * offline bridge overflowed): counted as {@code missing}. A {@code seq} far below the highest (more
 * than the remembered window) is a device restart or the counter's wrap, not a gap; one that comes
 * late within the window takes its place back (so an interval's {@code missing} can be negative
 * when the late one arrives an interval later; the sum over time is right).
 *
 * <p>A sample behind the watermark (a late message, or the dead letter the detectors wrote for it)
 * is counted in the interval the watermark is in, so nothing is lost from the tally.
 */
public final class DeviceStageTally extends KeyedProcessFunction<String, StageSample, StageCounts> {
  private static final long serialVersionUID = 1L;
  static final int REMEMBERED_SEQS = 64;

  private final long intervalMillis;
  private transient MapState<Long, StageCounts> open;
  private transient ValueState<List<Long>> recentSeqs;
  private transient ValueState<Long> highestSeq;

  public DeviceStageTally(Duration interval) {
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval must be positive, got " + interval);
    }
    this.intervalMillis = interval.toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    open =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "open-intervals", Types.LONG, TypeInformation.of(StageCounts.class)));
    recentSeqs =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("recent-seqs", Types.LIST(Types.LONG)));
    highestSeq =
        getRuntimeContext().getState(new ValueStateDescriptor<>("highest-seq", Types.LONG));
  }

  @Override
  public void processElement(StageSample sample, Context ctx, Collector<StageCounts> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long at = Math.max(ctx.timestamp() == null ? watermark : ctx.timestamp(), watermark + 1);
    long end = Math.floorDiv(at, intervalMillis) * intervalMillis + intervalMillis;
    StageCounts counts = open.get(end);
    if (counts == null) {
      counts = new StageCounts(end);
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
    switch (sample.kind) {
      case EVENT:
        counts.events++;
        if (seenBefore(sample.seq)) {
          counts.duplicates++;
        } else if (sample.consecutive) {
          counts.missing += gapBefore(sample.seq);
          counts.devicesWithGaps = counts.missing > 0 ? 1 : 0;
        }
        break;
      case LATE:
        counts.late++;
        counts.deadLetters++;
        break;
      default:
        counts.deadLetters++;
        break;
    }
    counts.maxLagMs = Math.max(counts.maxLagMs, sample.lagMs);
    open.put(end, counts);
  }

  /**
   * How many numbers were skipped before {@code seq} (-1: {@code seq} itself was counted missing
   * and has come after all); remembers the highest number seen.
   */
  private long gapBefore(long seq) throws Exception {
    if (seq < 0) {
      return 0;
    }
    Long highest = highestSeq.value();
    if (highest == null || seq > highest || highest - seq > REMEMBERED_SEQS) {
      highestSeq.update(seq);
      return highest == null || seq <= highest ? 0 : seq - highest - 1;
    }
    return -1; // late, within the window and not a duplicate: it was counted as missing
  }

  /** Remembers {@code seq}; true when it was among the device's recent sequence numbers. */
  private boolean seenBefore(long seq) throws Exception {
    if (seq < 0) {
      return false;
    }
    List<Long> recent = recentSeqs.value();
    if (recent != null && recent.contains(seq)) {
      return true;
    }
    ArrayDeque<Long> kept = new ArrayDeque<>(recent == null ? List.of() : recent);
    kept.addLast(seq);
    while (kept.size() > REMEMBERED_SEQS) {
      kept.removeFirst();
    }
    recentSeqs.update(new ArrayList<>(kept));
    return false;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<StageCounts> out)
      throws Exception {
    StageCounts counts = open.get(timestamp + 1);
    if (counts != null) {
      open.remove(timestamp + 1);
      out.collect(counts);
    }
  }
}

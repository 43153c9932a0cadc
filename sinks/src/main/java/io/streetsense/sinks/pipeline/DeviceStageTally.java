package io.streetsense.sinks.pipeline;

import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * First half of the detect stage's tally, keyed by device: counts a device's messages, duplicates
 * (a sequence number seen among the {@link #REMEMBERED_SEQS} numbers up to the highest seen), late
 * messages and dead letters per event-time interval, and hands each interval's counts on when the
 * watermark passes its end. The bridge passes duplicates on by design (MQTT QoS 1 redelivers); this
 * is where they are counted, the detectors themselves ignore them.
 *
 * <p>Gaps: a parking sensor numbers its messages one by one, so a {@code seq} more than one past
 * the highest seen so far means messages that never reached Kafka (e.g. the broker's queue for an
 * offline bridge overflowed): counted as {@code missing}. A {@code seq} at or below the remembered
 * window (more than {@link #REMEMBERED_SEQS} under the highest) is a device restart or the
 * counter's wrap, not a gap: the window starts again from it. One that comes late within the window
 * takes its place back (so an interval's {@code missing} can be negative when the late one arrives
 * an interval later; the sum over time is right).
 *
 * <p>A device's memory is two longs whatever it sends: the highest number and a bit per number of
 * the window below it (an anti-replay window). It used to be the list of its last 64 numbers,
 * copied on every message: some 600 bytes a device in every checkpoint, growing for hours on a
 * sensor that speaks a few times an hour. State restored from that shape is read once per device
 * into the window and dropped.
 *
 * <p>A sample behind the watermark (a late message, or the dead letter the detectors wrote for it)
 * is counted in the interval the watermark is in, so nothing is lost from the tally.
 */
public final class DeviceStageTally extends KeyedProcessFunction<String, StageSample, StageCounts> {
  private static final long serialVersionUID = 1L;
  static final int REMEMBERED_SEQS = Long.SIZE;

  private final long intervalMillis;
  private transient MapState<Long, StageCounts> open;

  /** {highest number seen, bit i set when number highest - i was seen}; absent before any. */
  private transient ValueState<long[]> seqWindow;

  // The shape before the window, read only to carry a restored device over, then cleared.
  private transient ValueState<List<Long>> legacyRecentSeqs;
  private transient ValueState<Long> legacyHighestSeq;

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
    seqWindow =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "seq-window", PrimitiveArrayTypeInfo.LONG_PRIMITIVE_ARRAY_TYPE_INFO));
    legacyRecentSeqs =
        getRuntimeContext()
            .getState(new ValueStateDescriptor<>("recent-seqs", Types.LIST(Types.LONG)));
    legacyHighestSeq =
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
        if (sample.seq >= 0) {
          countSequence(sample, counts);
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

  /** Counts a duplicate, or the numbers skipped before this one; moves the window. */
  private void countSequence(StageSample sample, StageCounts counts) throws Exception {
    long seq = sample.seq;
    long[] window = seqWindow.value();
    if (window == null) {
      window = restoredWindow();
    }
    if (window == null) {
      window = new long[] {seq, 1L};
    } else {
      long highest = window[0];
      if (seq > highest) {
        long shift = seq - highest;
        window[1] = shift >= REMEMBERED_SEQS ? 1L : window[1] << shift | 1L;
        window[0] = seq;
        if (sample.consecutive) {
          counts.missing += shift - 1;
        }
      } else if (highest - seq < REMEMBERED_SEQS) {
        long bit = 1L << (highest - seq);
        if ((window[1] & bit) != 0) {
          counts.duplicates++;
          seqWindow.update(window); // unchanged, but it may have just been restored
          return;
        }
        window[1] |= bit;
        if (sample.consecutive && seq < highest) {
          counts.missing--; // late within the window: it was counted as missing
        }
      } else {
        window[0] = seq; // a restart or the counter's wrap
        window[1] = 1L;
      }
    }
    if (sample.consecutive) {
      counts.devicesWithGaps = counts.missing > 0 ? 1 : 0;
    }
    seqWindow.update(window);
  }

  /** The window from the list a device kept before (restored from an older checkpoint), or null. */
  private long[] restoredWindow() throws Exception {
    List<Long> recent = legacyRecentSeqs.value();
    Long highestConsecutive = legacyHighestSeq.value();
    if (recent == null && highestConsecutive == null) {
      return null;
    }
    legacyRecentSeqs.clear();
    legacyHighestSeq.clear();
    long highest = highestConsecutive == null ? Long.MIN_VALUE : highestConsecutive;
    for (Long seq : recent == null ? List.<Long>of() : recent) {
      highest = Math.max(highest, seq);
    }
    if (highest == Long.MIN_VALUE) {
      return null;
    }
    long seen = 0;
    for (Long seq : recent == null ? List.<Long>of() : recent) {
      if (highest - seq < REMEMBERED_SEQS) {
        seen |= 1L << (highest - seq);
      }
    }
    return new long[] {highest, seen};
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

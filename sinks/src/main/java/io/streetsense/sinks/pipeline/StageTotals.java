package io.streetsense.sinks.pipeline;

import io.streetsense.sinks.metrics.MetricPoint;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Second half of the tally, keyed by stage: adds the devices' counts of an interval and writes one
 * {@code pipeline} point (docs/interfaces.md: events, dead_letters, late, duplicates, lag_ms) at
 * the interval's end once the watermark passes it. The devices' counts of an interval arrive before
 * that watermark (they are emitted by timers at the same instant, ahead of it).
 */
public final class StageTotals extends KeyedProcessFunction<String, StageCounts, MetricPoint> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StageTotals.class);
  public static final String MEASUREMENT = "pipeline";

  private transient MapState<Long, StageCounts> open;

  @Override
  public void open(OpenContext openContext) {
    open =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "stage-intervals", Types.LONG, TypeInformation.of(StageCounts.class)));
  }

  @Override
  public void processElement(StageCounts counts, Context ctx, Collector<MetricPoint> out)
      throws Exception {
    StageCounts total = open.get(counts.intervalEnd);
    if (total == null) {
      total = new StageCounts(counts.intervalEnd);
      ctx.timerService().registerEventTimeTimer(counts.intervalEnd - 1);
    }
    total.add(counts);
    open.put(counts.intervalEnd, total);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<MetricPoint> out)
      throws Exception {
    StageCounts total = open.get(timestamp + 1);
    if (total == null) {
      return;
    }
    open.remove(timestamp + 1);
    MetricPoint.Builder point =
        MetricPoint.measurement(MEASUREMENT)
            .tag("stage", ctx.getCurrentKey())
            .field("events", total.events)
            .field("duplicates", total.duplicates)
            .field("late", total.late)
            .field("dead_letters", total.deadLetters)
            .field("missing", total.missing);
    if (total.missing > 0) {
      // Never silent: one line per interval, however many devices lost messages.
      LOG.warn(
          "{} device messages missing from {} device(s) in the interval ending {}: gaps in their"
              + " sequence numbers, lost before Kafka (an MQTT session queue that overflowed or"
              + " expired while the bridge was away?)",
          total.missing,
          total.devicesWithGaps,
          java.time.Instant.ofEpochMilli(total.intervalEnd));
    }
    if (total.maxLagMs >= 0) {
      point.field("lag_ms", total.maxLagMs);
    }
    out.collect(point.at(total.intervalEnd));
  }
}

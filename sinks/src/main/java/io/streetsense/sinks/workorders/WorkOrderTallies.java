package io.streetsense.sinks.workorders;

import java.util.Objects;
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
 * Sums the loop's {@link WorkOrderTally} deltas per block, team and type (keyed by {@link
 * WorkOrderTally#key()}) into cumulative totals, written at the end of each event-time interval in
 * which something changed.
 *
 * <p>Deltas are bucketed by their event time and folded in when the watermark passes the bucket's
 * end, so the points do not depend on the order in which deltas from different orders arrive: a
 * replay writes the same points. A delta already behind the watermark (an action requested before
 * the street's current time) goes into the next bucket to close. The totals are bounded by the
 * number of blocks × teams × types and are kept for good: they are counters.
 */
public final class WorkOrderTallies
    extends KeyedProcessFunction<String, WorkOrderTally, WorkOrderTally> {
  private static final long serialVersionUID = 1L;

  private final long intervalMillis;
  private transient ValueState<WorkOrderTally> totals;
  private transient MapState<Long, WorkOrderTally> pending;

  public WorkOrderTallies(WorkOrderConfig config) {
    this.intervalMillis = Objects.requireNonNull(config, "config").metricsInterval().toMillis();
  }

  @Override
  public void open(OpenContext openContext) {
    totals =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>("totals", TypeInformation.of(WorkOrderTally.class)));
    pending =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "pending", Types.LONG, TypeInformation.of(WorkOrderTally.class)));
  }

  @Override
  public void processElement(WorkOrderTally delta, Context ctx, Collector<WorkOrderTally> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long at = Math.max(delta.at, watermark == Long.MIN_VALUE ? delta.at : watermark + 1);
    long end = (Math.floorDiv(at, intervalMillis) + 1) * intervalMillis;
    WorkOrderTally bucket = pending.get(end);
    if (bucket == null) {
      bucket = WorkOrderTally.of(delta.blockId, delta.teamId, delta.type, end);
      ctx.timerService().registerEventTimeTimer(end - 1);
    }
    bucket.add(delta);
    pending.put(end, bucket);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WorkOrderTally> out)
      throws Exception {
    long end = timestamp + 1;
    WorkOrderTally bucket = pending.get(end);
    if (bucket == null) {
      return;
    }
    pending.remove(end);
    WorkOrderTally total = totals.value();
    if (total == null) {
      total = WorkOrderTally.of(bucket.blockId, bucket.teamId, bucket.type, end);
    }
    total.add(bucket);
    total.at = end;
    totals.update(total);
    out.collect(total.copyAt(end));
  }
}

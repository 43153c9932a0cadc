package io.streetsense.sinks.workorders;

import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Per-shop repeat offences (the merchant credit points): stamps {@code shopRepeatOffences} on every
 * record of an order with a shop — the orders filed for that shop in the repeat window (30 days) up
 * to and including this one's filing, cancelled orders (false alarms) excepted — and reports the
 * shop's current count ({@link #COUNTS}) at each filing, cancel and expiry.
 *
 * <p>Sits after the work-order loop, keyed by {@link #keyOf}: shop orders by {@code
 * blockId/shopId}, the others by their order key (they pass through untouched, without state). Each
 * entry expires with an event-time timer at {@code filedAt + window}, so a shop's state is bounded
 * by its orders in the window and is gone 30 days after its last order.
 */
public final class ShopOffences extends KeyedProcessFunction<String, WorkOrder, WorkOrder> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<ShopOffenceCount> COUNTS =
      new OutputTag<>("shop-offence-counts", TypeInformation.of(ShopOffenceCount.class));

  private final long windowMillis;
  private transient MapState<String, ShopEntry> entries;

  public ShopOffences(WorkOrderConfig config) {
    this.windowMillis = Objects.requireNonNull(config, "config").repeatWindow().toMillis();
  }

  public static String keyOf(WorkOrder order) {
    return order.getShopId() == null
        ? "order/" + order.getOrderKey()
        : "shop/" + order.getBlockId() + "/" + order.getShopId();
  }

  @Override
  public void open(OpenContext openContext) {
    entries =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "shop-orders", Types.STRING, TypeInformation.of(ShopEntry.class)));
  }

  @Override
  public void processElement(WorkOrder order, Context ctx, Collector<WorkOrder> out)
      throws Exception {
    if (order.getShopId() == null) {
      out.collect(order);
      return;
    }
    ShopEntry entry = entries.get(order.getId());
    long filedAt = order.getFiledAt().toEpochMilli();
    if (entry == null) {
      entry = new ShopEntry(filedAt, 1 + countIn(filedAt - windowMillis, filedAt));
      long expiry = filedAt + windowMillis;
      if (expiry > ctx.timerService().currentWatermark()) {
        entries.put(order.getId(), entry);
        ctx.timerService().registerEventTimeTimer(expiry);
      }
      ctx.output(
          COUNTS,
          new ShopOffenceCount(order.getBlockId(), order.getShopId(), filedAt, entry.count));
    }
    if (order.getStatus() == WorkOrderStatus.CANCELLED && !entry.cancelled) {
      entry.cancelled = true;
      if (entries.contains(order.getId())) {
        entries.put(order.getId(), entry);
      }
      long at = order.getClosedAt() == null ? filedAt : order.getClosedAt().toEpochMilli();
      ctx.output(
          COUNTS,
          new ShopOffenceCount(
              order.getBlockId(), order.getShopId(), at, countIn(at - windowMillis, at)));
    }
    order.setShopRepeatOffences(entry.count);
    out.collect(order);
  }

  /** Orders not cancelled with {@code from < filedAt <= to}. */
  private int countIn(long from, long to) throws Exception {
    int count = 0;
    for (ShopEntry entry : entries.values()) {
      if (!entry.cancelled && entry.filedAt > from && entry.filedAt <= to) {
        count++;
      }
    }
    return count;
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<WorkOrder> out)
      throws Exception {
    List<String> expired = new ArrayList<>();
    for (Map.Entry<String, ShopEntry> entry : entries.entries()) {
      if (entry.getValue().filedAt + windowMillis <= timestamp) {
        expired.add(entry.getKey());
      }
    }
    for (String id : expired) {
      entries.remove(id);
    }
    String key = ctx.getCurrentKey(); // shop/<blockId>/<shopId>
    int slash = key.indexOf('/', "shop/".length());
    ctx.output(
        COUNTS,
        new ShopOffenceCount(
            key.substring("shop/".length(), slash),
            key.substring(slash + 1),
            timestamp,
            countIn(timestamp - windowMillis, timestamp)));
  }
}

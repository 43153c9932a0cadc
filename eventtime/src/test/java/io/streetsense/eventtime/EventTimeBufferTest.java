package io.streetsense.eventtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The buffer inside a keyed operator: held until the watermark, then in event-time order. */
class EventTimeBufferTest {
  /** Input "key:time:name"; emits "time:name" when the watermark passes the time. */
  static final class Ordering extends KeyedProcessFunction<String, String, String> {
    transient EventTimeBuffer<String> buffer;

    @Override
    public void open(OpenContext openContext) {
      buffer =
          new EventTimeBuffer<>(
              getRuntimeContext(), "pending", Types.STRING, Comparator.naturalOrder());
    }

    @Override
    public void processElement(String value, Context ctx, Collector<String> out) throws Exception {
      buffer.add(time(value), value, ctx.timerService());
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
        throws Exception {
      for (String value : buffer.take(timestamp)) {
        out.collect(timestamp + ":" + value.split(":")[2]);
      }
    }
  }

  private Ordering function;
  private KeyedOneInputStreamOperatorTestHarness<String, String, String> harness;

  @BeforeEach
  void setUp() throws Exception {
    function = new Ordering();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(function), v -> v.split(":")[0], Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static long time(String value) {
    return Long.parseLong(value.split(":")[1]);
  }

  private void add(String value) throws Exception {
    harness.processElement(new StreamRecord<>(value, time(value)));
  }

  private List<String> output() {
    List<String> values = new ArrayList<>();
    for (Object o : harness.getOutput()) {
      if (o instanceof StreamRecord<?> r) {
        values.add((String) r.getValue());
      }
    }
    return values;
  }

  @Test
  void holdsEventsUntilTheWatermarkThenEventTimeOrderWithTheTieBreak() throws Exception {
    add("k:30:c");
    add("k:10:b");
    add("k:10:a");
    add("k:20:x");
    assertEquals(List.of(), output());
    assertEquals(3, harness.numEventTimeTimers(), "one timer per distinct timestamp");

    harness.processWatermark(20);
    assertEquals(List.of("10:a", "10:b", "20:x"), output());

    harness.processWatermark(30);
    assertEquals(List.of("10:a", "10:b", "20:x", "30:c"), output());
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(0, harness.numKeyedStateEntries(), "nothing left once the watermark passed all");
  }

  @Test
  void everyArrivalOrderGivesTheSameOutput() throws Exception {
    for (String v : List.of("k:5:b", "k:7:z", "k:5:a", "k:6:m")) {
      add(v);
    }
    harness.processWatermark(10);
    List<String> first = output();

    tearDown();
    setUp();
    for (String v : List.of("k:6:m", "k:5:a", "k:7:z", "k:5:b")) {
      add(v);
    }
    harness.processWatermark(10);
    assertEquals(first, output());
    assertEquals(List.of("5:a", "5:b", "6:m", "7:z"), first);
  }

  @Test
  void holdsTimestampsAndTake() throws Exception {
    add("k:40:a");
    add("k:20:b");
    harness.getOperator().setCurrentKey("k");
    assertTrue(function.buffer.holds(40));
    assertFalse(function.buffer.holds(30));
    assertEquals(List.of(20L, 40L), function.buffer.timestamps());
    assertFalse(function.buffer.isEmpty());

    assertEquals(List.of("k:20:b"), function.buffer.take(20));
    assertEquals(List.of(), function.buffer.take(20), "taken once");
    assertEquals(List.of(40L), function.buffer.timestamps());
  }

  /** Like {@link Ordering}, with one pending timer per key: emits "watermark:time:name". */
  static final class OneTimerOrdering extends KeyedProcessFunction<String, String, String> {
    transient EventTimeBuffer<String> buffer;
    transient org.apache.flink.api.common.state.ValueState<Long> nextTimer;

    @Override
    public void open(OpenContext openContext) {
      buffer =
          new EventTimeBuffer<>(
              getRuntimeContext(), "pending", Types.STRING, Comparator.naturalOrder());
      nextTimer = getRuntimeContext().getState(EventTimeBuffer.nextTimerState("pending"));
    }

    @Override
    public void processElement(String value, Context ctx, Collector<String> out) throws Exception {
      buffer.addWithOneTimer(time(value), value, ctx.timerService(), nextTimer);
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<String> out)
        throws Exception {
      for (String value : buffer.takeDue(ctx.timerService(), nextTimer)) {
        String[] parts = value.split(":");
        out.collect(ctx.timerService().currentWatermark() + ":" + parts[1] + ":" + parts[2]);
      }
    }
  }

  @Test
  void oneTimerPerKey_handsOutEverythingTheWatermarkPassed_inTheSameOrder() throws Exception {
    harness.close();
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new OneTimerOrdering()), v -> v.split(":")[0], Types.STRING);
    harness.open();
    add("k:30:c");
    add("k:10:b");
    add("k:10:a");
    add("k:20:x");
    add("j:15:q");
    // k: 30, then 10 (earlier: a second timer); 10 again and 20 register nothing. j: 15.
    assertEquals(3, harness.numEventTimeTimers());

    harness.processWatermark(25);
    // k's timer at 10 hands out all of k up to the watermark; j's at 15 follows (keys are apart).
    assertEquals(List.of("25:10:a", "25:10:b", "25:20:x", "25:15:q"), output());
    // k's timer at 30 stays; the one at 10 fired and asked for 30 again (the same timer).
    assertEquals(1, harness.numEventTimeTimers());

    add("k:27:y"); // earlier than the pending 30: a timer of its own
    assertEquals(2, harness.numEventTimeTimers());
    harness.processWatermark(40);
    assertEquals(
        List.of("25:10:a", "25:10:b", "25:20:x", "25:15:q", "40:27:y", "40:30:c"), output());
    assertEquals(0, harness.numEventTimeTimers());
    assertEquals(0, harness.numKeyedStateEntries(), "nothing left once the watermark passed all");
  }
}

package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MqttPusherTest {
  @TempDir Path dir;

  /** Records pushes; fails the first {@code failures} attempts. */
  static final class RecordingTransport implements PushTransport {
    final List<String> topics = new ArrayList<>();
    final List<JsonNode> payloads = new ArrayList<>();
    final AtomicInteger failures;

    RecordingTransport(int failures) {
      this.failures = new AtomicInteger(failures);
    }

    @Override
    public synchronized void publish(String topic, byte[] payload) throws Exception {
      if (failures.getAndDecrement() > 0) {
        throw new IllegalStateException("broker down");
      }
      topics.add(topic);
      payloads.add(new ObjectMapper().readTree(payload));
    }

    synchronized int count() {
      return topics.size();
    }
  }

  static void await(java.util.function.BooleanSupplier condition) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out");
      }
      Thread.sleep(10);
    }
  }

  @Test
  void policy_pushesArrivalsAtTheTeam_notEvidenceUpdatesOrEscalations() {
    WorkOrder d = TestOrders.dispatched("WO-1", "t1");
    assertTrue(PushPolicy.shouldPush(null, d));
    WorkOrder update = WorkOrder.newBuilder(d).build();
    update.setUpdatedAt(d.getUpdatedAt().plusSeconds(5));
    assertFalse(PushPolicy.shouldPush(d, update), "evidence update");
    WorkOrder accepted = TestOrders.moved(d, WorkOrderStatus.ACCEPTED, "team:t1", null, null);
    assertFalse(PushPolicy.shouldPush(d, accepted));
    WorkOrder resolved =
        TestOrders.moved(accepted, WorkOrderStatus.RESOLVED, "team:t1", "ok", null);
    WorkOrder rework = TestOrders.moved(resolved, WorkOrderStatus.REWORK, "detector", null, null);
    assertTrue(PushPolicy.shouldPush(resolved, rework));
    WorkOrder rerouted = WorkOrder.newBuilder(d).build();
    rerouted.setTeamId("t2");
    assertTrue(PushPolicy.shouldPush(d, rerouted), "re-routed to another team");
    WorkOrder filed =
        TestOrders.order(
            "WO-2", d.getType(), "JS-Z-NV1", null, WorkOrderStatus.FILED, TestOrders.T0);
    assertFalse(PushPolicy.shouldPush(null, filed), "no team: nothing to push");
    assertEquals("teams/t1/workorders", PushPolicy.topic("t1"));
    assertEquals("WO-1:DISPATCHED:2", PushPolicy.idempotencyKey(d));
  }

  @Test
  void pushesInOrder_retriesUntilAcknowledged_andSavesTheMarker() throws Exception {
    PushOffsets store = new PushOffsets(dir.resolve("push.properties"));
    RecordingTransport transport = new RecordingTransport(2);
    MqttPusher pusher = new MqttPusher(transport, store, "wo");
    pusher.onAssigned(Map.of(0, 0L));
    WorkOrder d1 = TestOrders.dispatched("WO-1", "t1");
    WorkOrder d2 = TestOrders.dispatched("WO-2", "t2");
    pusher.onRecord(0, 0, null, d1);
    pusher.onRecord(0, 1, null, d2);
    pusher.onRecord(
        0, 2, d1, TestOrders.moved(d1, WorkOrderStatus.ACCEPTED, "team:t1", null, null));
    await(() -> transport.count() == 2);
    assertEquals(List.of("teams/t1/workorders", "teams/t2/workorders"), transport.topics);
    assertEquals("WO-1:DISPATCHED:2", transport.payloads.get(0).get("idempotency_key").asText());
    assertEquals("WO-1", transport.payloads.get(0).get("work_order").get("id").asText());
    assertEquals(2, pusher.retries());
    await(() -> pusher.marker().equals(Map.of(0, 3L)));
    pusher.close();
    assertEquals(Map.of(0, 3L), store.load("wo").orElseThrow());
  }

  @Test
  void afterRestart_onlyTransitionsAboveTheMarkerArePushed() throws Exception {
    PushOffsets store = new PushOffsets(dir.resolve("push.properties"));
    store.save("wo", Map.of(0, 2L));
    RecordingTransport transport = new RecordingTransport(0);
    MqttPusher pusher = new MqttPusher(transport, store, "wo");
    pusher.onAssigned(Map.of(0, 3L));
    WorkOrder d1 = TestOrders.dispatched("WO-1", "t1");
    WorkOrder d2 = TestOrders.dispatched("WO-2", "t1");
    WorkOrder d3 = TestOrders.dispatched("WO-3", "t1");
    pusher.onRecord(0, 0, null, d1); // pushed before the restart
    pusher.onRecord(0, 1, null, d2); // pushed before the restart
    pusher.onRecord(0, 2, null, d3); // dispatched while the service was down
    await(() -> transport.count() == 1);
    Thread.sleep(100);
    assertEquals(1, transport.count());
    assertEquals("WO-3", transport.payloads.get(0).get("work_order").get("id").asText());
    pusher.close();
  }

  @Test
  void firstStart_pushesNothingFromBefore() throws Exception {
    PushOffsets store = new PushOffsets(dir.resolve("push.properties"));
    RecordingTransport transport = new RecordingTransport(0);
    MqttPusher pusher = new MqttPusher(transport, store, "wo");
    pusher.onAssigned(Map.of(0, 2L));
    pusher.onRecord(0, 0, null, TestOrders.dispatched("WO-1", "t1"));
    pusher.onRecord(0, 1, null, TestOrders.dispatched("WO-2", "t1"));
    pusher.onRecord(0, 2, null, TestOrders.dispatched("WO-3", "t1")); // live
    await(() -> transport.count() == 1);
    assertEquals("WO-3", transport.payloads.get(0).get("work_order").get("id").asText());
    pusher.close();
    assertEquals(Map.of(0, 3L), store.load("wo").orElseThrow());
    assertTrue(store.load("another-topic").isEmpty(), "a marker belongs to its topic");
  }
}

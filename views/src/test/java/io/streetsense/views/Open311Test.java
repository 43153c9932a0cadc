package io.streetsense.views;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class Open311Test {
  static final List<String> GEOREPORT_FIELDS =
      List.of(
          "service_request_id",
          "status",
          "status_notes",
          "service_name",
          "service_code",
          "description",
          "agency_responsible",
          "service_notice",
          "requested_datetime",
          "updated_datetime",
          "expected_datetime",
          "address",
          "address_id",
          "zipcode",
          "lat",
          "long",
          "media_url");

  @Test
  void request_hasExactlyTheGeoReportFields_mappedPerContract() {
    WorkOrder order = TestOrders.dispatched("WO-1", "js-urban-squad");
    ObjectNode r = Open311.request(order);
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = r.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    assertEquals(GEOREPORT_FIELDS, names);
    assertEquals("WO-1", r.get("service_request_id").asText());
    assertEquals("open", r.get("status").asText());
    assertEquals("DISPATCHED", r.get("status_notes").asText());
    assertEquals("ILLEGAL_STALL", r.get("service_code").asText());
    assertEquals("js-urban-squad", r.get("agency_responsible").asText());
    assertEquals("JS-Z-NV1", r.get("address_id").asText());
    assertEquals("Jiashan Lane", r.get("address").asText());
    assertEquals(TestOrders.T0.toString(), r.get("requested_datetime").asText());
    assertEquals(order.getUpdatedAt().toString(), r.get("updated_datetime").asText());
    assertEquals(order.getAcceptBy().toString(), r.get("expected_datetime").asText());
    assertEquals(31.21048, r.get("lat").asDouble());
    assertEquals(121.45746, r.get("long").asDouble());
    assertTrue(r.get("zipcode").isNull());
    assertTrue(r.get("media_url").isNull());
    assertTrue(r.get("service_notice").isNull());
  }

  @Test
  void address_namesTheShop_andStatusNotesCarryTheLatestNote() {
    WorkOrder order = TestOrders.dispatched("WO-1", "js-market");
    order.setShopName("Corner cafe");
    WorkOrder resolved =
        TestOrders.moved(
            TestOrders.moved(order, WorkOrderStatus.ACCEPTED, "team:js-market", null, null),
            WorkOrderStatus.RESOLVED,
            "team:js-market",
            "tables moved inside",
            "https://img.example/after.jpg");
    ObjectNode r = Open311.request(resolved);
    assertEquals("Jiashan Lane, Corner cafe", r.get("address").asText());
    assertEquals("RESOLVED: tables moved inside", r.get("status_notes").asText());
    assertEquals("https://img.example/after.jpg", r.get("media_url").asText());
    assertEquals(order.getResolveBy().toString(), r.get("expected_datetime").asText());
  }

  @Test
  void status_isClosedOnlyForFinalStatuses() {
    Set<WorkOrderStatus> closed = new HashSet<>();
    for (WorkOrderStatus status : WorkOrderStatus.values()) {
      if (Open311.isClosed(status)) {
        closed.add(status);
      }
    }
    assertEquals(
        Set.of(WorkOrderStatus.CLOSED, WorkOrderStatus.SELF_CLEARED, WorkOrderStatus.CANCELLED),
        closed);
    WorkOrder done =
        TestOrders.moved(
            TestOrders.dispatched("WO-1", "t1"),
            WorkOrderStatus.SELF_CLEARED,
            "detector",
            null,
            null);
    assertEquals("closed", Open311.request(done).get("status").asText());
    assertNull(Open311.expected(done));
  }

  @Test
  void expected_isTheCurrentDeadline() {
    WorkOrder d = TestOrders.dispatched("WO-1", "t1");
    assertEquals(d.getAcceptBy(), Open311.expected(d));
    WorkOrder a = TestOrders.moved(d, WorkOrderStatus.ACCEPTED, "team:t1", null, null);
    assertEquals(d.getResolveBy(), Open311.expected(a));
    WorkOrder rejected = TestOrders.moved(d, WorkOrderStatus.REJECTED, "team:t1", "no", null);
    assertNull(Open311.expected(rejected), "with the operations centre: no deadline");
    // A record from before waitingFor existed falls back to the status.
    a.setWaitingFor(null);
    assertEquals(d.getResolveBy(), Open311.expected(a));
  }

  @Test
  void serviceNotice_flagsAnUnmetEscalation() {
    WorkOrder d = TestOrders.dispatched("WO-1", "t1");
    d.setEscalations(List.of("ACCEPT"));
    d.setEscalated(true);
    assertEquals(
        "Escalated: the ACCEPT deadline passed unmet",
        Open311.request(d).get("service_notice").asText());
    d.setEscalated(false);
    assertTrue(Open311.request(d).get("service_notice").isNull());
  }

  @Test
  void serviceNotice_forAnEscalationByTheOperationsCentre_keepsItsWordsInternal() {
    WorkOrder d = TestOrders.dispatched("WO-1", "t1");
    List<WorkOrderTransition> history = new ArrayList<>(d.getHistory());
    WorkOrderTransition t =
        TestOrders.transition(
            d.getStatus(),
            d.getStatus(),
            io.streetsense.schemas.TransitionKind.ESCALATE,
            "ops:duty",
            d.getUpdatedAt());
    t.setReason("escalated by ops:duty: owner threatened the team");
    history.add(t);
    d.setHistory(history);
    d.setEscalated(true);
    assertEquals(
        "Escalated by the operations centre", Open311.request(d).get("service_notice").asText());
    d.setEscalated(false);
    assertTrue(Open311.request(d).get("service_notice").isNull());
  }

  @Test
  void services_areTheThreeViolationTypes() {
    List<String> codes =
        Open311.services().stream().map(s -> s.get("service_code").asText()).toList();
    assertEquals(List.of("OUT_OF_DOORWAY_TRADING", "ILLEGAL_STALL", "PARKING_OVERFLOW"), codes);
    for (ObjectNode s : Open311.services()) {
      assertFalse(s.get("metadata").asBoolean());
      assertEquals("realtime", s.get("type").asText());
      assertFalse(s.get("service_name").asText().isBlank());
    }
  }

  static WorkOrderIndex manyOrders(int n) {
    WorkOrderIndex index = new WorkOrderIndex();
    ViolationType[] types = {
      ViolationType.ILLEGAL_STALL,
      ViolationType.OUT_OF_DOORWAY_TRADING,
      ViolationType.PARKING_OVERFLOW
    };
    for (int i = 0; i < n; i++) {
      WorkOrder o =
          TestOrders.order(
              String.format("WO-%05d", i),
              types[i % 3],
              "JS-Z-F0" + (1 + i % 8),
              "t" + (i % 2),
              i % 5 == 0 ? WorkOrderStatus.CLOSED : WorkOrderStatus.DISPATCHED,
              TestOrders.T0.plus(Duration.ofMinutes(i)));
      index.put(o.getId(), o);
    }
    return index;
  }

  static Map<String, List<String>> params(String... kv) {
    Map<String, List<String>> m = new java.util.HashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.computeIfAbsent(kv[i], k -> new ArrayList<>()).add(kv[i + 1]);
    }
    return m;
  }

  @Test
  void requests_returnEveryMatchAcrossPages_noSilentCap() {
    WorkOrderIndex index = manyOrders(2500);
    Set<String> seen = new HashSet<>();
    int pages = 0;
    for (int page = 1; ; page++) {
      Page<WorkOrder> p =
          Open311Query.parse(params("page", Integer.toString(page), "page_size", "1000"))
              .run(index);
      assertEquals(2500, p.total());
      assertEquals(3, p.pages());
      p.items().forEach(o -> seen.add(o.getId()));
      pages++;
      if (!p.hasNext()) {
        assertEquals(500, p.items().size());
        break;
      }
      assertEquals(1000, p.items().size());
    }
    assertEquals(3, pages);
    assertEquals(2500, seen.size());
  }

  @Test
  void requests_areNewestFirst() {
    Page<WorkOrder> p = Open311Query.parse(params("page_size", "3")).run(manyOrders(10));
    assertEquals(
        List.of("WO-00009", "WO-00008", "WO-00007"),
        p.items().stream().map(WorkOrder::getId).toList());
  }

  @Test
  void filters_statusServiceCodeAndDates() {
    WorkOrderIndex index = manyOrders(100);
    assertEquals(20, Open311Query.parse(params("status", "closed")).run(index).total());
    assertEquals(80, Open311Query.parse(params("status", "open")).run(index).total());
    assertEquals(100, Open311Query.parse(params("status", "open,closed")).run(index).total());
    assertEquals(
        34, Open311Query.parse(params("service_code", "ILLEGAL_STALL")).run(index).total());
    assertEquals(
        67,
        Open311Query.parse(params("service_code", "ILLEGAL_STALL,PARKING_OVERFLOW"))
            .run(index)
            .total());
    // Orders detected at T0 + i minutes; T0 = 02:15Z = 10:15+08:00. Both ends inclusive.
    assertEquals(
        11,
        Open311Query.parse(
                params(
                    "start_date", "2026-11-23T10:25:00+08:00", "end_date", "2026-11-23T02:35:00Z"))
            .run(index)
            .total());
    // A '+' sent unencoded arrives as a space.
    assertEquals(
        90,
        Open311Query.parse(params("start_date", "2026-11-23T10:25:00 08:00")).run(index).total());
    assertEquals(
        2,
        Open311Query.parse(params("service_request_id", "WO-00001,WO-00002", "status", "closed"))
            .run(index)
            .total(),
        "service_request_id overrides the other filters");
  }

  @Test
  void badQueries_areBadRequests() {
    for (Map<String, List<String>> bad :
        List.of(
            params("status", "pending"),
            params("service_code", "LITTER"),
            params("start_date", "yesterday"),
            params("start_date", "2026-11-23"),
            params("start_date", "2026-11-23T10:00:00Z", "end_date", "2026-11-22T10:00:00Z"),
            params("page", "0"),
            params("page", "x"),
            params("page_size", "1001"))) {
      ApiException e =
          assertThrows(ApiException.class, () -> Open311Query.parse(bad), bad.toString());
      assertEquals(400, e.status());
    }
  }

  @Test
  void avroJson_isSnakeCaseWithIsoTimes() {
    ObjectNode json = AvroJson.toJson(TestOrders.dispatched("WO-1", "t1"));
    assertEquals(TestOrders.T0.toString(), json.get("detected_at").asText());
    assertEquals("JS-Z-NV1", json.get("zone_id").asText());
    assertEquals("TEAM_ACCEPT", json.get("waiting_for").asText());
    assertEquals("DISPATCH", json.get("history").get(1).get("kind").asText());
    assertTrue(json.get("shop_name").isNull());
    assertEquals(31.21048, json.get("location").get("lat").asDouble());
  }
}

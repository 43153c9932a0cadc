package io.streetsense.views;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WaitingFor;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.schemas.WorkOrderStatus;
import io.streetsense.schemas.WorkOrderTransition;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Work orders as Open311 GeoReport v2 service requests (docs/interfaces.md).
 *
 * <table>
 *   <caption>Mapping</caption>
 *   <tr><th>GeoReport v2</th><th>work order</th></tr>
 *   <tr><td>service_request_id</td><td>id</td></tr>
 *   <tr><td>status</td><td>closed for CLOSED, SELF_CLEARED, CANCELLED; open otherwise</td></tr>
 *   <tr><td>status_notes</td><td>the work-order status and the latest note</td></tr>
 *   <tr><td>service_code / service_name</td><td>violation type / its name</td></tr>
 *   <tr><td>agency_responsible</td><td>team id (null while with the operations centre)</td></tr>
 *   <tr><td>requested_datetime / updated_datetime</td><td>detected_at / updated_at</td></tr>
 *   <tr><td>expected_datetime</td><td>the current deadline: accept_by before acceptance,
 *       resolve_by after, none once final or back with the operations centre</td></tr>
 *   <tr><td>service_notice</td><td>an unmet passed deadline (escalation), else null</td></tr>
 *   <tr><td>address / address_id</td><td>block name and shop name / zone id</td></tr>
 *   <tr><td>lat / long</td><td>zone location</td></tr>
 *   <tr><td>media_url</td><td>the latest photo a team attached</td></tr>
 * </table>
 */
public final class Open311 {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /** Statuses that GeoReport reports as {@code closed}. */
  public static final Set<WorkOrderStatus> CLOSED =
      EnumSet.of(WorkOrderStatus.CLOSED, WorkOrderStatus.SELF_CLEARED, WorkOrderStatus.CANCELLED);

  // Used when an order carries no waitingFor (records from before that field existed).
  private static final Set<WorkOrderStatus> BEFORE_ACCEPTANCE =
      EnumSet.of(WorkOrderStatus.DISPATCHED, WorkOrderStatus.REWORK);
  private static final Set<WorkOrderStatus> AFTER_ACCEPTANCE =
      EnumSet.of(WorkOrderStatus.ACCEPTED, WorkOrderStatus.RESOLVED);

  /** Newest first, then by id: a stable order for paging. */
  public static final Comparator<WorkOrder> NEWEST_FIRST =
      Comparator.comparing(WorkOrder::getDetectedAt).reversed().thenComparing(WorkOrder::getId);

  private Open311() {}

  /** The three violation types as GeoReport services. */
  public static List<ObjectNode> services() {
    List<ObjectNode> out = new ArrayList<>();
    for (ViolationType type : ViolationType.values()) {
      if (type == ViolationType.UNKNOWN) {
        continue;
      }
      ObjectNode s = F.objectNode();
      s.put("service_code", type.name());
      s.put("service_name", serviceName(type));
      s.put("description", serviceDescription(type));
      s.put("metadata", false);
      s.put("type", "realtime");
      s.put("keywords", keywords(type));
      s.put("group", "street order");
      out.add(s);
    }
    return out;
  }

  public static String serviceName(ViolationType type) {
    switch (type) {
      case OUT_OF_DOORWAY_TRADING:
        return "Out-of-doorway trading (店外经营)";
      case ILLEGAL_STALL:
        return "Illegal stall (占道经营)";
      case PARKING_OVERFLOW:
        return "Parking overflow (机动车乱停放)";
      default:
        return "Unknown violation";
    }
  }

  private static String serviceDescription(ViolationType type) {
    switch (type) {
      case OUT_OF_DOORWAY_TRADING:
        return "Goods or furniture beyond a shop's doorway outside its outdoor permit hours.";
      case ILLEGAL_STALL:
        return "A stall, cart or tricycle standing in a no-vending zone, or in a market pitch"
            + " outside its schedule.";
      case PARKING_OVERFLOW:
        return "A parking zone at capacity while vehicles stand in its no-parking areas.";
      default:
        return "";
    }
  }

  private static String keywords(ViolationType type) {
    switch (type) {
      case OUT_OF_DOORWAY_TRADING:
        return "shop,frontage,goods,tables,chairs,店外经营,跨门营业";
      case ILLEGAL_STALL:
        return "stall,cart,vendor,占道经营,无照经营游商";
      case PARKING_OVERFLOW:
        return "parking,vehicles,berths,机动车乱停放";
      default:
        return "";
    }
  }

  public static boolean isClosed(WorkOrderStatus status) {
    return CLOSED.contains(status);
  }

  /**
   * The deadline the order runs against now, or null when none applies: accept_by while the team
   * has to accept (DISPATCHED, and REWORK, which sets fresh deadlines), resolve_by once accepted
   * (ACCEPTED, and RESOLVED until verified); none while with the operations centre or final.
   */
  public static Instant expected(WorkOrder order) {
    WaitingFor waiting = order.getWaitingFor();
    if (waiting != null && waiting != WaitingFor.UNKNOWN) {
      switch (waiting) {
        case TEAM_ACCEPT:
          return order.getAcceptBy();
        case TEAM_RESOLVE:
        case VERIFICATION:
        case CAMERA_EVIDENCE:
          return order.getResolveBy();
        default:
          return null;
      }
    }
    if (BEFORE_ACCEPTANCE.contains(order.getStatus())) {
      return order.getAcceptBy();
    }
    if (AFTER_ACCEPTANCE.contains(order.getStatus())) {
      return order.getResolveBy();
    }
    return null;
  }

  /** One work order as a GeoReport v2 service request. */
  public static ObjectNode request(WorkOrder o) {
    ObjectNode r = F.objectNode();
    r.put("service_request_id", o.getId());
    r.put("status", isClosed(o.getStatus()) ? "closed" : "open");
    r.put("status_notes", statusNotes(o));
    r.put("service_name", serviceName(o.getType()));
    r.put("service_code", o.getType().name());
    r.put("description", description(o));
    r.put("agency_responsible", o.getTeamId());
    r.put("service_notice", serviceNotice(o));
    r.put("requested_datetime", iso(o.getDetectedAt()));
    r.put("updated_datetime", iso(o.getUpdatedAt()));
    r.put("expected_datetime", iso(expected(o)));
    r.put("address", address(o));
    r.put("address_id", o.getZoneId());
    r.putNull("zipcode");
    r.put("lat", o.getLocation().getLat());
    r.put("long", o.getLocation().getLon());
    r.put("media_url", mediaUrl(o));
    return r;
  }

  static String statusNotes(WorkOrder o) {
    return o.getLatestNote() == null
        ? o.getStatus().name()
        : o.getStatus().name() + ": " + o.getLatestNote();
  }

  static String address(WorkOrder o) {
    return o.getShopName() == null ? o.getBlockName() : o.getBlockName() + ", " + o.getShopName();
  }

  private static String description(WorkOrder o) {
    StringBuilder d = new StringBuilder(serviceName(o.getType()));
    d.append(" in zone ").append(o.getZoneId()).append(" of ").append(o.getBlockName());
    if (o.getShopName() != null) {
      d.append(" at ").append(o.getShopName());
    }
    d.append("; severity ").append(o.getSeverity());
    if (o.getReworkCount() > 0) {
      d.append("; reworked ")
          .append(o.getReworkCount())
          .append(o.getReworkCount() == 1 ? " time" : " times");
    }
    return d.toString();
  }

  /**
   * An unmet passed deadline, or an escalation by the operations centre (its reason is in {@code
   * status_notes}, as the order's latest note; the user who escalated is named only in the
   * history), for the operations centre to see at a glance; null when none.
   */
  static String serviceNotice(WorkOrder o) {
    if (!o.getEscalated()) {
      return null;
    }
    List<WorkOrderTransition> history = o.getHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      WorkOrderTransition t = history.get(i);
      if (t.getKind() == io.streetsense.schemas.TransitionKind.ESCALATE) {
        if (t.getActor().startsWith("ops:")) {
          return "Escalated by the operations centre";
        }
        break;
      }
    }
    if (o.getEscalations().isEmpty()) {
      return null;
    }
    String last = o.getEscalations().get(o.getEscalations().size() - 1);
    return "Escalated: the " + last + " deadline passed unmet";
  }

  /** The most recent photo a team attached, if any. */
  static String mediaUrl(WorkOrder o) {
    List<WorkOrderTransition> history = o.getHistory();
    for (int i = history.size() - 1; i >= 0; i--) {
      if (history.get(i).getPhotoUrl() != null) {
        return history.get(i).getPhotoUrl();
      }
    }
    return null;
  }

  private static String iso(Instant t) {
    return t == null ? null : t.toString();
  }
}

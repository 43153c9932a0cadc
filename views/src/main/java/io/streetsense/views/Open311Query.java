package io.streetsense.views;

import io.streetsense.schemas.ViolationType;
import io.streetsense.schemas.WorkOrder;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The filters of GeoReport v2 {@code requests.json}: {@code status} (open, closed), {@code
 * service_code}, {@code start_date}, {@code end_date} (ISO-8601 with offset, on requested_datetime,
 * both inclusive), {@code service_request_id} (which overrides the others, as the spec says); each
 * list-valued one comma-delimited. Unlike GeoReport's usual 90-day default and 1000-row cap, every
 * match is returned, {@code page}/{@code page_size} at a time.
 */
public record Open311Query(
    Set<String> statuses,
    Set<ViolationType> serviceCodes,
    Instant start,
    Instant end,
    Set<String> ids,
    int page,
    int pageSize) {

  public static final int DEFAULT_PAGE_SIZE = 100;
  public static final int MAX_PAGE_SIZE = 1000;

  public static Open311Query parse(Map<String, List<String>> params) {
    Set<String> statuses = new LinkedHashSet<>();
    for (String s : list(params, "status")) {
      String v = s.toLowerCase(Locale.ROOT);
      if (!v.equals("open") && !v.equals("closed")) {
        throw ApiException.badRequest("'status' must be open or closed, not '" + s + "'");
      }
      statuses.add(v);
    }
    Set<ViolationType> codes = EnumSet.noneOf(ViolationType.class);
    for (String s : list(params, "service_code")) {
      try {
        ViolationType type = ViolationType.valueOf(s.toUpperCase(Locale.ROOT));
        if (type == ViolationType.UNKNOWN) {
          throw new IllegalArgumentException();
        }
        codes.add(type);
      } catch (IllegalArgumentException e) {
        throw ApiException.badRequest(
            "unknown 'service_code' '"
                + s
                + "' (see services.json: OUT_OF_DOORWAY_TRADING, ILLEGAL_STALL, PARKING_OVERFLOW)");
      }
    }
    Instant start = date(params, "start_date");
    Instant end = date(params, "end_date");
    if (start != null && end != null && end.isBefore(start)) {
      throw ApiException.badRequest("'end_date' is before 'start_date'");
    }
    Set<String> ids = new LinkedHashSet<>(list(params, "service_request_id"));
    int[] paging = Page.parse(params, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
    return new Open311Query(statuses, codes, start, end, ids, paging[0], paging[1]);
  }

  private static List<String> list(Map<String, List<String>> params, String name) {
    List<String> out = new ArrayList<>();
    for (String value : params.getOrDefault(name, List.of())) {
      for (String part : value.split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
    }
    return out;
  }

  private static Instant date(Map<String, List<String>> params, String name) {
    List<String> values = params.getOrDefault(name, List.of());
    if (values.isEmpty() || values.get(0).isBlank()) {
      return null;
    }
    if (values.size() > 1) {
      throw ApiException.badRequest("'" + name + "' is given more than once");
    }
    // A '+' offset sent unencoded in a query string arrives as a space.
    String value = values.get(0).strip().replace(' ', '+');
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException e) {
      throw ApiException.badRequest(
          "'"
              + name
              + "' must be an ISO-8601 date-time with offset, e.g. 2026-11-23T08:00:00+08:00 or"
              + " 2026-11-23T00:00:00Z");
    }
  }

  public boolean matches(WorkOrder o) {
    if (!ids.isEmpty()) {
      return ids.contains(o.getId());
    }
    if (!statuses.isEmpty()
        && !statuses.contains(Open311.isClosed(o.getStatus()) ? "closed" : "open")) {
      return false;
    }
    if (!serviceCodes.isEmpty() && !serviceCodes.contains(o.getType())) {
      return false;
    }
    if (start != null && o.getDetectedAt().isBefore(start)) {
      return false;
    }
    return end == null || !o.getDetectedAt().isAfter(end);
  }

  /** Every matching order, newest first, cut to this query's page. */
  public Page<WorkOrder> run(WorkOrderReader view) {
    return Page.of(view.matching(this::matches), Open311.NEWEST_FIRST, page, pageSize);
  }
}

package io.streetsense.views;

import com.fasterxml.jackson.databind.JsonNode;
import io.streetsense.schemas.TeamActionType;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A validated command body: what a team (accept, resolve, reject, note) or the operations centre
 * (reroute, cancel, note, escalate) asks for. Parsing checks the shape only; whether the order may
 * take the action is {@link ActionRules}' question, and the work-order operator has the last word.
 *
 * <table>
 *   <caption>Bodies</caption>
 *   <tr><th>action</th><th>JSON body</th></tr>
 *   <tr><td>accept</td><td>{@code {}} or empty; optional {@code note}</td></tr>
 *   <tr><td>resolve</td><td>{@code note} (required), {@code photo_url} (optional, http/https)</td></tr>
 *   <tr><td>reject</td><td>{@code reason} WRONG_TEAM or FALSE_ALARM, {@code note} (both required)</td></tr>
 *   <tr><td>reroute</td><td>{@code team} (required), {@code note} (optional)</td></tr>
 *   <tr><td>cancel</td><td>{@code note} (required)</td></tr>
 *   <tr><td>note</td><td>{@code note} (required: the text, at most {@link #MAX_NOTE} characters)</td></tr>
 *   <tr><td>escalate</td><td>{@code note} (required: why, at most {@link #MAX_NOTE} characters)</td></tr>
 * </table>
 */
public record ActionRequest(
    TeamActionType action, String note, String photoUrl, String reason, String team) {

  /** The longest note, the same limit the work-order operator applies to a NOTE or ESCALATE. */
  public static final int MAX_NOTE = io.streetsense.schemas.WorkOrderActions.MAX_NOTE_LENGTH;

  public static final int MAX_URL = 2048;
  public static final int MAX_REASON = 32;
  public static final int MAX_TEAM = 64;

  /** Why a team rejects an order. */
  public enum RejectReason {
    WRONG_TEAM,
    FALSE_ALARM
  }

  private static final Pattern TEAM_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
  // C0 controls other than tab, line feed and carriage return, and DEL.
  private static final Pattern CONTROL = Pattern.compile("[\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F]");

  public ActionRequest {
    Objects.requireNonNull(action, "action");
  }

  /**
   * Parses and validates a body for {@code action}.
   *
   * @param body the parsed JSON, or null for an empty body
   * @throws ApiException 400 naming the field and what is wrong with it
   */
  public static ActionRequest parse(TeamActionType action, JsonNode body) {
    if (body != null && !body.isObject()) {
      throw ApiException.badRequest("the body must be a JSON object");
    }
    switch (action) {
      case ACCEPT:
        allowOnly(body, Set.of("note"));
        return new ActionRequest(action, text(body, "note", false), null, null, null);
      case RESOLVE:
        allowOnly(body, Set.of("note", "photo_url"));
        return new ActionRequest(action, text(body, "note", true), photoUrl(body), null, null);
      case REJECT:
        allowOnly(body, Set.of("reason", "note"));
        return new ActionRequest(
            action, text(body, "note", true), null, rejectReason(body).name(), null);
      case REROUTE:
        allowOnly(body, Set.of("team", "note"));
        return new ActionRequest(action, text(body, "note", false), null, null, team(body));
      case CANCEL:
      case NOTE:
      case ESCALATE:
        allowOnly(body, Set.of("note"));
        return new ActionRequest(action, text(body, "note", true), null, null, null);
      default:
        throw ApiException.badRequest("unknown action " + action);
    }
  }

  private static void allowOnly(JsonNode body, Set<String> allowed) {
    if (body == null) {
      return;
    }
    Iterator<String> names = body.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw ApiException.badRequest(
            "unknown field "
                + ApiException.quote(name)
                + " (allowed: "
                + String.join(", ", sorted(allowed))
                + ")");
      }
    }
  }

  private static Iterable<String> sorted(Set<String> names) {
    return names.stream().sorted()::iterator;
  }

  private static String text(JsonNode body, String field, boolean required) {
    return text(body, field, required, MAX_NOTE);
  }

  private static String text(JsonNode body, String field, boolean required, int max) {
    JsonNode node = body == null ? null : body.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw ApiException.badRequest("'" + field + "' is required");
      }
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("'" + field + "' must be a string");
    }
    String value = node.asText().strip();
    if (value.isEmpty()) {
      if (required) {
        throw ApiException.badRequest("'" + field + "' must not be blank");
      }
      return null;
    }
    if (value.length() > max) {
      throw ApiException.tooLong(field, max, value.length());
    }
    if (CONTROL.matcher(value).find()) {
      throw ApiException.badRequest("'" + field + "' contains control characters");
    }
    return value;
  }

  private static String photoUrl(JsonNode body) {
    JsonNode node = body == null ? null : body.get("photo_url");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw ApiException.badRequest("'photo_url' must be a string");
    }
    String value = node.asText().strip();
    if (value.length() > MAX_URL) {
      throw ApiException.tooLong("photo_url", MAX_URL, value.length());
    }
    try {
      URI uri = new URI(value);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw ApiException.badRequest("'photo_url' must be an http or https URL");
      }
      if (uri.getHost() == null || uri.getHost().isEmpty()) {
        throw ApiException.badRequest("'photo_url' has no host");
      }
      if (uri.getUserInfo() != null) {
        throw ApiException.badRequest("'photo_url' must not carry credentials");
      }
      return uri.toString();
    } catch (URISyntaxException e) {
      throw ApiException.badRequest("'photo_url' is not a valid URL: " + e.getReason());
    }
  }

  private static RejectReason rejectReason(JsonNode body) {
    JsonNode node = body == null ? null : body.get("reason");
    if (node == null || node.isNull()) {
      throw ApiException.badRequest("'reason' is required: WRONG_TEAM or FALSE_ALARM");
    }
    if (node.isTextual()) {
      if (node.asText().length() > MAX_REASON) {
        throw ApiException.tooLong("reason", MAX_REASON, node.asText().length());
      }
      for (RejectReason reason : RejectReason.values()) {
        if (reason.name().equals(node.asText().strip().toUpperCase(Locale.ROOT))) {
          return reason;
        }
      }
    }
    throw ApiException.badRequest("'reason' must be WRONG_TEAM or FALSE_ALARM");
  }

  private static String team(JsonNode body) {
    String team = text(body, "team", true, MAX_TEAM);
    if (!TEAM_ID.matcher(team).matches()) {
      throw ApiException.badRequest("'team' must match " + TEAM_ID.pattern());
    }
    return team;
  }
}

package io.streetsense.views;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A request the API refuses, answered as {@code {"error": code, "reason": reason, ...details}} with
 * {@code status}. The reason is for people; the code (and the details, such as the {@code field}
 * and {@code limit} of a length check) are stable for programs. Reasons never quote a credential,
 * and quote what the caller sent only in a shortened form ({@link #quote(String)}).
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Longest piece of caller input quoted back in a reason. */
  static final int MAX_QUOTED = 64;

  private final int status;
  private final String error;
  private final Map<String, Object> details;
  private final long retryAfterSeconds;

  public ApiException(int status, String error, String reason) {
    this(status, error, reason, Map.of(), 0);
  }

  private ApiException(
      int status, String error, String reason, Map<String, Object> details, long retryAfter) {
    super(Objects.requireNonNull(reason, "reason"), null, false, false);
    this.status = status;
    this.error = Objects.requireNonNull(error, "error");
    this.details = Collections.unmodifiableMap(new LinkedHashMap<>(details));
    this.retryAfterSeconds = retryAfter;
  }

  public static ApiException badRequest(String reason) {
    return new ApiException(400, "bad_request", reason);
  }

  /**
   * 400: {@code field} is longer than {@code limit} characters. The answer names the field and the
   * limit (also as {@code "field"} and {@code "limit"} in the body), never the value.
   */
  public static ApiException tooLong(String field, int limit, int length) {
    return new ApiException(
        400,
        "bad_request",
        "'" + field + "' is longer than " + limit + " characters (" + length + ")",
        details(field, limit),
        0);
  }

  /** 413: the request body is larger than {@code limit} bytes. */
  public static ApiException payloadTooLarge(int limit) {
    return new ApiException(
        413,
        "payload_too_large",
        "the body is larger than " + limit + " bytes",
        details("body", limit),
        0);
  }

  /**
   * 429: the caller used up its write calls; {@code Retry-After} says when the next one is allowed.
   */
  public static ApiException rateLimited(
      String who, WriteRateLimiter.Limit limit, long retryAfterSeconds) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("limit_per_minute", limit.perMinute());
    details.put("burst", limit.burst());
    details.put("retry_after_s", retryAfterSeconds);
    return new ApiException(
        429,
        "rate_limited",
        who
            + " made more write calls than its limit of "
            + limit.perMinute()
            + " a minute (bursts of "
            + limit.burst()
            + "); retry in "
            + retryAfterSeconds
            + " s",
        details,
        retryAfterSeconds);
  }

  public static ApiException notFound(String reason) {
    return new ApiException(404, "not_found", reason);
  }

  public static ApiException conflict(String reason) {
    return new ApiException(409, "illegal_transition", reason);
  }

  /** Caller input for a reason: in quotes, cut to {@value #MAX_QUOTED} characters. */
  static String quote(String value) {
    if (value.length() <= MAX_QUOTED) {
      return "'" + value + "'";
    }
    return "'" + value.substring(0, MAX_QUOTED) + "…' (" + value.length() + " characters)";
  }

  private static Map<String, Object> details(String field, int limit) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("field", field);
    details.put("limit", limit);
    return details;
  }

  public int status() {
    return status;
  }

  public String error() {
    return error;
  }

  public String reason() {
    return getMessage();
  }

  /** Extra fields of the error body (e.g. {@code field} and {@code limit}); may be empty. */
  public Map<String, Object> details() {
    return details;
  }

  /** Seconds for a {@code Retry-After} header, or 0 for none. */
  public long retryAfterSeconds() {
    return retryAfterSeconds;
  }
}

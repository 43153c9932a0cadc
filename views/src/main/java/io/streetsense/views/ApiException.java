package io.streetsense.views;

import java.util.Objects;

/**
 * A request the API refuses, answered as {@code {"error": code, "reason": reason}} with {@code
 * status}. The reason is for people; the code is stable for programs.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String error;

  public ApiException(int status, String error, String reason) {
    super(Objects.requireNonNull(reason, "reason"), null, false, false);
    this.status = status;
    this.error = Objects.requireNonNull(error, "error");
  }

  public static ApiException badRequest(String reason) {
    return new ApiException(400, "bad_request", reason);
  }

  public static ApiException notFound(String reason) {
    return new ApiException(404, "not_found", reason);
  }

  public static ApiException conflict(String reason) {
    return new ApiException(409, "illegal_transition", reason);
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
}

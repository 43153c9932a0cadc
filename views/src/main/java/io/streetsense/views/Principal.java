package io.streetsense.views;

import java.util.Objects;

/**
 * Who is calling: an enforcement team or an operations-centre user. Carries no secret, so it is
 * safe to log.
 */
public record Principal(Kind kind, String id) {
  public enum Kind {
    TEAM,
    OPS
  }

  public Principal {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(id, "id");
  }

  public static Principal team(String teamId) {
    return new Principal(Kind.TEAM, teamId);
  }

  public static Principal ops(String user) {
    return new Principal(Kind.OPS, user);
  }

  /** The actor written into a {@code TeamAction}: {@code team:<id>} or {@code ops:<user>}. */
  public String actor() {
    return (kind == Kind.TEAM ? "team:" : "ops:") + id;
  }
}

package io.streetsense.blockmap;

import java.io.Serializable;
import java.time.Duration;

/**
 * How long a team has for one violation type: to accept a dispatched work order, then to resolve
 * it. Both positive.
 */
public record Deadlines(Duration accept, Duration resolve) implements Serializable {
  public Deadlines {
    Checks.positive(accept, "accept");
    Checks.positive(resolve, "resolve");
  }
}

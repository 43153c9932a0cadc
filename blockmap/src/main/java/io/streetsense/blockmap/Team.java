package io.streetsense.blockmap;

import java.io.Serializable;
import java.util.Objects;

/**
 * An enforcement team that can receive work orders for a block.
 *
 * @param id the team's id; also the {@code {teamId}} level of {@code teams/{teamId}/workorders}
 * @param name a human-readable name
 */
public record Team(String id, String name) implements Serializable {
  public Team {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(name, "name");
  }
}

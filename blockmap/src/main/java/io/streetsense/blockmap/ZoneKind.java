package io.streetsense.blockmap;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a zone of a block is for; decides which detector watches it. */
public enum ZoneKind {
  /** The strip in front of one shop, beyond its doorway line (门前责任区). */
  FRONTAGE,
  /** Pavement or carriageway where stalls are prohibited. */
  NO_VENDING,
  /** A licensed market pitch: stalls allowed only during its schedule. */
  MARKET,
  /** A set of sensed berths with a capacity. */
  PARKING,
  /** Kerb, pavement or lane where vehicles must not stand. */
  NO_PARKING;

  /** The spelling used in block-map YAML, e.g. {@code no_vending}. */
  public String yamlName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * The kind spelled {@code name} in YAML.
   *
   * @throws IllegalArgumentException naming the allowed spellings when there is no such kind
   */
  public static ZoneKind fromYaml(String name) {
    for (ZoneKind kind : values()) {
      if (kind.yamlName().equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException(
        "unknown zone kind '" + name + "'; expected one of " + allYamlNames());
  }

  /** The allowed YAML spellings, comma-separated, for error messages. */
  static String allYamlNames() {
    return Arrays.stream(values()).map(ZoneKind::yamlName).collect(Collectors.joining(", "));
  }
}

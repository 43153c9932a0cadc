package io.streetsense.sinks.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One time-series point (CONTRACT.md section 5): a measurement, its tags, its fields and the event
 * time it describes. Event time, not wall time, so replaying the same input writes the same points
 * (InfluxDB overwrites a point with the same measurement, tags and time).
 */
public final class MetricPoint implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String measurement;
  private final Map<String, String> tags;
  private final Map<String, Object> fields;
  private final long epochMillis;

  private MetricPoint(
      String measurement, Map<String, String> tags, Map<String, Object> fields, long epochMillis) {
    this.measurement = measurement;
    this.tags = Collections.unmodifiableMap(tags);
    this.fields = Collections.unmodifiableMap(fields);
    this.epochMillis = epochMillis;
  }

  public static Builder measurement(String measurement) {
    return new Builder(measurement);
  }

  public String measurement() {
    return measurement;
  }

  public Map<String, String> tags() {
    return tags;
  }

  /** Field values: Long, Double or Boolean. */
  public Map<String, Object> fields() {
    return fields;
  }

  public long epochMillis() {
    return epochMillis;
  }

  @Override
  public String toString() {
    return measurement + tags + fields + "@" + epochMillis;
  }

  /** Builds a point; tags and fields keep a stable (sorted) order. */
  public static final class Builder {
    private final String measurement;
    private final Map<String, String> tags = new TreeMap<>();
    private final Map<String, Object> fields = new TreeMap<>();

    private Builder(String measurement) {
      this.measurement = Objects.requireNonNull(measurement, "measurement");
    }

    public Builder tag(String key, String value) {
      tags.put(Objects.requireNonNull(key, "tag key"), Objects.requireNonNull(value, key));
      return this;
    }

    public Builder field(String key, long value) {
      fields.put(key, value);
      return this;
    }

    public Builder field(String key, double value) {
      fields.put(key, value);
      return this;
    }

    public Builder field(String key, boolean value) {
      fields.put(key, value);
      return this;
    }

    public MetricPoint at(long epochMillis) {
      if (fields.isEmpty()) {
        throw new IllegalArgumentException(measurement + ": a point needs at least one field");
      }
      return new MetricPoint(measurement, new TreeMap<>(tags), new TreeMap<>(fields), epochMillis);
    }
  }
}

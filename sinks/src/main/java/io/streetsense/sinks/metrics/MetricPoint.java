package io.streetsense.sinks.metrics;

import java.io.Serializable;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One time-series point (docs/interfaces.md): a measurement, its tags, its fields and the event
 * time it describes. Event time, not wall time, so replaying the same input writes the same points
 * (InfluxDB overwrites a point with the same measurement, tags and time).
 */
public final class MetricPoint implements Serializable {
  private static final long serialVersionUID = 1L;

  // Plain TreeMaps (not unmodifiable wrappers): Flink ships points between tasks with Kryo,
  // which can rebuild a TreeMap but not an unmodifiable view. The accessors hand out views.
  private final String measurement;
  private final TreeMap<String, String> tags;
  private final TreeMap<String, Object> fields;
  private final long epochMillis;

  private MetricPoint(
      String measurement,
      TreeMap<String, String> tags,
      TreeMap<String, Object> fields,
      long epochMillis) {
    this.measurement = measurement;
    this.tags = tags;
    this.fields = fields;
    this.epochMillis = epochMillis;
  }

  public static Builder measurement(String measurement) {
    return new Builder(measurement);
  }

  public String measurement() {
    return measurement;
  }

  public Map<String, String> tags() {
    return Collections.unmodifiableMap(tags);
  }

  /** Field values: Long, Double or Boolean. */
  public Map<String, Object> fields() {
    return Collections.unmodifiableMap(fields);
  }

  public long epochMillis() {
    return epochMillis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof MetricPoint other
        && measurement.equals(other.measurement)
        && tags.equals(other.tags)
        && fields.equals(other.fields)
        && epochMillis == other.epochMillis;
  }

  @Override
  public int hashCode() {
    return Objects.hash(measurement, tags, fields, epochMillis);
  }

  @Override
  public String toString() {
    return measurement + tags + fields + "@" + epochMillis;
  }

  /** Builds a point; tags and fields keep a stable (sorted) order. */
  public static final class Builder {
    private final String measurement;
    private final TreeMap<String, String> tags = new TreeMap<>();
    private final TreeMap<String, Object> fields = new TreeMap<>();

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

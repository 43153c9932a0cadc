package io.streetsense.blockmap;

import java.time.Duration;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Argument checks shared by the model's constructors, so that a model built in code holds the same
 * invariants as one loaded from YAML. The loader checks the same things first, to report them with
 * file, line and key.
 */
final class Checks {
  private Checks() {}

  static Duration positive(Duration value, String name) {
    Objects.requireNonNull(value, name);
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(name + " must be a positive duration, got " + value);
    }
    return value;
  }

  /** {@code value} in [0, 1]; NaN fails. */
  static double fraction(double value, String name) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(name + " must be within 0..1, got " + value);
    }
    return value;
  }

  /** {@code value} in (0, 1]: a share that must be something to mean anything. */
  static double positiveFraction(double value, String name) {
    if (!(value > 0 && value <= 1)) {
      throw new IllegalArgumentException(
          name + " must be greater than 0 and at most 1, got " + value);
    }
    return value;
  }

  /** An unmodifiable, serializable copy that keeps the order as written. */
  static Set<String> orderedSet(Collection<String> values, String name) {
    Objects.requireNonNull(values, name);
    values.forEach(v -> Objects.requireNonNull(v, name));
    return Collections.unmodifiableSet(new LinkedHashSet<>(values));
  }

  static Set<String> nonEmptyOrderedSet(Collection<String> values, String name) {
    Set<String> copy = orderedSet(values, name);
    if (copy.isEmpty()) {
      throw new IllegalArgumentException(name + " must not be empty");
    }
    return copy;
  }
}

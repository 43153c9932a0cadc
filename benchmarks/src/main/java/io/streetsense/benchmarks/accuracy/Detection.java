package io.streetsense.benchmarks.accuracy;

import java.time.Instant;
import java.util.Objects;

/**
 * One violation the pipeline opened, as the accuracy benchmark scores it.
 *
 * @param violationId the pipeline's id for it
 * @param block block id
 * @param zone zone id
 * @param type violation type (service code)
 * @param shop shop concerned, or {@code null}
 * @param detectedAt event time of the first evidence
 * @param openedAt event time at which it was opened
 */
public record Detection(
    String violationId,
    String block,
    String zone,
    String type,
    String shop,
    Instant detectedAt,
    Instant openedAt) {
  public Detection {
    Objects.requireNonNull(block, "block");
    Objects.requireNonNull(zone, "zone");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(detectedAt, "detectedAt");
    Objects.requireNonNull(openedAt, "openedAt");
  }
}

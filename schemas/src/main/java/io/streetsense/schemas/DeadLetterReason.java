package io.streetsense.schemas;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * Why a record went to the dead-letter topic: the vocabulary of {@link DeadLetter#getReason()}
 * (written as {@link #name()}) for every stage that writes dead letters. The names are a stable,
 * machine-readable contract: counted per code in the {@code pipeline} metrics and matched by
 * operators' alerting. Add codes; never rename or reuse one.
 *
 * <ul>
 *   <li>The bridge ({@code stage: "ingest"}) rejects a device message with the codes from {@link
 *       #BAD_TOPIC} to {@link #WRONG_DEVICE_KIND}. Its validator checks in this order and reports
 *       the first failure: topic, payload bytes (empty, size, UTF-8, JSON syntax), object shape,
 *       device id, block and device registry, fields, and last the time window.
 *   <li>The detectors ({@code stage: "detectors"}) write {@link #LATE_EVENT} and {@link
 *       #UNKNOWN_DEVICE}.
 *   <li>The work-order loop ({@code stage: "workorders"}) writes {@link #ACTION_REFUSED}.
 * </ul>
 */
public enum DeadLetterReason {
  /**
   * The MQTT topic is not {@code blocks/{blockId}/parking/{sensorId}} or {@code .../camera/...}.
   */
  BAD_TOPIC,
  /** Zero-byte payload. */
  EMPTY_PAYLOAD,
  /** More than the payload limit (64 KiB); checked before anything is parsed. */
  OVERSIZED,
  /** The bytes are not valid UTF-8 (strict decoding: malformed or unmappable input). */
  NOT_UTF8,
  /** Not JSON: syntax error, trailing garbage, non-standard tokens such as {@code NaN}. */
  INVALID_JSON,
  /** The same key appears twice in one JSON object (which one would a consumer believe?). */
  DUPLICATE_KEY,
  /** Valid JSON whose top-level value is not an object. */
  NOT_AN_OBJECT,
  /** A required field is absent (or JSON {@code null}). */
  MISSING_FIELD,
  /** A field has the wrong JSON type; there is no coercion ({@code "occupied":"true"} is wrong). */
  WRONG_TYPE,
  /** A field has the right type but a value outside its domain (seq range, conf, box, kind...). */
  INVALID_VALUE,
  /** A camera frame with more objects than the per-frame cap. */
  TOO_MANY_OBJECTS,
  /** {@code ts} is neither ISO-8601 with an offset nor a non-negative integer of epoch millis. */
  BAD_TIMESTAMP,
  /** {@code ts} is more than 5 minutes ahead of the time the bridge received the message. */
  TIMESTAMP_IN_FUTURE,
  /** {@code ts} is more than 24 hours before the time the bridge received the message. */
  TIMESTAMP_TOO_OLD,
  /** The device id in the payload differs from the topic's last level (spoofed or misrouted). */
  DEVICE_MISMATCH,
  /** No loaded block map has this block id. */
  UNKNOWN_BLOCK,
  /** The block map has no sensor or camera with this id (the bridge's or the detectors' map). */
  UNKNOWN_DEVICE,
  /**
   * A known device of the other kind (a camera on a parking topic or the reverse), or a payload of
   * the other kind (a camera frame published on a parking topic).
   */
  WRONG_DEVICE_KIND,
  /** A device record behind the watermark of the detector that reads it (detectors). */
  LATE_EVENT,
  /**
   * A team or operations-centre action the work-order loop may not apply (workorders); the detail
   * starts with the refusal's code ({@code NOT_YOUR_ORDER}, {@code ILLEGAL_TRANSITION} ...).
   */
  ACTION_REFUSED;

  /** The codes the bridge's validator writes, one per way a device message can be bad. */
  public static final Set<DeadLetterReason> BRIDGE =
      Collections.unmodifiableSet(EnumSet.range(BAD_TOPIC, WRONG_DEVICE_KIND));
}

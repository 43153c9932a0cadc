package io.streetsense.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.DetectedObject;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Checks one MQTT message against the device contract (docs/interfaces.md) and turns it into a
 * typed Avro record, or says precisely why not. Pure: no I/O, no shared mutable state, thread-safe;
 * time comes from the receive instant passed in (or the injected clock).
 *
 * <pre>{@code
 * MessageValidator validator = new MessageValidator(DeviceDirectory.of(blockMaps), Clock.systemUTC());
 * ValidationResult result = validator.validate(topic, payload, receivedAt);
 * if (result instanceof ValidationResult.Accepted ok) {
 *   send(ok.topic().kafkaKey(), ok.record());
 * } else if (result instanceof Rejection bad) {
 *   deadLetter(bad.reason(), bad.detail(), payload);
 * }
 * }</pre>
 *
 * <p>Decisions beyond the contract's words:
 *
 * <ul>
 *   <li>No coercion: numbers are JSON numbers, booleans JSON booleans. Integers ({@code seq},
 *       {@code frame}, epoch-millis {@code ts}) must be written without fraction or exponent.
 *   <li>{@code track} may be a string or an integer number (many trackers emit integers); an
 *       integer is kept as its decimal string.
 *   <li>Unknown fields are ignored, so devices can add fields before the pipeline reads them.
 *   <li>{@code battery_v} may be absent or {@code null}; if present it is a finite number &ge; 0.
 *   <li>A box must lie inside the image: each of x, y, w, h in 0..1 and x+w, y+h at most 1 (with a
 *       small tolerance for rounding on the device).
 *   <li>Duplicates (same device and seq) are NOT detected here: after an MQTT reconnect or a bridge
 *       crash they are expected and pass through; the detectors deduplicate by device and seq.
 * </ul>
 */
public final class MessageValidator {

  /** Limits of the contract, overridable for tests and deployments that agree on others. */
  public record Limits(
      int maxPayloadBytes, Duration maxFuture, Duration maxAge, int maxObjectsPerFrame) {
    public static final int CONTRACT_MAX_PAYLOAD_BYTES = 64 * 1024;

    public Limits {
      if (maxPayloadBytes <= 0) {
        throw new IllegalArgumentException("maxPayloadBytes must be > 0: " + maxPayloadBytes);
      }
      Objects.requireNonNull(maxFuture, "maxFuture");
      Objects.requireNonNull(maxAge, "maxAge");
      if (maxFuture.isNegative() || maxAge.isNegative()) {
        throw new IllegalArgumentException("maxFuture and maxAge must not be negative");
      }
      if (maxObjectsPerFrame < 0) {
        throw new IllegalArgumentException(
            "maxObjectsPerFrame must be >= 0: " + maxObjectsPerFrame);
      }
    }

    /** 64 KiB, 5 minutes ahead, 24 hours old, 256 objects a frame. */
    public static Limits contract() {
      return new Limits(
          CONTRACT_MAX_PAYLOAD_BYTES, Duration.ofMinutes(5), Duration.ofHours(24), 256);
    }
  }

  static final long MAX_SEQ = (1L << 31) - 1;

  /** Devices round box coordinates; x + w may exceed 1 by this much. */
  static final double BOX_TOLERANCE = 0.005;

  private static final int MAX_VALUE_IN_DETAIL = 80;
  private static final int MAX_ID_LENGTH = 128;
  private static final DateTimeFormatter ISO_WITH_OFFSET = DateTimeFormatter.ISO_OFFSET_DATE_TIME;

  private final DeviceDirectory directory;
  private final Clock clock;
  private final Limits limits;
  private final ObjectMapper mapper;

  public MessageValidator(DeviceDirectory directory, Clock clock) {
    this(directory, clock, Limits.contract());
  }

  public MessageValidator(DeviceDirectory directory, Clock clock, Limits limits) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.limits = Objects.requireNonNull(limits, "limits");
    this.mapper =
        JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
  }

  public Limits limits() {
    return limits;
  }

  /** Validates with the receive time taken from the clock. */
  public ValidationResult validate(String topic, byte[] payload) {
    return validate(topic, payload, clock.instant());
  }

  /**
   * Validates one message.
   *
   * @param topic the MQTT topic it was published on
   * @param payload the raw payload, never modified
   * @param receivedAt when the bridge received it; the time window is checked against it
   */
  public ValidationResult validate(String topic, byte[] payload, Instant receivedAt) {
    Objects.requireNonNull(payload, "payload");
    Objects.requireNonNull(receivedAt, "receivedAt");
    Optional<DeviceTopic> parsed = DeviceTopic.parse(topic);
    if (parsed.isEmpty()) {
      return new Rejection(
          DeadLetterReason.BAD_TOPIC,
          "topic '"
              + clip(String.valueOf(topic))
              + "' is not blocks/{blockId}/parking/{sensorId} or blocks/{blockId}/camera/{cameraId}",
          null,
          null);
    }
    DeviceTopic device = parsed.get();
    try {
      return new ValidationResult.Accepted(device, check(device, payload, receivedAt));
    } catch (Reject r) {
      return new Rejection(r.reason, r.detail, device.blockId(), device.deviceId());
    }
  }

  private org.apache.avro.specific.SpecificRecordBase check(
      DeviceTopic device, byte[] payload, Instant receivedAt) throws Reject {
    if (payload.length == 0) {
      throw new Reject(DeadLetterReason.EMPTY_PAYLOAD, "payload is empty (0 bytes)");
    }
    if (payload.length > limits.maxPayloadBytes()) {
      throw new Reject(
          DeadLetterReason.OVERSIZED,
          "payload is " + payload.length + " bytes, limit " + limits.maxPayloadBytes());
    }
    // Devices send ASCII JSON almost always: then the bytes are valid UTF-8 as they are and Jackson
    // reads them directly, without decoding into a String first (a tenth of the bridge's CPU).
    JsonNode root = isAscii(payload) ? parseJson(payload) : parseJson(decodeUtf8(payload));
    if (!root.isObject()) {
      throw new Reject(
          DeadLetterReason.NOT_AN_OBJECT,
          "payload is a JSON " + typeName(root) + ", not an object");
    }
    Fields fields = new Fields(root, "");
    checkDeviceId(device, fields);
    if (!directory.knowsBlock(device.blockId())) {
      throw new Reject(
          DeadLetterReason.UNKNOWN_BLOCK,
          "block '" + clip(device.blockId()) + "' is in no block map");
    }
    return device.kind() == DeviceKind.PARKING_SENSOR
        ? parking(device, fields, receivedAt)
        : camera(device, fields, receivedAt);
  }

  private void checkDeviceId(DeviceTopic device, Fields fields) throws Reject {
    DeviceKind kind = device.kind();
    if (!fields.has(kind.idField()) && fields.has(kind.other().idField())) {
      throw new Reject(
          DeadLetterReason.WRONG_DEVICE_KIND,
          "payload has '"
              + kind.other().idField()
              + "' and no '"
              + kind.idField()
              + "': a "
              + kind.other().topicLevel()
              + " message on a "
              + kind.topicLevel()
              + " topic");
    }
    String id = fields.text(kind.idField());
    if (!id.equals(device.deviceId())) {
      throw new Reject(
          DeadLetterReason.DEVICE_MISMATCH,
          kind.idField()
              + ": '"
              + clip(id)
              + "' differs from the topic's device level '"
              + clip(device.deviceId())
              + "'");
    }
  }

  private ParkingSensorEvent parking(DeviceTopic device, Fields fields, Instant receivedAt)
      throws Reject {
    Optional<String> zone = directory.sensorZone(device.blockId(), device.deviceId());
    if (zone.isEmpty()) {
      throw unknownOrWrongKind(device, directory.knowsCamera(device.blockId(), device.deviceId()));
    }
    Instant ts = fields.timestamp("ts");
    long seq = fields.integer("seq", 0, MAX_SEQ);
    boolean occupied = fields.bool("occupied");
    String kindText = fields.text("kind");
    SensorMessageKind kind =
        switch (kindText) {
          case "change" -> SensorMessageKind.CHANGE;
          case "heartbeat" -> SensorMessageKind.HEARTBEAT;
          default ->
              throw new Reject(
                  DeadLetterReason.INVALID_VALUE,
                  "kind: '" + clip(kindText) + "' is not 'change' or 'heartbeat'");
        };
    Double battery = fields.optionalNumber("battery_v");
    if (battery != null && battery < 0) {
      throw new Reject(DeadLetterReason.INVALID_VALUE, "battery_v: " + battery + " is negative");
    }
    checkTime(ts, receivedAt);
    return ParkingSensorEvent.newBuilder()
        .setBlockId(device.blockId())
        .setSensorId(device.deviceId())
        .setZoneId(zone.get())
        .setEventTime(ts)
        .setSeq(seq)
        .setOccupied(occupied)
        .setKind(kind)
        .setBatteryV(battery)
        .setReceivedAt(receivedAt.truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  private CameraFrame camera(DeviceTopic device, Fields fields, Instant receivedAt) throws Reject {
    if (!directory.knowsCamera(device.blockId(), device.deviceId())) {
      throw unknownOrWrongKind(
          device, directory.sensorZone(device.blockId(), device.deviceId()).isPresent());
    }
    Instant ts = fields.timestamp("ts");
    long frame = fields.integer("frame", 0, Long.MAX_VALUE);
    JsonNode objects = fields.required("objects");
    if (!objects.isArray()) {
      throw new Reject(
          DeadLetterReason.WRONG_TYPE, "objects: expected an array, got " + describe(objects));
    }
    if (objects.size() > limits.maxObjectsPerFrame()) {
      throw new Reject(
          DeadLetterReason.TOO_MANY_OBJECTS,
          "objects: " + objects.size() + " objects, at most " + limits.maxObjectsPerFrame());
    }
    List<DetectedObject> detected = new ArrayList<>(objects.size());
    for (int i = 0; i < objects.size(); i++) {
      detected.add(detectedObject(objects.get(i), "objects[" + i + "]"));
    }
    checkTime(ts, receivedAt);
    return CameraFrame.newBuilder()
        .setBlockId(device.blockId())
        .setCameraId(device.deviceId())
        .setEventTime(ts)
        .setFrame(frame)
        .setObjects(detected)
        .setReceivedAt(receivedAt.truncatedTo(ChronoUnit.MILLIS))
        .build();
  }

  private Reject unknownOrWrongKind(DeviceTopic device, boolean isOtherKind) {
    if (isOtherKind) {
      return new Reject(
          DeadLetterReason.WRONG_DEVICE_KIND,
          "device '"
              + clip(device.deviceId())
              + "' of block '"
              + clip(device.blockId())
              + "' is a "
              + (device.kind() == DeviceKind.CAMERA ? "parking sensor" : "camera")
              + ", not a "
              + (device.kind() == DeviceKind.CAMERA ? "camera" : "parking sensor"));
    }
    return new Reject(
        DeadLetterReason.UNKNOWN_DEVICE,
        "block '"
            + clip(device.blockId())
            + "' has no "
            + (device.kind() == DeviceKind.CAMERA ? "camera" : "parking sensor")
            + " '"
            + clip(device.deviceId())
            + "'");
  }

  private DetectedObject detectedObject(JsonNode node, String path) throws Reject {
    if (!node.isObject()) {
      throw new Reject(
          DeadLetterReason.WRONG_TYPE, path + ": expected an object, got " + describe(node));
    }
    Fields object = new Fields(node, path + ".");
    JsonNode trackNode = object.required("track");
    String track;
    if (trackNode.isTextual()) {
      track = trackNode.textValue();
    } else if (trackNode.isIntegralNumber()) {
      track = trackNode.bigIntegerValue().toString();
    } else {
      throw new Reject(
          DeadLetterReason.WRONG_TYPE,
          path + ".track: expected a string or an integer, got " + describe(trackNode));
    }
    if (track.isEmpty() || track.length() > MAX_ID_LENGTH) {
      throw new Reject(
          DeadLetterReason.INVALID_VALUE,
          path + ".track: '" + clip(track) + "' must have 1.." + MAX_ID_LENGTH + " characters");
    }
    String cls = object.text("cls");
    if (cls.isEmpty()) {
      throw new Reject(DeadLetterReason.INVALID_VALUE, path + ".cls: empty class");
    }
    double conf = object.number("conf");
    if (conf < 0 || conf > 1) {
      throw new Reject(
          DeadLetterReason.INVALID_VALUE, path + ".conf: " + conf + " is outside 0..1");
    }
    JsonNode boxNode = object.required("box");
    if (!boxNode.isArray()) {
      throw new Reject(
          DeadLetterReason.WRONG_TYPE,
          path + ".box: expected an array [x, y, w, h], got " + describe(boxNode));
    }
    if (boxNode.size() != 4) {
      throw new Reject(
          DeadLetterReason.INVALID_VALUE,
          path + ".box: expected 4 numbers [x, y, w, h], got " + boxNode.size() + " elements");
    }
    double[] xywh = new double[4];
    for (int i = 0; i < 4; i++) {
      JsonNode n = boxNode.get(i);
      String element = path + ".box[" + i + "]";
      if (!n.isNumber()) {
        throw new Reject(
            DeadLetterReason.WRONG_TYPE, element + ": expected a number, got " + describe(n));
      }
      double v = n.doubleValue();
      if (!Double.isFinite(v) || v < 0 || v > 1) {
        throw new Reject(DeadLetterReason.INVALID_VALUE, element + ": " + v + " is outside 0..1");
      }
      xywh[i] = v;
    }
    if (xywh[0] + xywh[2] > 1 + BOX_TOLERANCE || xywh[1] + xywh[3] > 1 + BOX_TOLERANCE) {
      throw new Reject(
          DeadLetterReason.INVALID_VALUE,
          path
              + ".box: ["
              + xywh[0]
              + ", "
              + xywh[1]
              + ", "
              + xywh[2]
              + ", "
              + xywh[3]
              + "] reaches beyond the image (x+w or y+h > 1)");
    }
    return DetectedObject.newBuilder()
        .setTrack(track)
        .setCls(cls)
        .setConf(conf)
        .setBox(new Box(xywh[0], xywh[1], xywh[2], xywh[3]))
        .build();
  }

  private void checkTime(Instant ts, Instant receivedAt) throws Reject {
    if (ts.isAfter(receivedAt.plus(limits.maxFuture()))) {
      throw new Reject(
          DeadLetterReason.TIMESTAMP_IN_FUTURE,
          "ts: "
              + ts
              + " is "
              + Duration.between(receivedAt, ts).toMillis()
              + " ms after the receive time "
              + receivedAt
              + " (limit "
              + limits.maxFuture()
              + ")");
    }
    if (ts.isBefore(receivedAt.minus(limits.maxAge()))) {
      throw new Reject(
          DeadLetterReason.TIMESTAMP_TOO_OLD,
          "ts: "
              + ts
              + " is "
              + Duration.between(ts, receivedAt).toMillis()
              + " ms before the receive time "
              + receivedAt
              + " (limit "
              + limits.maxAge()
              + ")");
    }
  }

  private static String decodeUtf8(byte[] payload) throws Reject {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return decoder.decode(ByteBuffer.wrap(payload)).toString();
    } catch (CharacterCodingException e) {
      throw new Reject(
          DeadLetterReason.NOT_UTF8, "payload is not valid UTF-8: " + e.getClass().getSimpleName());
    }
  }

  private static boolean isAscii(byte[] payload) {
    for (byte b : payload) {
      if (b < 0) {
        return false;
      }
    }
    return true;
  }

  private JsonNode parseJson(byte[] ascii) throws Reject {
    return parseJson(() -> mapper.readTree(ascii));
  }

  private JsonNode parseJson(String text) throws Reject {
    return parseJson(() -> mapper.readTree(text));
  }

  private interface TreeReader {
    JsonNode read() throws IOException;
  }

  private static JsonNode parseJson(TreeReader reader) throws Reject {
    JsonNode root;
    try {
      root = reader.read();
    } catch (JsonProcessingException e) {
      String message = e.getOriginalMessage();
      DeadLetterReason code =
          message != null && message.startsWith("Duplicate field")
              ? DeadLetterReason.DUPLICATE_KEY
              : DeadLetterReason.INVALID_JSON;
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new Reject(code, clip(firstLine(message), 200) + where);
    } catch (IOException e) {
      // Reading from memory: only malformed input ends up here.
      throw new Reject(DeadLetterReason.INVALID_JSON, clip(firstLine(e.getMessage()), 200));
    }
    if (root == null || root.isMissingNode()) {
      throw new Reject(
          DeadLetterReason.INVALID_JSON, "payload holds no JSON value (only whitespace)");
    }
    return root;
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "malformed JSON";
    }
    int newline = message.indexOf('\n');
    return newline < 0 ? message : message.substring(0, newline);
  }

  /** Typed access to an object's fields; every failure names the field's path and value. */
  private static final class Fields {
    private final JsonNode node;
    private final String prefix;

    Fields(JsonNode node, String prefix) {
      this.node = node;
      this.prefix = prefix;
    }

    boolean has(String name) {
      JsonNode value = node.get(name);
      return value != null && !value.isNull();
    }

    JsonNode required(String name) throws Reject {
      JsonNode value = node.get(name);
      if (value == null || value.isNull()) {
        throw new Reject(
            DeadLetterReason.MISSING_FIELD,
            prefix + name + ": required field is " + (value == null ? "absent" : "null"));
      }
      return value;
    }

    String text(String name) throws Reject {
      JsonNode value = required(name);
      if (!value.isTextual()) {
        throw new Reject(
            DeadLetterReason.WRONG_TYPE,
            prefix + name + ": expected a string, got " + describe(value));
      }
      return value.textValue();
    }

    boolean bool(String name) throws Reject {
      JsonNode value = required(name);
      if (!value.isBoolean()) {
        throw new Reject(
            DeadLetterReason.WRONG_TYPE,
            prefix + name + ": expected true or false, got " + describe(value));
      }
      return value.booleanValue();
    }

    long integer(String name, long min, long max) throws Reject {
      JsonNode value = required(name);
      if (!value.isIntegralNumber()) {
        throw new Reject(
            DeadLetterReason.WRONG_TYPE,
            prefix + name + ": expected an integer, got " + describe(value));
      }
      BigInteger v = value.bigIntegerValue();
      if (v.compareTo(BigInteger.valueOf(min)) < 0 || v.compareTo(BigInteger.valueOf(max)) > 0) {
        throw new Reject(
            DeadLetterReason.INVALID_VALUE,
            prefix + name + ": " + clip(v.toString()) + " is outside " + min + ".." + max);
      }
      return v.longValue();
    }

    double number(String name) throws Reject {
      return finite(name, required(name));
    }

    Double optionalNumber(String name) throws Reject {
      JsonNode value = node.get(name);
      return value == null || value.isNull() ? null : finite(name, value);
    }

    private double finite(String name, JsonNode value) throws Reject {
      if (!value.isNumber()) {
        throw new Reject(
            DeadLetterReason.WRONG_TYPE,
            prefix + name + ": expected a number, got " + describe(value));
      }
      double v = value.doubleValue();
      if (!Double.isFinite(v)) {
        throw new Reject(
            DeadLetterReason.INVALID_VALUE,
            prefix + name + ": " + clip(value.asText()) + " is not a finite number");
      }
      return v;
    }

    Instant timestamp(String name) throws Reject {
      JsonNode value = required(name);
      String field = prefix + name;
      if (value.isTextual()) {
        try {
          return OffsetDateTime.parse(value.textValue(), ISO_WITH_OFFSET).toInstant();
        } catch (DateTimeParseException e) {
          throw new Reject(
              DeadLetterReason.BAD_TIMESTAMP,
              field
                  + ": '"
                  + clip(value.textValue())
                  + "' is not ISO-8601 with an offset (e.g. 2026-11-23T08:15:30.120+08:00)");
        }
      }
      if (value.isIntegralNumber()) {
        BigInteger millis = value.bigIntegerValue();
        if (millis.signum() < 0 || millis.bitLength() > 62) {
          throw new Reject(
              DeadLetterReason.BAD_TIMESTAMP,
              field
                  + ": "
                  + clip(millis.toString())
                  + " is not a plausible epoch-millisecond time");
        }
        return Instant.ofEpochMilli(millis.longValue());
      }
      if (value.isNumber()) {
        throw new Reject(
            DeadLetterReason.BAD_TIMESTAMP,
            field
                + ": "
                + clip(value.asText())
                + " is not an integer number of epoch milliseconds");
      }
      throw new Reject(
          DeadLetterReason.WRONG_TYPE,
          field + ": expected an ISO-8601 string or epoch milliseconds, got " + describe(value));
    }
  }

  private static String describe(JsonNode value) {
    String rendered = value.isTextual() ? "'" + value.textValue() + "'" : value.toString();
    return typeName(value) + " " + clip(rendered);
  }

  private static String typeName(JsonNode value) {
    JsonNodeType type = value.getNodeType();
    return switch (type) {
      case ARRAY -> "array";
      case BOOLEAN -> "boolean";
      case NULL -> "null";
      case NUMBER -> value.isIntegralNumber() ? "integer" : "number";
      case OBJECT -> "object";
      case STRING -> "string";
      default -> type.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String clip(String s) {
    return clip(s, MAX_VALUE_IN_DETAIL);
  }

  private static String clip(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max) + "...(" + s.length() + " chars)";
  }

  /** Internal control flow: the first failed check. Never leaves this class. */
  private static final class Reject extends Exception {
    private static final long serialVersionUID = 1L;
    final DeadLetterReason reason;
    final String detail;

    Reject(DeadLetterReason reason, String detail) {
      super(detail, null, false, false);
      this.reason = reason;
      this.detail = detail;
    }
  }
}

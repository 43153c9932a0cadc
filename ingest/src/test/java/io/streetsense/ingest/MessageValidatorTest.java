package io.streetsense.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.EnumSet;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MessageValidatorTest {
  static final Instant NOW = Instant.parse("2026-11-23T00:15:30.120Z");
  static final String PARKING = "blocks/jiashan-lane/parking/JS-P-01";
  static final String CAMERA = "blocks/jiashan-lane/camera/JS-C-01";
  static final DeviceDirectory DIRECTORY =
      DeviceDirectory.builder()
          .sensor("jiashan-lane", "JS-P-01", "JS-Z-P1")
          .camera("jiashan-lane", "JS-C-01")
          .block("empty-block")
          .build();

  /** Every reason code a test below has produced; checked complete after all tests. */
  static final Set<DeadLetterReason> SEEN = EnumSet.noneOf(DeadLetterReason.class);

  final MessageValidator validator =
      new MessageValidator(DIRECTORY, Clock.fixed(NOW, ZoneOffset.UTC));

  static String parking(String fields) {
    return "{\"sensor\":\"JS-P-01\",\"ts\":\"2026-11-23T08:15:30.120+08:00\",\"seq\":1842,"
        + "\"occupied\":true,\"kind\":\"change\",\"battery_v\":3.61"
        + fields
        + "}";
  }

  static String camera(String objects) {
    return "{\"camera\":\"JS-C-01\",\"ts\":"
        + NOW.toEpochMilli()
        + ",\"frame\":1234567,\"objects\":["
        + objects
        + "]}";
  }

  static final String STALL =
      "{\"track\":\"991\",\"cls\":\"stall\",\"conf\":0.91,\"box\":[0.41,0.62,0.08,0.10]}";

  ValidationResult validate(String topic, String json) {
    return validator.validate(topic, json.getBytes(StandardCharsets.UTF_8));
  }

  Rejection rejected(DeadLetterReason expected, String topic, byte[] payload) {
    ValidationResult result = validator.validate(topic, payload);
    Rejection rejection = assertInstanceOf(Rejection.class, result, () -> "accepted: " + result);
    assertEquals(expected, rejection.reason(), rejection::detail);
    SEEN.add(rejection.reason());
    return rejection;
  }

  Rejection rejected(DeadLetterReason expected, String topic, String json) {
    return rejected(expected, topic, json.getBytes(StandardCharsets.UTF_8));
  }

  @AfterAll
  static void everyReasonCodeIsCovered() {
    assertEquals(DeadLetterReason.BRIDGE, SEEN, "reason codes without a test");
  }

  @Test
  void contractParkingExample_isAccepted() {
    ValidationResult result = validate(PARKING, parking(""));
    ParkingSensorEvent event =
        assertInstanceOf(
            ParkingSensorEvent.class,
            assertInstanceOf(ValidationResult.Accepted.class, result).record());
    assertEquals("jiashan-lane", event.getBlockId());
    assertEquals("JS-P-01", event.getSensorId());
    assertEquals("JS-Z-P1", event.getZoneId());
    assertEquals(Instant.parse("2026-11-23T00:15:30.120Z"), event.getEventTime());
    assertEquals(1842, event.getSeq());
    assertTrue(event.getOccupied());
    assertEquals(SensorMessageKind.CHANGE, event.getKind());
    assertEquals(3.61, event.getBatteryV());
    assertEquals(NOW, event.getReceivedAt());
    assertEquals(
        "jiashan-lane/JS-P-01",
        ((ValidationResult.Accepted) result).topic().kafkaKey(),
        "Kafka key keeps one device on one partition");
  }

  @Test
  void heartbeatWithoutBattery_isAccepted() {
    String json =
        "{\"sensor\":\"JS-P-01\",\"ts\":"
            + NOW.toEpochMilli()
            + ",\"seq\":0,"
            + "\"occupied\":false,\"kind\":\"heartbeat\",\"battery_v\":null}";
    ParkingSensorEvent event =
        (ParkingSensorEvent)
            assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, json)).record();
    assertEquals(SensorMessageKind.HEARTBEAT, event.getKind());
    assertNull(event.getBatteryV());
  }

  @Test
  void contractCameraExample_isAccepted() {
    CameraFrame frame =
        (CameraFrame)
            assertInstanceOf(ValidationResult.Accepted.class, validate(CAMERA, camera(STALL)))
                .record();
    assertEquals("JS-C-01", frame.getCameraId());
    assertEquals(1234567, frame.getFrame());
    assertEquals(1, frame.getObjects().size());
    assertEquals("991", frame.getObjects().get(0).getTrack());
    assertEquals("stall", frame.getObjects().get(0).getCls());
    assertEquals(0.41, frame.getObjects().get(0).getBox().getX());
    assertEquals(0.10, frame.getObjects().get(0).getBox().getH());
  }

  @Test
  void emptyFrame_isAccepted_asEvidenceOfAClearView() {
    CameraFrame frame =
        (CameraFrame)
            assertInstanceOf(ValidationResult.Accepted.class, validate(CAMERA, camera("")))
                .record();
    assertTrue(frame.getObjects().isEmpty());
  }

  @Test
  void integerTrack_unknownClass_unknownFields_areAccepted() {
    String object = "{\"track\":17,\"cls\":\"scooter\",\"conf\":1,\"box\":[0,0,1,1],\"x\":1}";
    String json = camera(object).replace("{\"camera\"", "{\"firmware\":\"2.1\",\"camera\"");
    CameraFrame frame =
        (CameraFrame)
            assertInstanceOf(ValidationResult.Accepted.class, validate(CAMERA, json)).record();
    assertEquals("17", frame.getObjects().get(0).getTrack());
    assertEquals("scooter", frame.getObjects().get(0).getCls());
  }

  @Test
  void timeWindowBoundaries_areInclusive() {
    String atLimitFuture =
        parking("")
            .replace(
                "\"2026-11-23T08:15:30.120+08:00\"",
                "" + NOW.plus(Duration.ofMinutes(5)).toEpochMilli());
    assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, atLimitFuture));
    String atLimitPast =
        parking("")
            .replace(
                "\"2026-11-23T08:15:30.120+08:00\"",
                "" + NOW.minus(Duration.ofHours(24)).toEpochMilli());
    assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, atLimitPast));
  }

  @Test
  void duplicateSeq_isAccepted_dedupIsTheDetectorsJob() {
    assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, parking("")));
    assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, parking("")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "blocks/jiashan-lane/parking",
        "blocks/jiashan-lane/parking/JS-P-01/extra",
        "block/jiashan-lane/parking/JS-P-01",
        "blocks/jiashan-lane/radar/JS-P-01",
        "blocks//parking/JS-P-01",
        "blocks/jiashan-lane/parking/",
        "teams/t1/workorders"
      })
  void badTopic_isRejected(String topic) {
    Rejection r = rejected(DeadLetterReason.BAD_TOPIC, topic, parking(""));
    assertNull(r.blockId());
    assertTrue(r.detail().contains(topic), r.detail());
  }

  @Test
  void emptyPayload_isRejected() {
    rejected(DeadLetterReason.EMPTY_PAYLOAD, PARKING, new byte[0]);
  }

  @Test
  void oversizedPayload_isRejected_beforeParsing() {
    byte[] big = new byte[64 * 1024 + 1];
    big[0] = (byte) 0xff; // not even UTF-8: size wins because it is checked first
    Rejection r = rejected(DeadLetterReason.OVERSIZED, PARKING, big);
    assertTrue(r.detail().contains("65537"), r.detail());
  }

  @Test
  void payloadOfExactlyTheLimit_isParsed() {
    String base = parking("");
    String padded =
        base.substring(0, base.length() - 1)
            + ",\"pad\":\""
            + "x".repeat(64 * 1024 - base.length() - 9)
            + "\"}";
    assertEquals(64 * 1024, padded.getBytes(StandardCharsets.UTF_8).length);
    assertInstanceOf(ValidationResult.Accepted.class, validate(PARKING, padded));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "c3", // truncated 2-byte sequence
        "ff", // never valid
        "c0af", // overlong '/'
        "eda080" // UTF-16 surrogate encoded in UTF-8
      })
  void invalidUtf8_isRejected(String hexInsideString) {
    byte[] prefix = "{\"sensor\":\"JS-P-01".getBytes(StandardCharsets.UTF_8);
    byte[] bad = java.util.HexFormat.of().parseHex(hexInsideString);
    byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[prefix.length + bad.length + suffix.length];
    System.arraycopy(prefix, 0, payload, 0, prefix.length);
    System.arraycopy(bad, 0, payload, prefix.length, bad.length);
    System.arraycopy(suffix, 0, payload, prefix.length + bad.length, suffix.length);
    rejected(DeadLetterReason.NOT_UTF8, PARKING, payload);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"sensor\":\"JS-P-01\"",
        "{sensor:\"JS-P-01\"}",
        "{'sensor':'JS-P-01'}",
        "{\"sensor\":\"JS-P-01\",}",
        "{\"sensor\":\"JS-P-01\"} {}",
        "{\"sensor\":\"JS-P-01\"} trailing",
        "{\"seq\":NaN}",
        "{\"seq\":Infinity}",
        "{\"seq\":-Infinity}",
        "{\"seq\":01}",
        "{\"a\":1 /* comment */}",
        "   ",
        "\uFEFF{\"sensor\":\"JS-P-01\"}"
      })
  void brokenJson_isRejected(String json) {
    rejected(DeadLetterReason.INVALID_JSON, PARKING, json);
  }

  @Test
  void duplicateKey_isRejected() {
    Rejection r = rejected(DeadLetterReason.DUPLICATE_KEY, PARKING, parking(",\"occupied\":false"));
    assertTrue(r.detail().contains("occupied"), r.detail());
  }

  @ParameterizedTest
  @ValueSource(strings = {"[]", "[{\"sensor\":\"JS-P-01\"}]", "\"text\"", "42", "true", "null"})
  void nonObject_isRejected(String json) {
    rejected(DeadLetterReason.NOT_AN_OBJECT, PARKING, json);
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"ts\":\"2026-11-23T08:15:30.120+08:00\",|ts",
        "\"seq\":1842,|seq",
        "\"occupied\":true,|occupied",
        "\"kind\":\"change\",|kind",
        "\"sensor\":\"JS-P-01\",|sensor",
      })
  void missingParkingField_isRejected(String removed, String field) {
    Rejection r =
        rejected(DeadLetterReason.MISSING_FIELD, PARKING, parking("").replace(removed, ""));
    assertTrue(r.detail().startsWith(field + ":"), r.detail());
  }

  @Test
  void nullRequiredField_isMissing() {
    rejected(
        DeadLetterReason.MISSING_FIELD,
        PARKING,
        parking("").replace("\"seq\":1842", "\"seq\":null"));
  }

  @Test
  void missingCameraFields_areRejected() {
    rejected(DeadLetterReason.MISSING_FIELD, CAMERA, camera("").replace(",\"objects\":[]", ""));
    rejected(DeadLetterReason.MISSING_FIELD, CAMERA, camera("").replace("\"frame\":1234567,", ""));
    Rejection r =
        rejected(
            DeadLetterReason.MISSING_FIELD, CAMERA, camera(STALL.replace("\"conf\":0.91,", "")));
    assertTrue(r.detail().startsWith("objects[0].conf"), r.detail());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"occupied\":true|\"occupied\":\"true\"",
        "\"occupied\":true|\"occupied\":1",
        "\"seq\":1842|\"seq\":\"1842\"",
        "\"seq\":1842|\"seq\":1842.5",
        "\"seq\":1842|\"seq\":1.842e3",
        "\"kind\":\"change\"|\"kind\":1",
        "\"battery_v\":3.61|\"battery_v\":\"3.61\"",
        "\"sensor\":\"JS-P-01\"|\"sensor\":12",
        "\"ts\":\"2026-11-23T08:15:30.120+08:00\"|\"ts\":true",
        "\"ts\":\"2026-11-23T08:15:30.120+08:00\"|\"ts\":{}",
      })
  void wrongParkingType_isRejected(String original, String replacement) {
    rejected(DeadLetterReason.WRONG_TYPE, PARKING, parking("").replace(original, replacement));
  }

  @Test
  void wrongCameraTypes_areRejected() {
    rejected(
        DeadLetterReason.WRONG_TYPE,
        CAMERA,
        camera("").replace("\"objects\":[]", "\"objects\":{}"));
    rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera("").replace("1234567", "\"1234567\""));
    rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera("\"stall\""));
    rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera(STALL.replace("\"991\"", "9.5")));
    rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera(STALL.replace("\"stall\"", "7")));
    rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera(STALL.replace("0.91", "\"high\"")));
    rejected(
        DeadLetterReason.WRONG_TYPE,
        CAMERA,
        camera(STALL.replace("[0.41,0.62,0.08,0.10]", "{\"x\":0.41}")));
    Rejection r =
        rejected(DeadLetterReason.WRONG_TYPE, CAMERA, camera(STALL.replace("0.62", "\"0.62\"")));
    assertTrue(r.detail().startsWith("objects[0].box[1]"), r.detail());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "\"seq\":1842|\"seq\":-1",
        "\"seq\":1842|\"seq\":2147483648",
        "\"seq\":1842|\"seq\":99999999999999999999999",
        "\"kind\":\"change\"|\"kind\":\"CHANGE\"",
        "\"kind\":\"change\"|\"kind\":\"flip\"",
        "\"battery_v\":3.61|\"battery_v\":-0.1",
        "\"battery_v\":3.61|\"battery_v\":1e400",
      })
  void invalidParkingValue_isRejected(String original, String replacement) {
    rejected(DeadLetterReason.INVALID_VALUE, PARKING, parking("").replace(original, replacement));
  }

  @Test
  void seqAtTheTopOfItsRange_isAccepted() {
    assertInstanceOf(
        ValidationResult.Accepted.class,
        validate(PARKING, parking("").replace("1842", "2147483647")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":1.01,\"box\":[0.4,0.6,0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":-0.5,\"box\":[0.4,0.6,0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[1.2,0.6,0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[-0.1,0.6,0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.4,0.6,-0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.4,0.6,0.1,1e999]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.9,0.6,0.2,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.4,0.6,0.1]}",
        "{\"track\":\"1\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.4,0.6,0.1,0.1,0.1]}",
        "{\"track\":\"\",\"cls\":\"stall\",\"conf\":0.9,\"box\":[0.4,0.6,0.1,0.1]}",
        "{\"track\":\"1\",\"cls\":\"\",\"conf\":0.9,\"box\":[0.4,0.6,0.1,0.1]}",
      })
  void invalidObjectValue_isRejected(String object) {
    rejected(DeadLetterReason.INVALID_VALUE, CAMERA, camera(STALL + "," + object));
  }

  @Test
  void negativeFrame_isRejected() {
    rejected(DeadLetterReason.INVALID_VALUE, CAMERA, camera("").replace("1234567", "-1"));
  }

  @Test
  void tooManyObjects_areRejected() {
    String objects = String.join(",", java.util.Collections.nCopies(257, STALL));
    Rejection r = rejected(DeadLetterReason.TOO_MANY_OBJECTS, CAMERA, camera(objects));
    assertTrue(r.detail().contains("257"), r.detail());
    String atCap = String.join(",", java.util.Collections.nCopies(256, STALL));
    assertInstanceOf(ValidationResult.Accepted.class, validate(CAMERA, camera(atCap)));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"2026-11-23T08:15:30.120\"", // no offset
        "\"2026-11-23 08:15:30+08:00\"",
        "\"23/11/2026 08:15\"",
        "\"1763885730120\"", // epoch millis as a string
        "\"\"",
        "1763885730120.5", // fractional
        "1.76388573012E12", // exponent
        "-1", // negative
        "123456789012345678901234567890" // beyond any instant
      })
  void badTimestamp_isRejected(String ts) {
    rejected(
        DeadLetterReason.BAD_TIMESTAMP,
        PARKING,
        parking("").replace("\"2026-11-23T08:15:30.120+08:00\"", ts));
  }

  @Test
  void timestampInTheFuture_isRejected() {
    long ts = NOW.plus(Duration.ofMinutes(5)).toEpochMilli() + 1;
    rejected(
        DeadLetterReason.TIMESTAMP_IN_FUTURE,
        CAMERA,
        camera("").replace("" + NOW.toEpochMilli(), "" + ts));
  }

  @Test
  void staleTimestamp_isRejected() {
    rejected(
        DeadLetterReason.TIMESTAMP_TOO_OLD,
        PARKING,
        parking("").replace("2026-11-23T08:15", "2026-11-22T08:14"));
    // epoch seconds instead of millis land in 1970
    rejected(
        DeadLetterReason.TIMESTAMP_TOO_OLD,
        PARKING,
        parking("").replace("\"2026-11-23T08:15:30.120+08:00\"", "1763885730"));
  }

  @Test
  void spoofedDeviceId_isRejected() {
    Rejection r =
        rejected(
            DeadLetterReason.DEVICE_MISMATCH,
            PARKING,
            parking("").replace("\"sensor\":\"JS-P-01\"", "\"sensor\":\"JS-P-02\""));
    assertEquals("jiashan-lane", r.blockId());
    assertEquals("JS-P-01", r.deviceId());
    assertTrue(r.detail().contains("JS-P-02") && r.detail().contains("JS-P-01"), r.detail());
  }

  @Test
  void unknownBlock_isRejected() {
    rejected(DeadLetterReason.UNKNOWN_BLOCK, "blocks/nowhere/parking/JS-P-01", parking(""));
  }

  @Test
  void unknownDevice_isRejected() {
    rejected(
        DeadLetterReason.UNKNOWN_DEVICE,
        "blocks/jiashan-lane/parking/JS-P-99",
        parking("").replace("JS-P-01", "JS-P-99"));
    rejected(DeadLetterReason.UNKNOWN_DEVICE, "blocks/empty-block/camera/JS-C-01", camera(""));
  }

  @Test
  void cameraFrameOnParkingTopic_isRejected() {
    rejected(DeadLetterReason.WRONG_DEVICE_KIND, "blocks/jiashan-lane/parking/JS-C-01", camera(""));
  }

  @Test
  void knownCameraPublishingParkingPayload_isRejected() {
    rejected(
        DeadLetterReason.WRONG_DEVICE_KIND,
        "blocks/jiashan-lane/parking/JS-C-01",
        parking("").replace("JS-P-01", "JS-C-01"));
    rejected(
        DeadLetterReason.WRONG_DEVICE_KIND,
        "blocks/jiashan-lane/camera/JS-P-01",
        camera("").replace("JS-C-01", "JS-P-01"));
  }

  @Test
  void rejectionDetail_clipsLongValues() {
    String longKind = "k".repeat(5000);
    Rejection r =
        rejected(
            DeadLetterReason.INVALID_VALUE,
            PARKING,
            parking("").replace("\"change\"", "\"" + longKind + "\""));
    assertTrue(r.detail().length() < 300, r.detail());
  }
}

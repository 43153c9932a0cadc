package io.streetsense.detectors.internal;

import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.DeadLetterReason;
import io.streetsense.schemas.ParkingSensorEvent;
import java.nio.ByteBuffer;
import java.time.Instant;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.util.OutputTag;

/**
 * The detectors' side output for input they cannot use: events behind the watermark (late) and
 * devices their block maps do not know. Each becomes a {@link DeadLetter} carrying the record as it
 * came from Kafka, so nothing is dropped silently; its reason is {@link
 * DeadLetterReason#LATE_EVENT} or {@link DeadLetterReason#UNKNOWN_DEVICE}.
 */
public final class LateEvents {
  public static final OutputTag<DeadLetter> TAG =
      new OutputTag<>("detector-dead-letters", TypeInformation.of(DeadLetter.class));

  private static final AvroCodec<CameraFrame> FRAMES = AvroCodec.of(CameraFrame.class);
  private static final AvroCodec<ParkingSensorEvent> PARKING =
      AvroCodec.of(ParkingSensorEvent.class);

  private LateEvents() {}

  public static DeadLetter cameraFrame(CameraFrame frame, String detector, long watermark) {
    return deadLetter(
        DeadLetterReason.LATE_EVENT,
        detector
            + ": frame "
            + frame.getFrame()
            + " at "
            + frame.getEventTime()
            + " is behind the watermark "
            + Instant.ofEpochMilli(watermark),
        FRAMES.encode(frame),
        frame.getReceivedAt(),
        frame.getBlockId(),
        frame.getCameraId());
  }

  public static DeadLetter parkingEvent(ParkingSensorEvent event, String detector, long watermark) {
    return deadLetter(
        DeadLetterReason.LATE_EVENT,
        detector
            + ": sensor message seq "
            + event.getSeq()
            + " at "
            + event.getEventTime()
            + " is behind the watermark "
            + Instant.ofEpochMilli(watermark),
        PARKING.encode(event),
        event.getReceivedAt(),
        event.getBlockId(),
        event.getSensorId());
  }

  /**
   * An observation that fell behind a keyed detector's watermark after the fan-out. The frame
   * itself was already used by other zones, so the payload describes the observation only.
   */
  public static DeadLetter lateObservation(
      ZoneObservation observation, String detector, long watermark) {
    String detail =
        detector
            + ": observation of zone "
            + observation.zoneId
            + " from camera "
            + observation.cameraId
            + " frame "
            + observation.frame
            + " at "
            + Instant.ofEpochMilli(observation.eventTime)
            + " is behind the watermark "
            + Instant.ofEpochMilli(watermark);
    return deadLetter(
        DeadLetterReason.LATE_EVENT,
        detail,
        detail.getBytes(java.nio.charset.StandardCharsets.UTF_8),
        Instant.ofEpochMilli(observation.eventTime),
        observation.blockId,
        observation.cameraId);
  }

  public static DeadLetter unknownDevice(CameraFrame frame) {
    return deadLetter(
        DeadLetterReason.UNKNOWN_DEVICE,
        "camera "
            + frame.getCameraId()
            + " is not in the detectors' map of block "
            + frame.getBlockId(),
        FRAMES.encode(frame),
        frame.getReceivedAt(),
        frame.getBlockId(),
        frame.getCameraId());
  }

  public static DeadLetter unknownDevice(ParkingSensorEvent event) {
    return deadLetter(
        DeadLetterReason.UNKNOWN_DEVICE,
        "sensor "
            + event.getSensorId()
            + " or zone "
            + event.getZoneId()
            + " is not in the detectors' map of block "
            + event.getBlockId(),
        PARKING.encode(event),
        event.getReceivedAt(),
        event.getBlockId(),
        event.getSensorId());
  }

  private static DeadLetter deadLetter(
      DeadLetterReason reason,
      String detail,
      byte[] payload,
      Instant receivedAt,
      String blockId,
      String deviceId) {
    return DeadLetter.newBuilder()
        .setStage("detectors")
        .setReason(reason.name())
        .setDetail(detail)
        .setSource("kafka")
        .setPayload(ByteBuffer.wrap(payload))
        .setReceivedAt(receivedAt)
        .setBlockId(blockId)
        .setDeviceId(deviceId)
        .build();
  }
}

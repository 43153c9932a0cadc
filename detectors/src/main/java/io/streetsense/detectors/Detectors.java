package io.streetsense.detectors;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.health.DeviceHealthChange;
import io.streetsense.detectors.health.DeviceHealthDetector;
import io.streetsense.detectors.health.DeviceSignal;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.detectors.parking.OccupancyUpdate;
import io.streetsense.detectors.parking.ParkingOccupancy;
import io.streetsense.detectors.parking.ParkingOverflowDetector;
import io.streetsense.detectors.presence.PresenceDetector;
import io.streetsense.detectors.presence.PresenceHandover;
import io.streetsense.detectors.presence.ZoneKeyedPresenceHandover;
import io.streetsense.detectors.presence.ZoneObservationExtractor;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.ViolationEvent;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;

/**
 * The detectors as one piece of a Flink job: device streams in, violations, occupancy and unusable
 * events out. The caller owns sources and sinks (Kafka in production, bounded collections in
 * tests), so the same wiring runs in both.
 *
 * <pre>{@code
 * DataStream<ParkingSensorEvent> parking = env.fromSource(parkingSource,
 *     Detectors.parkingWatermarks(config), "parking");
 * DataStream<CameraFrame> frames = env.fromSource(cameraSource,
 *     Detectors.cameraWatermarks(config), "cameras");
 * Detectors.Streams out = Detectors.define(parking, frames, blockMaps, config);
 * out.violations().sinkTo(violationSink);
 * out.health().map(...);           // device_health points
 * }</pre>
 *
 * <p>Every stateful operator has a stable uid, so savepoints survive upgrades.
 */
public final class Detectors {
  public static final String UID_FRAME_DEDUPLICATION = "camera-frame-deduplication";
  public static final String UID_ZONE_OBSERVATIONS = "camera-zone-observations";

  /** The presence detector, keyed by block. */
  public static final String UID_PRESENCE = "presence-by-block";

  /**
   * The presence detector keyed by zone, as released until 2026-12-06: the uid now holds the
   * operator that hands such a savepoint's state over to {@link #UID_PRESENCE}.
   */
  public static final String UID_PRESENCE_BY_ZONE = "presence-detector";

  public static final String UID_PARKING_OCCUPANCY = "parking-occupancy";
  public static final String UID_PARKING_OVERFLOW = "parking-overflow";
  public static final String UID_CAMERA_SIGNALS = "camera-device-signals";
  public static final String UID_PARKING_SIGNALS = "parking-device-signals";
  public static final String UID_DEVICE_HEALTH = "device-health";

  private Detectors() {}

  /**
   * What the detectors produce.
   *
   * @param violations illegal stalls, out-of-doorway trading and parking overflow: opened, updated,
   *     cleared
   * @param occupancy each parking zone's berth occupancy when it changes
   * @param deadLetters events the detectors could not use (late, unknown device)
   * @param health devices going offline and coming (back) online, for {@code device_health}
   */
  public record Streams(
      DataStream<ViolationEvent> violations,
      DataStream<OccupancyUpdate> occupancy,
      DataStream<DeadLetter> deadLetters,
      DataStream<DeviceHealthChange> health) {}

  public static WatermarkStrategy<ParkingSensorEvent> parkingWatermarks(DetectorConfig config) {
    return WatermarkStrategy.<ParkingSensorEvent>forBoundedOutOfOrderness(
            config.maxOutOfOrderness())
        .withTimestampAssigner((event, kafkaTime) -> event.getEventTime().toEpochMilli())
        .withIdleness(config.sourceIdleness());
  }

  public static WatermarkStrategy<CameraFrame> cameraWatermarks(DetectorConfig config) {
    return WatermarkStrategy.<CameraFrame>forBoundedOutOfOrderness(config.maxOutOfOrderness())
        .withTimestampAssigner((frame, kafkaTime) -> frame.getEventTime().toEpochMilli())
        .withIdleness(config.sourceIdleness());
  }

  /** Wires the detectors onto streams that already carry event timestamps and watermarks. */
  public static Streams define(
      DataStream<ParkingSensorEvent> parking,
      DataStream<CameraFrame> frames,
      BlockMaps blockMaps,
      DetectorConfig config) {
    // Every detector reads frames through this filter: a frame delivered twice counts once.
    DataStream<CameraFrame> distinctFrames =
        frames
            .keyBy(DuplicateFrameFilter::cameraKey)
            .process(new DuplicateFrameFilter())
            .returns(TypeInformation.of(CameraFrame.class))
            .uid(UID_FRAME_DEDUPLICATION)
            .name("camera frames, each once");

    // Admitted frames (late and unknown ones dead-lettered), and the kerbs' vehicles on the side.
    SingleOutputStreamOperator<CameraFrame> observations =
        distinctFrames
            .process(new ZoneObservationExtractor(blockMaps))
            .returns(TypeInformation.of(CameraFrame.class))
            .uid(UID_ZONE_OBSERVATIONS)
            .name("camera frames admitted, kerb observations");

    // Keyed by block: one record, one buffer entry and (per watermark step) one timer for a frame,
    // however many zones its camera views (see PresenceDetector).
    // After an upgrade from a savepoint of the zone-keyed presence detector, its state comes over
    // from here once; otherwise this only forwards the frames' watermarks.
    SingleOutputStreamOperator<PresenceHandover> handover =
        observations
            .getSideOutput(ZoneObservationExtractor.WATERMARKS_ONLY)
            .keyBy(PresenceDetector::blockKey)
            .transform(
                "presence state of the zone-keyed detector, handed over",
                TypeInformation.of(PresenceHandover.class),
                new ZoneKeyedPresenceHandover())
            .uid(UID_PRESENCE_BY_ZONE);

    SingleOutputStreamOperator<ViolationEvent> violations =
        observations
            .keyBy(PresenceDetector::blockKey)
            .connect(handover.keyBy(PresenceHandover::blockKey))
            .process(new PresenceDetector(blockMaps, config))
            .returns(TypeInformation.of(ViolationEvent.class))
            .uid(UID_PRESENCE)
            .name("illegal stalls and out-of-doorway trading");

    SingleOutputStreamOperator<OccupancyUpdate> occupancy =
        parking
            .keyBy(event -> event.getBlockId() + "/" + event.getZoneId())
            .process(new ParkingOccupancy(blockMaps))
            .returns(TypeInformation.of(OccupancyUpdate.class))
            .uid(UID_PARKING_OCCUPANCY)
            .name("parking occupancy");

    // Keyed by block: a parking zone's decision joins its berths, its alternatives' berths and the
    // cameras on its no-parking kerbs, all in the same block (see ParkingOverflowDetector).
    SingleOutputStreamOperator<ViolationEvent> overflow =
        parking
            .keyBy(ParkingSensorEvent::getBlockId)
            .connect(
                observations
                    .getSideOutput(ZoneObservationExtractor.NO_PARKING)
                    .keyBy(o -> o.blockId))
            .process(new ParkingOverflowDetector(blockMaps, config))
            .returns(TypeInformation.of(ViolationEvent.class))
            .uid(UID_PARKING_OVERFLOW)
            .name("parking overflow");

    SingleOutputStreamOperator<DeviceHealthChange> health =
        distinctFrames
            .map(DeviceSignal::of)
            .returns(TypeInformation.of(DeviceSignal.class))
            .uid(UID_CAMERA_SIGNALS)
            .name("camera frames to device signals")
            .union(
                parking
                    .map(DeviceSignal::of)
                    .returns(TypeInformation.of(DeviceSignal.class))
                    .uid(UID_PARKING_SIGNALS)
                    .name("sensor messages to device signals"))
            .keyBy(DeviceSignal::deviceKey)
            .process(new DeviceHealthDetector(blockMaps, config))
            .returns(TypeInformation.of(DeviceHealthChange.class))
            .uid(UID_DEVICE_HEALTH)
            .name("device health");

    DataStream<DeadLetter> deadLetters =
        observations
            .getSideOutput(LateEvents.TAG)
            .union(
                violations.getSideOutput(LateEvents.TAG),
                occupancy.getSideOutput(LateEvents.TAG),
                overflow.getSideOutput(LateEvents.TAG));
    return new Streams(violations.union(overflow), occupancy, deadLetters, health);
  }
}

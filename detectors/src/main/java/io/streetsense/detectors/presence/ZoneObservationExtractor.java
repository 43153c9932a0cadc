package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.schemas.CameraFrame;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Admits camera frames to the detectors and extracts what the parking-overflow detector needs from
 * them. Frames older than the watermark are late and unknown cameras a deployment mismatch: both go
 * to the late-event output instead of being dropped. Every other frame is forwarded on the main
 * output, whole, to the presence detector (keyed by block: it does the per-zone split itself, see
 * {@link PresenceDetector}).
 *
 * <p>Each view of a no-parking zone that belongs to a parking zone's overflow rule becomes a {@link
 * ZoneObservation} of its vehicles on the {@link #NO_PARKING} side output (also when empty: the
 * kerb is seen clear).
 */
public final class ZoneObservationExtractor extends ProcessFunction<CameraFrame, CameraFrame> {
  private static final long serialVersionUID = 1L;

  /** Camera views of no-parking zones, with the vehicles standing in them. */
  public static final OutputTag<ZoneObservation> NO_PARKING =
      new OutputTag<>("no-parking-observations", TypeInformation.of(ZoneObservation.class));

  /**
   * Never emitted to: a stream of this tag carries the admitted frames' watermarks and no record,
   * the input of {@link ZoneKeyedPresenceHandover}.
   */
  public static final OutputTag<CameraFrame> WATERMARKS_ONLY =
      new OutputTag<>("camera-watermarks-only", TypeInformation.of(CameraFrame.class));

  private final BlockMaps blockMaps;
  private transient FrameZones zones;
  private transient Counter lateFrames;
  private transient Counter unknownCameras;

  public ZoneObservationExtractor(BlockMaps blockMaps) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
  }

  @Override
  public void open(OpenContext openContext) {
    zones = new FrameZones(blockMaps);
    lateFrames = getRuntimeContext().getMetricGroup().counter("lateFrames");
    unknownCameras = getRuntimeContext().getMetricGroup().counter("unknownCameras");
  }

  @Override
  public void processElement(CameraFrame frame, Context ctx, Collector<CameraFrame> out) {
    long eventTime = frame.getEventTime().toEpochMilli();
    if (eventTime <= ctx.timerService().currentWatermark()) {
      lateFrames.inc();
      ctx.output(
          LateEvents.TAG,
          LateEvents.cameraFrame(frame, "presence", ctx.timerService().currentWatermark()));
      return;
    }
    if (!zones.knows(frame)) {
      // The bridge validated the camera against its block maps; a different map here is a
      // deployment mismatch worth a dead letter, not a crash loop.
      unknownCameras.inc();
      ctx.output(LateEvents.TAG, LateEvents.unknownDevice(frame));
      return;
    }
    out.collect(frame);
    // The per-frame logic is FrameZones', shared with `streetsense explain`.
    for (ZoneObservation observation : zones.noParking(frame)) {
      ctx.output(NO_PARKING, observation);
    }
  }
}

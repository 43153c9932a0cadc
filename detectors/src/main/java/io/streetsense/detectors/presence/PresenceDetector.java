package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Zone;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ViolationEvent;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Illegal stalls and out-of-doorway trading for one block: keyed by {@code blockId}, it receives
 * the block's camera frames (each once: see {@code DuplicateFrameFilter}), splits each frame into
 * one {@link ZoneObservation} per watched zone ({@link FrameZones}, shared with {@code streetsense
 * explain}) and feeds every zone's {@link PresenceTracker}. Every camera of a block is in the same
 * key, so two cameras seeing one stall feed one decision and make one violation.
 *
 * <p>Frames wait in an {@link EventTimeBuffer} until the watermark passes them and are then taken
 * in event-time order, ties by camera and frame number: each zone sees its observations in exactly
 * the order it saw them when it was keyed on its own, so the same input gives the same violations
 * whatever the arrival order. Frames behind the watermark are late: counted and sent to the
 * late-event output (the admission in front of it catches nearly all of them).
 *
 * <p>Why per block and not per zone: a frame of a camera that views a dozen zones used to become a
 * dozen records through the network, a dozen buffer entries and a dozen event-time timers. Keyed by
 * block, a frame is one record and one buffer entry, and a block waits on one timer per watermark
 * step ({@link EventTimeBuffer#addWithOneTimer}) instead of one per observation: the timer queue, a
 * heap over every pending timer of the subtask, was the largest single cost of the job (issue "City
 * scale on two cores", benchmarks/README.md "Where the CPU goes").
 *
 * <p>State: each zone's {@link ZoneState} in a map under the block, only while the zone is not
 * quiet; the frames of the last few seconds the watermark has not passed.
 */
public final class PresenceDetector
    extends KeyedProcessFunction<String, CameraFrame, ViolationEvent> {
  private static final long serialVersionUID = 1L;

  /** Name of the frame buffer (and its span gauge, {@code pending-framesSpanMs}). */
  static final String BUFFER = "pending-frames";

  /** Frames at the same instant: by camera, then frame number (as the per-zone order was). */
  private static final Comparator<CameraFrame> SAME_TIME_ORDER =
      Comparator.comparing((CameraFrame f) -> f.getCameraId().toString())
          .thenComparingLong(CameraFrame::getFrame);

  private final BlockMaps blockMaps;
  private final DetectorConfig config;

  private transient FrameZones frameZones;

  /** Per block, per zone id: the zone's rule as a tracker (the trackers hold no state). */
  private transient Map<String, Map<String, PresenceTracker>> trackers;

  private transient EventTimeBuffer<CameraFrame> buffer;
  private transient ValueState<Long> nextTimer;
  private transient MapState<String, ZoneState> zoneStates;
  private transient Counter lateFrames;

  public PresenceDetector(BlockMaps blockMaps, DetectorConfig config) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
    this.config = Objects.requireNonNull(config, "config");
  }

  @Override
  public void open(OpenContext openContext) {
    frameZones = new FrameZones(blockMaps);
    trackers = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      for (Zone zone : block.zones()) {
        PresenceRule.forZone(block, zone)
            .ifPresent(
                rule ->
                    trackers
                        .computeIfAbsent(block.id(), b -> new HashMap<>())
                        .put(
                            zone.id(),
                            new PresenceTracker(
                                rule,
                                config.cameraOfflineAfter().toMillis(),
                                config.updateEvery().toMillis())));
      }
    }
    buffer =
        new EventTimeBuffer<>(
            getRuntimeContext(), BUFFER, TypeInformation.of(CameraFrame.class), SAME_TIME_ORDER);
    nextTimer = getRuntimeContext().getState(EventTimeBuffer.nextTimerState(BUFFER));
    zoneStates =
        getRuntimeContext()
            .getMapState(
                new MapStateDescriptor<>(
                    "zones", Types.STRING, TypeInformation.of(ZoneState.class)));
    lateFrames = getRuntimeContext().getMetricGroup().counter("lateFrames");
  }

  /** The key of a block's presence detector. */
  public static String blockKey(CameraFrame frame) {
    return frame.getBlockId().toString();
  }

  @Override
  public void processElement(CameraFrame frame, Context ctx, Collector<ViolationEvent> out)
      throws Exception {
    long eventTime = frame.getEventTime().toEpochMilli();
    long watermark = ctx.timerService().currentWatermark();
    if (eventTime <= watermark) {
      // Rare: the admission in front diverts frames behind its own watermark.
      lateFrames.inc();
      ctx.output(LateEvents.TAG, LateEvents.cameraFrame(frame, "presence", watermark));
      return;
    }
    buffer.addWithOneTimer(eventTime, frame, ctx.timerService(), nextTimer);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ViolationEvent> out)
      throws Exception {
    // The zones this step touches, read from state once and written back once.
    Map<String, ZoneState> touched = new LinkedHashMap<>();
    Map<String, PresenceTracker> blockTrackers =
        trackers.getOrDefault(ctx.getCurrentKey(), Map.of());
    for (CameraFrame frame : buffer.takeDue(ctx.timerService(), nextTimer)) {
      for (ZoneObservation observation : frameZones.presence(frame)) {
        ZoneState state = touched.get(observation.zoneId);
        if (state == null) {
          state = zoneStates.get(observation.zoneId);
          if (state == null) {
            state = new ZoneState();
          }
          touched.put(observation.zoneId, state);
        }
        PresenceTracker tracker = blockTrackers.get(observation.zoneId);
        for (ViolationEvent event : tracker.observe(state, observation)) {
          out.collect(event);
        }
      }
    }
    for (Map.Entry<String, ZoneState> zone : touched.entrySet()) {
      if (PresenceTracker.isQuiet(zone.getValue())) {
        zoneStates.remove(zone.getKey());
      } else {
        zoneStates.put(zone.getKey(), zone.getValue());
      }
    }
  }
}

package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Zone;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.eventtime.EventTimeBuffer;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ViolationEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.co.KeyedCoProcessFunction;
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
    extends KeyedCoProcessFunction<String, CameraFrame, PresenceHandover, ViolationEvent> {
  private static final long serialVersionUID = 1L;

  /** Name of the frame buffer (and its span gauge, {@code pending-framesSpanMs}). */
  public static final String BUFFER = "pending-frames";

  /** Name of the buffer of observations handed over from the zone-keyed detector. */
  static final String HANDED_OVER = "handed-over-observations";

  /** Observations in the order each zone sees them: time, then camera, then frame number. */
  private static final Comparator<ZoneObservation> OBSERVATION_ORDER =
      Comparator.comparingLong((ZoneObservation o) -> o.eventTime)
          .thenComparing(o -> o.cameraId)
          .thenComparingLong(o -> o.frame);

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
  private transient EventTimeBuffer<ZoneObservation> handedOver;
  private transient ValueState<Long> nextHandedOverTimer;
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
    handedOver =
        new EventTimeBuffer<>(
            getRuntimeContext(),
            HANDED_OVER,
            TypeInformation.of(ZoneObservation.class),
            OBSERVATION_ORDER);
    nextHandedOverTimer = getRuntimeContext().getState(EventTimeBuffer.nextTimerState(HANDED_OVER));
  }

  /** The key of a block's presence detector. */
  public static String blockKey(CameraFrame frame) {
    return frame.getBlockId().toString();
  }

  @Override
  public void processElement1(CameraFrame frame, Context ctx, Collector<ViolationEvent> out)
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

  /**
   * State of the zone-keyed detector after an upgrade ({@link ZoneKeyedPresenceHandover}): it all
   * arrives before the watermark passes any frame (the handover emits it ahead of its first
   * watermark), so a zone's state is in place before its first decision here.
   */
  @Override
  public void processElement2(PresenceHandover handover, Context ctx, Collector<ViolationEvent> out)
      throws Exception {
    if (handover.state != null) {
      if (!zoneStates.contains(handover.zoneId)) {
        zoneStates.put(handover.zoneId, handover.state);
      }
    } else if (handover.observation != null) {
      handedOver.addWithOneTimer(
          handover.observation.eventTime,
          handover.observation,
          ctx.timerService(),
          nextHandedOverTimer);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<ViolationEvent> out)
      throws Exception {
    // The zones this step touches, read from state once and written back once.
    Map<String, ZoneState> touched = new LinkedHashMap<>();
    Map<String, PresenceTracker> blockTrackers =
        trackers.getOrDefault(ctx.getCurrentKey(), Map.of());
    List<ZoneObservation> due = new ArrayList<>();
    for (CameraFrame frame : buffer.takeDue(ctx.timerService(), nextTimer)) {
      due.addAll(frameZones.presence(frame));
    }
    if (!handedOver.isEmpty()) {
      // Only after an upgrade: merge in the old detector's waiting observations (a stable sort
      // keeps each frame's zones in view order).
      due.addAll(handedOver.takeDue(ctx.timerService(), nextHandedOverTimer));
      due.sort(OBSERVATION_ORDER);
    }
    for (ZoneObservation observation : due) {
      ZoneState state = touched.get(observation.zoneId);
      if (state == null) {
        state = zoneStates.get(observation.zoneId);
        if (state == null) {
          state = new ZoneState();
        }
        touched.put(observation.zoneId, state);
      }
      PresenceTracker tracker = blockTrackers.get(observation.zoneId);
      if (tracker == null) {
        continue; // handed over from a savepoint for a zone the block maps no longer watch
      }
      for (ViolationEvent event : tracker.observe(state, observation)) {
        out.collect(event);
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

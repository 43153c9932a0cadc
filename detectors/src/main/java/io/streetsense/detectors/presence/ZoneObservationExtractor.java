package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Polygon;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.detectors.parking.OverflowRule;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits each camera frame into one {@link ZoneObservation} per zone the camera views and a
 * presence rule applies to, keeping only the objects of the rule's classes whose ground point
 * (bottom-centre of the box) stands inside that view's polygon.
 *
 * <p>Every view gets an observation, also when nothing stands in it: an empty observation is the
 * evidence that lets a violation clear. Frames older than the watermark are late: they go to the
 * late-event output instead of being dropped.
 *
 * <p>The same pass feeds the parking-overflow detector: each view of a no-parking zone that belongs
 * to a parking zone's overflow rule becomes a {@link ZoneObservation} of its vehicles on the {@link
 * #NO_PARKING} side output (also when empty: the kerb is seen clear).
 */
public final class ZoneObservationExtractor extends ProcessFunction<CameraFrame, ZoneObservation> {
  private static final long serialVersionUID = 1L;

  /** Camera views of no-parking zones, with the vehicles standing in them. */
  public static final OutputTag<ZoneObservation> NO_PARKING =
      new OutputTag<>("no-parking-observations", TypeInformation.of(ZoneObservation.class));

  private final BlockMaps blockMaps;
  private transient Map<String, List<WatchedZone>> viewsByCamera;
  private transient Map<String, List<CameraView>> noParkingViewsByCamera;
  private transient Counter lateFrames;
  private transient Counter unknownCameras;

  public ZoneObservationExtractor(BlockMaps blockMaps) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
  }

  private record WatchedZone(String zoneId, Polygon polygon, PresenceRule rule) {}

  @Override
  public void open(OpenContext openContext) {
    viewsByCamera = new HashMap<>();
    noParkingViewsByCamera = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      Set<String> overflowKerbs = new HashSet<>();
      for (OverflowRule rule : OverflowRule.forBlock(block)) {
        overflowKerbs.addAll(rule.noParking());
      }
      for (Camera camera : block.cameras()) {
        List<WatchedZone> watched = new ArrayList<>();
        List<CameraView> kerbs = new ArrayList<>();
        for (CameraView view : camera.views()) {
          Zone zone = block.zone(view.zone()).orElseThrow();
          PresenceRule.forZone(block, zone)
              .ifPresent(rule -> watched.add(new WatchedZone(zone.id(), view.polygon(), rule)));
          if (zone.kind() == ZoneKind.NO_PARKING && overflowKerbs.contains(zone.id())) {
            kerbs.add(view);
          }
        }
        viewsByCamera.put(block.id() + "/" + camera.id(), watched);
        if (!kerbs.isEmpty()) {
          noParkingViewsByCamera.put(block.id() + "/" + camera.id(), kerbs);
        }
      }
    }
    lateFrames = getRuntimeContext().getMetricGroup().counter("lateFrames");
    unknownCameras = getRuntimeContext().getMetricGroup().counter("unknownCameras");
  }

  @Override
  public void processElement(CameraFrame frame, Context ctx, Collector<ZoneObservation> out) {
    long eventTime = frame.getEventTime().toEpochMilli();
    if (eventTime <= ctx.timerService().currentWatermark()) {
      lateFrames.inc();
      ctx.output(
          LateEvents.TAG,
          LateEvents.cameraFrame(frame, "presence", ctx.timerService().currentWatermark()));
      return;
    }
    List<WatchedZone> watched = viewsByCamera.get(frame.getBlockId() + "/" + frame.getCameraId());
    if (watched == null) {
      // The bridge validated the camera against its block maps; a different map here is a
      // deployment mismatch worth a dead letter, not a crash loop.
      unknownCameras.inc();
      ctx.output(LateEvents.TAG, LateEvents.unknownDevice(frame));
      return;
    }
    for (WatchedZone zone : watched) {
      List<Sighting> sightings = new ArrayList<>();
      for (DetectedObject object : frame.getObjects()) {
        if (!zone.rule().counts(object.getCls(), object.getConf())) {
          continue;
        }
        Sighting sighting = sighting(object);
        if (zone.polygon().contains(sighting.groundX, sighting.groundY)) {
          sightings.add(sighting);
        }
      }
      out.collect(
          new ZoneObservation(
              frame.getBlockId(),
              zone.zoneId(),
              frame.getCameraId(),
              eventTime,
              frame.getFrame(),
              sightings));
    }
    for (CameraView view :
        noParkingViewsByCamera.getOrDefault(
            frame.getBlockId() + "/" + frame.getCameraId(), List.of())) {
      List<Sighting> vehicles = new ArrayList<>();
      for (DetectedObject object : frame.getObjects()) {
        if (!OverflowRule.isVehicle(object.getCls(), object.getConf())) {
          continue;
        }
        Sighting sighting = sighting(object);
        if (view.polygon().contains(sighting.groundX, sighting.groundY)) {
          vehicles.add(sighting);
        }
      }
      ctx.output(
          NO_PARKING,
          new ZoneObservation(
              frame.getBlockId(),
              view.zone(),
              frame.getCameraId(),
              eventTime,
              frame.getFrame(),
              vehicles));
    }
  }

  private static Sighting sighting(DetectedObject object) {
    return new Sighting(
        object.getTrack(),
        object.getCls(),
        object.getConf(),
        object.getBox().getX(),
        object.getBox().getY(),
        object.getBox().getW(),
        object.getBox().getH());
  }
}

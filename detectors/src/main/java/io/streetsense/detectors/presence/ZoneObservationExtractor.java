package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Polygon;
import io.streetsense.blockmap.Zone;
import io.streetsense.detectors.internal.LateEvents;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Splits each camera frame into one {@link ZoneObservation} per zone the camera views and a
 * presence rule applies to, keeping only the objects of the rule's classes whose ground point
 * (bottom-centre of the box) stands inside that view's polygon.
 *
 * <p>Every view gets an observation, also when nothing stands in it: an empty observation is the
 * evidence that lets a violation clear. Frames older than the watermark are late: they go to the
 * late-event output instead of being dropped.
 */
public final class ZoneObservationExtractor extends ProcessFunction<CameraFrame, ZoneObservation> {
  private static final long serialVersionUID = 1L;

  private final BlockMaps blockMaps;
  private transient Map<String, List<WatchedZone>> viewsByCamera;
  private transient Counter lateFrames;
  private transient Counter unknownCameras;

  public ZoneObservationExtractor(BlockMaps blockMaps) {
    this.blockMaps = Objects.requireNonNull(blockMaps, "blockMaps");
  }

  private record WatchedZone(String zoneId, Polygon polygon, PresenceRule rule) {}

  @Override
  public void open(OpenContext openContext) {
    viewsByCamera = new HashMap<>();
    for (BlockMap block : blockMaps.all()) {
      for (Camera camera : block.cameras()) {
        List<WatchedZone> watched = new ArrayList<>();
        for (CameraView view : camera.views()) {
          Zone zone = block.zone(view.zone()).orElseThrow();
          PresenceRule.forZone(block, zone)
              .ifPresent(rule -> watched.add(new WatchedZone(zone.id(), view.polygon(), rule)));
        }
        viewsByCamera.put(block.id() + "/" + camera.id(), watched);
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
        Sighting sighting =
            new Sighting(
                object.getTrack(),
                object.getCls(),
                object.getConf(),
                object.getBox().getX(),
                object.getBox().getY(),
                object.getBox().getW(),
                object.getBox().getH());
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
  }
}

package io.streetsense.detectors.presence;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.Polygon;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.detectors.parking.OverflowRule;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The per-frame zone extraction of {@link ZoneObservationExtractor}, free of Flink: a camera frame
 * becomes one {@link ZoneObservation} per zone the camera views and a presence rule applies to (the
 * objects of the rule's classes whose ground point stands inside the view's polygon), and one per
 * view of a no-parking zone that belongs to a parking zone's overflow rule (its vehicles). Both
 * also when empty: an empty observation is the evidence that the zone is clear.
 *
 * <p>The job's extractor and {@code streetsense explain} (package {@code
 * io.streetsense.detectors.explain}) both use it, so the replay sees exactly what the job sees.
 */
public final class FrameZones {
  private record WatchedZone(String zoneId, Polygon polygon, PresenceRule rule) {}

  private final Map<String, List<WatchedZone>> viewsByCamera = new HashMap<>();
  private final Map<String, List<CameraView>> noParkingViewsByCamera = new HashMap<>();

  public FrameZones(BlockMaps blockMaps) {
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
  }

  /** Whether the frame's camera is in the block maps. */
  public boolean knows(CameraFrame frame) {
    return viewsByCamera.containsKey(frame.getBlockId() + "/" + frame.getCameraId());
  }

  /**
   * One observation per presence zone the frame's camera views, in the camera's view order; empty
   * for a camera not in the block maps (see {@link #knows}).
   */
  public List<ZoneObservation> presence(CameraFrame frame) {
    long eventTime = frame.getEventTime().toEpochMilli();
    List<ZoneObservation> observations = new ArrayList<>();
    for (WatchedZone zone :
        viewsByCamera.getOrDefault(frame.getBlockId() + "/" + frame.getCameraId(), List.of())) {
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
      observations.add(
          new ZoneObservation(
              frame.getBlockId(),
              zone.zoneId(),
              frame.getCameraId(),
              eventTime,
              frame.getFrame(),
              sightings));
    }
    return observations;
  }

  /**
   * One observation per overflow kerb the frame's camera views, with the vehicles standing in it.
   */
  public List<ZoneObservation> noParking(CameraFrame frame) {
    long eventTime = frame.getEventTime().toEpochMilli();
    List<ZoneObservation> observations = new ArrayList<>();
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
      observations.add(
          new ZoneObservation(
              frame.getBlockId(),
              view.zone(),
              frame.getCameraId(),
              eventTime,
              frame.getFrame(),
              vehicles));
    }
    return observations;
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

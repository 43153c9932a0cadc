package io.streetsense.detectors.presence;

import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Camera frames for the presence detector's harness tests, from the sightings they carry. */
final class CameraFrames {
  private CameraFrames() {}

  /** A frame of {@code camera} at {@code eventTime} showing these objects (boxes as given). */
  static CameraFrame frame(
      String block, String camera, long eventTime, long frame, List<Sighting> sightings) {
    List<DetectedObject> objects = new ArrayList<>();
    for (Sighting s : sightings) {
      objects.add(
          DetectedObject.newBuilder()
              .setTrack(s.track)
              .setCls(s.cls)
              .setConf(s.conf)
              .setBox(new Box(s.boxX, s.boxY, s.boxW, s.boxH))
              .build());
    }
    return CameraFrame.newBuilder()
        .setBlockId(block)
        .setCameraId(camera)
        .setEventTime(Instant.ofEpochMilli(eventTime))
        .setFrame(frame)
        .setObjects(objects)
        .setReceivedAt(Instant.ofEpochMilli(eventTime + 40))
        .build();
  }
}

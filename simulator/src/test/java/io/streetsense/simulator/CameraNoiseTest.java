package io.streetsense.simulator;

import static java.time.Duration.ofMinutes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CameraNoiseTest {

  private static List<List<Frames.Obj>> stallFrames(CameraNoise noise) {
    StreetScenario s =
        StreetScenario.builder(TestMaps.jiashan())
            .background(Background.NONE)
            .noise(noise)
            .event(new IllegalStall("JS-Z-NV1", "JS-C-01", ofMinutes(0), ofMinutes(30), "stall"))
            .build();
    return s.messages()
        .filter(m -> m.deviceId().equals("JS-C-01"))
        .map(m -> Frames.objects(Frames.parse(m)))
        .toList();
  }

  @Test
  void withoutNoiseTheStallIsInEveryFrameUnderOneTrack() {
    List<List<Frames.Obj>> frames = stallFrames(CameraNoise.NONE);
    assertEquals(1800, frames.size());
    Set<String> tracks = new HashSet<>();
    Set<String> boxes = new HashSet<>();
    for (List<Frames.Obj> f : frames) {
      assertEquals(1, f.size());
      tracks.add(f.get(0).track());
      boxes.add(f.get(0).x() + "," + f.get(0).y() + "," + f.get(0).w() + "," + f.get(0).h());
    }
    assertEquals(1, tracks.size());
    assertEquals(1, boxes.size(), "no jitter");
  }

  @Test
  void missedFramesDropTheConfiguredShare() {
    List<List<Frames.Obj>> frames = stallFrames(CameraNoise.NONE.withMissRate(0.2));
    long seen = frames.stream().filter(f -> !f.isEmpty()).count();
    assertEquals(0.8, seen / 1800.0, 0.04);
  }

  @Test
  void idSwitchesGiveTheStallNewTracks() {
    List<List<Frames.Obj>> frames = stallFrames(CameraNoise.NONE.withIdSwitchRate(0.01));
    Set<String> tracks = new HashSet<>();
    frames.forEach(f -> f.forEach(o -> tracks.add(o.track())));
    assertTrue(tracks.size() > 5 && tracks.size() < 60, tracks.size() + " tracks");
  }

  @Test
  void backgroundPassersByMove() {
    StreetScenario s =
        StreetScenario.builder(TestMaps.jiashan())
            .noise(CameraNoise.NONE)
            .background(new Background(6, 2, 1))
            .build();
    Set<String> classes = new HashSet<>();
    s.messages()
        .filter(m -> m.kind() == DeviceMessage.Kind.CAMERA)
        .forEach(m -> Frames.objects(Frames.parse(m)).forEach(o -> classes.add(o.cls())));
    assertEquals(Set.of("person", "vehicle", "bicycle"), classes);
  }
}

package io.streetsense.detectors;

import io.streetsense.schemas.Box;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DetectedObject;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.SensorMessageKind;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToLongFunction;

/**
 * A recorded 25 minutes of jiashan-lane (Monday 10:00 local), built without the simulator: camera
 * frames once a second and berth sensor messages, with noise (20 % of frames miss each object, a
 * tracker id switch, vehicle boxes jittering, a duplicate sensor message), and the ground truth it
 * contains:
 *
 * <ul>
 *   <li>a stall in the no-vending lane JS-Z-NV1, seen by JS-C-01, from 100 s to 700 s;
 *   <li>JS-Z-P1 full from 10 s and two cars on its kerb JS-Z-NP1 (JS-C-03) from 60 s to 1000 s:
 *       parking overflow, with JS-Z-P2 (2 of 4 free) as the alternative;
 *   <li>goods in front of JS-S-01 for 2 minutes only (under the 5 min dwell): nothing;
 *   <li>JS-C-02 offline from 900 s to 1000 s.
 * </ul>
 */
final class JiashanStreet {
  static final String BLOCK = "jiashan-lane";
  static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();
  static final int SECONDS = 1500;

  final List<CameraFrame> frames = new ArrayList<>();
  final List<ParkingSensorEvent> parking = new ArrayList<>();

  JiashanStreet() {
    Random noise = new Random(2026);
    for (int s = 0; s < SECONDS; s++) {
      List<DetectedObject> c1 = new ArrayList<>();
      if (s >= 100 && s < 700 && noise.nextDouble() > 0.2) {
        c1.add(object(s < 400 ? "17" : "18", "stall", 0.50, 0.90, 0.08, 0.10));
      }
      if (s >= 200 && s < 320 && noise.nextDouble() > 0.2) {
        c1.add(object("40", "goods", 0.12, 0.70, 0.06, 0.05)); // frontage JS-Z-F01
      }
      if (noise.nextDouble() > 0.5) {
        c1.add(object("p" + s / 20, "person", 0.05 + 0.0006 * s, 0.95, 0.03, 0.12));
      }
      frames.add(frame("JS-C-01", s, c1));

      if (s < 900 || s >= 1000) {
        frames.add(frame("JS-C-02", s, List.of()));
      }

      List<DetectedObject> c3 = new ArrayList<>();
      if (s >= 60 && s < 1000) {
        if (noise.nextDouble() > 0.2) {
          c3.add(object("31", "vehicle", 0.70 + jitter(noise), 0.80 + jitter(noise), 0.12, 0.10));
        }
        if (noise.nextDouble() > 0.2) {
          c3.add(object("32", "vehicle", 0.88 + jitter(noise), 0.82 + jitter(noise), 0.12, 0.10));
        }
      }
      frames.add(frame("JS-C-03", s, c3));
    }

    Map<String, Long> seqs = new HashMap<>();
    for (int s = 10; s < SECONDS; s += 600) {
      SensorMessageKind kind = s == 10 ? SensorMessageKind.CHANGE : SensorMessageKind.HEARTBEAT;
      for (int n = 1; n <= 12; n++) {
        boolean occupied = n <= 8 || n <= 10; // P1 full; P2 berths 9, 10 taken, 11, 12 free
        parking.add(sensor(seqs, n, s + n % 3, occupied, kind));
      }
    }
    parking.add(sensor(seqs, 11, 800, true, SensorMessageKind.CHANGE)); // P2: one free left
    parking.add(parking.get(parking.size() - 1)); // redelivered after a reconnect
    frames.sort(Comparator.comparingLong(f -> f.getEventTime().toEpochMilli()));
    parking.sort(Comparator.comparingLong(e -> e.getEventTime().toEpochMilli()));
  }

  /** A box's bottom edge jitters by up to half a percent of the image between frames. */
  private static double jitter(Random noise) {
    return (noise.nextDouble() - 0.5) * 0.01;
  }

  private static DetectedObject object(
      String track, String cls, double groundX, double groundY, double w, double h) {
    return new DetectedObject(track, cls, 0.9, new Box(groundX - w / 2, groundY - h, w, h));
  }

  private static CameraFrame frame(String camera, int second, List<DetectedObject> objects) {
    // Cameras are not in step: each has its own offset within the second.
    long time = T0 + second * 1000L + (camera.hashCode() & 0x1ff);
    return CameraFrame.newBuilder()
        .setBlockId(BLOCK)
        .setCameraId(camera)
        .setEventTime(Instant.ofEpochMilli(time))
        .setFrame(100_000L + second)
        .setObjects(new ArrayList<>(objects))
        .setReceivedAt(Instant.ofEpochMilli(time + 40))
        .build();
  }

  private static ParkingSensorEvent sensor(
      Map<String, Long> seqs, int n, int second, boolean occupied, SensorMessageKind kind) {
    String id = String.format("JS-P-%02d", n);
    long time = T0 + second * 1000L + 250;
    return ParkingSensorEvent.newBuilder()
        .setBlockId(BLOCK)
        .setSensorId(id)
        .setZoneId(n <= 8 ? "JS-Z-P1" : "JS-Z-P2")
        .setEventTime(Instant.ofEpochMilli(time))
        .setSeq(seqs.merge(id, 1L, Long::sum))
        .setOccupied(occupied)
        .setKind(kind)
        .setBatteryV(3.6)
        .setReceivedAt(Instant.ofEpochMilli(time + 300))
        .build();
  }

  /** Shuffles inside consecutive windows of {@code millis}: out of order, within the bound. */
  static <T> List<T> shuffledWithin(
      List<T> input, long millis, ToLongFunction<T> time, Random random) {
    List<T> out = new ArrayList<>();
    List<T> chunk = new ArrayList<>();
    long chunkStart = Long.MIN_VALUE;
    for (T event : input) {
      if (chunkStart == Long.MIN_VALUE || time.applyAsLong(event) - chunkStart >= millis) {
        Collections.shuffle(chunk, random);
        out.addAll(chunk);
        chunk.clear();
        chunkStart = time.applyAsLong(event);
      }
      chunk.add(event);
    }
    Collections.shuffle(chunk, random);
    out.addAll(chunk);
    return out;
  }
}

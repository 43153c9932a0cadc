package io.streetsense.simulator.internal;

import io.streetsense.blockmap.Camera;
import io.streetsense.blockmap.CameraView;
import io.streetsense.blockmap.ImagePoint;
import io.streetsense.simulator.Background;
import io.streetsense.simulator.CameraNoise;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.internal.Payloads.DetectedObject;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * One street camera: a frame every second (also when nothing is in view), with the scripted objects
 * of its views (standing, or moving along a route) and background passers-by, through the camera's
 * noise (missed detections, tracker id switches, confidence and box jitter).
 */
public final class CameraStream implements Iterator<DeviceMessage> {
  private static final long FRAME_MILLIS = 1_000;

  private final String blockId;
  private final String cameraId;
  private final String topic;
  private final ZoneId timezone;
  private final Random random;
  private final CameraNoise noise;
  private final Background background;
  private final Instant end;
  private final double bandTop;
  private final double bandBottom;

  private final List<StandingObject> standing;
  private final Track[] standingTracks;
  private final List<List<Interval>> hidden;
  private final List<Interval> outages;
  private final List<Mover> movers = new ArrayList<>();

  private Instant nextFrame;
  private long frame;
  private long nextTrackId;
  private Instant nextPedestrian;
  private Instant nextVehicle;
  private Instant nextCyclist;

  /** A tracker id that may change under an id switch. */
  private static final class Track {
    String id;

    Track(String id) {
      this.id = id;
    }
  }

  /** A background object moving straight through the view at constant speed. */
  private record Mover(
      String cls,
      Track track,
      Instant t0,
      long durationMillis,
      double x0,
      double y0,
      double x1,
      double y1,
      double width,
      double height,
      double conf) {}

  public CameraStream(
      String blockId,
      Camera camera,
      ZoneId timezone,
      Random random,
      CameraNoise noise,
      Background background,
      List<StandingObject> standing,
      Instant start,
      Instant end) {
    this(
        blockId,
        camera,
        timezone,
        random,
        noise,
        background,
        standing,
        Collections.nCopies(standing.size(), List.of()),
        List.of(),
        start,
        end);
  }

  /**
   * @param hidden per standing object (same order), the spans in which something hides it from this
   *     camera (it is then not reported at all)
   * @param outages spans in which the camera sends no frame, sorted
   */
  public CameraStream(
      String blockId,
      Camera camera,
      ZoneId timezone,
      Random random,
      CameraNoise noise,
      Background background,
      List<StandingObject> standing,
      List<List<Interval>> hidden,
      List<Interval> outages,
      Instant start,
      Instant end) {
    this.hidden = List.copyOf(hidden);
    this.outages = List.copyOf(outages);
    if (this.hidden.size() != standing.size()) {
      throw new IllegalArgumentException("one list of hidden spans per standing object");
    }
    this.blockId = blockId;
    this.cameraId = camera.id();
    this.topic = DeviceMessage.topicOf(blockId, DeviceMessage.Kind.CAMERA, cameraId);
    this.timezone = timezone;
    this.random = random;
    this.noise = noise;
    this.background = background;
    this.end = end;
    this.standing = List.copyOf(standing);
    this.standingTracks = new Track[standing.size()];

    // Passers-by walk along the band of the image the camera's zones cover (the street).
    double top = 1;
    double bottom = 0;
    for (CameraView view : camera.views()) {
      for (ImagePoint p : view.polygon().points()) {
        top = Math.min(top, p.y());
        bottom = Math.max(bottom, p.y());
      }
    }
    this.bandTop = Math.max(top, 0.15);
    this.bandBottom = Math.max(bottom, bandTop);

    this.nextFrame = start.plusMillis(random.nextInt((int) FRAME_MILLIS));
    this.frame = 1 + random.nextInt(10_000_000);
    this.nextTrackId = 1 + random.nextInt(1_000);
    this.nextPedestrian = arrivalAfter(start, background.pedestriansPerMinute());
    this.nextVehicle = arrivalAfter(start, background.vehiclesPerMinute());
    this.nextCyclist = arrivalAfter(start, background.cyclistsPerMinute());
    skipOutages();
  }

  /** Moves the next frame past any outage it falls in, keeping the camera's frame phase. */
  private void skipOutages() {
    for (Interval outage : outages) {
      if (outage.contains(nextFrame)) {
        long gap = outage.to().toEpochMilli() - nextFrame.toEpochMilli();
        long frames = (gap + FRAME_MILLIS - 1) / FRAME_MILLIS;
        nextFrame = nextFrame.plusMillis(frames * FRAME_MILLIS);
        frame += frames; // the camera's frame counter runs on while nothing gets through
      }
    }
  }

  @Override
  public boolean hasNext() {
    return nextFrame.isBefore(end);
  }

  /** The event time of the next frame. */
  public Instant nextTime() {
    return nextFrame;
  }

  @Override
  public DeviceMessage next() {
    if (!hasNext()) {
      throw new NoSuchElementException(cameraId + " has nothing more before " + end);
    }
    Instant t = nextFrame;
    spawnPassersBy(t);
    List<DetectedObject> objects = new ArrayList<>();
    for (int i = 0; i < standing.size(); i++) {
      StandingObject s = standing.get(i);
      if (s.when().contains(t)) {
        if (standingTracks[i] == null) {
          standingTracks[i] = newTrack();
        }
        double[] ground = s.groundAt(t);
        if (isHidden(i, t)) {
          // Hidden behind a bus: no detection; draw the same numbers as a detection would.
          detect(null, standingTracks[i], s.cls(), ground[0], ground[1], s.width(), s.height(), 0);
          continue;
        }
        detect(
            objects,
            standingTracks[i],
            s.cls(),
            ground[0],
            ground[1],
            s.width(),
            s.height(),
            s.conf());
      }
    }
    for (Iterator<Mover> it = movers.iterator(); it.hasNext(); ) {
      Mover m = it.next();
      double u = (t.toEpochMilli() - m.t0().toEpochMilli()) / (double) m.durationMillis();
      if (u > 1) {
        it.remove();
        continue;
      }
      double gx = m.x0() + u * (m.x1() - m.x0());
      double gy = m.y0() + u * (m.y1() - m.y0());
      double scale = 0.6 + 0.6 * gy;
      detect(
          objects,
          m.track(),
          m.cls(),
          gx,
          gy,
          m.width() * scale,
          Math.min(m.height() * scale, gy),
          m.conf());
    }
    boolean iso = (frame & 1) == 0;
    byte[] payload = Payloads.camera(cameraId, t, iso, timezone, frame, objects);
    frame++;
    nextFrame = t.plusMillis(FRAME_MILLIS);
    skipOutages();
    return new DeviceMessage(topic, payload, t, blockId, cameraId, DeviceMessage.Kind.CAMERA);
  }

  /** Reports one object through the camera's noise. */
  private void detect(
      List<DetectedObject> out,
      Track track,
      String cls,
      double gx,
      double gy,
      double w,
      double h,
      double conf) {
    // Draw the same numbers whatever the knobs, so one knob does not reshuffle the others.
    double miss = random.nextDouble();
    double idSwitch = random.nextDouble();
    double dx = (2 * random.nextDouble() - 1) * noise.boxJitter();
    double dy = (2 * random.nextDouble() - 1) * noise.boxJitter();
    double dConf = random.nextGaussian() * noise.confJitter();
    if (idSwitch < noise.idSwitchRate()) {
      track.id = newTrack().id;
    }
    if (miss < noise.missRate() || out == null) {
      return;
    }
    double x0 = Math.max(0, gx + dx - w / 2);
    double x1 = Math.min(1, gx + dx + w / 2);
    double y1 = Math.min(1, gy + dy);
    double y0 = Math.max(0, y1 - h);
    if (x1 - x0 < 0.005 || y1 - y0 < 0.005) {
      return; // out of the picture
    }
    double c = Math.max(0.05, Math.min(0.99, conf + dConf));
    out.add(new DetectedObject(track.id, cls, c, new double[] {x0, y0, x1 - x0, y1 - y0}));
  }

  private boolean isHidden(int i, Instant t) {
    for (Interval span : hidden.get(i)) {
      if (span.contains(t)) {
        return true;
      }
    }
    return false;
  }

  private void spawnPassersBy(Instant t) {
    while (nextPedestrian != null && !nextPedestrian.isAfter(t)) {
      movers.add(mover("person", nextPedestrian, 15_000, 40_000, bandTop, bandBottom, 0.6, 0.95));
      nextPedestrian = arrivalAfter(nextPedestrian, background.pedestriansPerMinute());
    }
    while (nextVehicle != null && !nextVehicle.isAfter(t)) {
      double mid = (bandTop + bandBottom) / 2;
      movers.add(mover("vehicle", nextVehicle, 4_000, 10_000, mid, bandBottom, 0.7, 0.97));
      nextVehicle = arrivalAfter(nextVehicle, background.vehiclesPerMinute());
    }
    while (nextCyclist != null && !nextCyclist.isAfter(t)) {
      movers.add(mover("bicycle", nextCyclist, 8_000, 15_000, bandTop, bandBottom, 0.55, 0.9));
      nextCyclist = arrivalAfter(nextCyclist, background.cyclistsPerMinute());
    }
  }

  private Mover mover(
      String cls,
      Instant t0,
      long minMillis,
      long maxMillis,
      double yLo,
      double yHi,
      double confLo,
      double confHi) {
    boolean leftToRight = random.nextBoolean();
    double y0 = yLo + random.nextDouble() * (yHi - yLo);
    double y1 = Math.max(yLo, Math.min(yHi, y0 + random.nextGaussian() * 0.02));
    long duration = minMillis + (long) (random.nextDouble() * (maxMillis - minMillis));
    double[] size = Placement.size(cls);
    double conf = confLo + random.nextDouble() * (confHi - confLo);
    return new Mover(
        cls,
        newTrack(),
        t0,
        duration,
        leftToRight ? 0 : 1,
        y0,
        leftToRight ? 1 : 0,
        y1,
        size[0],
        size[1],
        conf);
  }

  private Instant arrivalAfter(Instant t, double perMinute) {
    if (perMinute <= 0) {
      return null;
    }
    double minutes = -Math.log(1 - random.nextDouble()) / perMinute;
    return t.plusMillis(1 + (long) (minutes * 60_000));
  }

  private Track newTrack() {
    return new Track(Long.toString(nextTrackId++));
  }
}

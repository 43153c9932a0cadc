package io.streetsense.detectors.explain;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.TimeWindow;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.parking.OverflowRule;
import io.streetsense.detectors.parking.OverflowTracker;
import io.streetsense.detectors.presence.FrameZones;
import io.streetsense.detectors.presence.PresenceRule;
import io.streetsense.detectors.presence.PresenceTracker;
import io.streetsense.detectors.presence.ZoneObservation;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Why a zone's rule did (not) file an order: replays the zone's device records through the same
 * decision code the job runs ({@link FrameZones}, {@link PresenceTracker}, {@link
 * OverflowTracker}), in the job's order, and says how the rule's condition went over time.
 *
 * <pre>{@code
 * ZoneExplainer explainer = new ZoneExplainer(block, "JS-Z-NV1", DetectorConfig.defaults(),
 *     from, to, Duration.ofMinutes(1));
 * records.forEach(explainer::offer);            // any order; from explainer.replayFrom() on
 * System.out.print(explainer.explain().toText());
 * }</pre>
 *
 * <p>Records are applied in event-time order with the detectors' tie-breaks: camera frames by
 * (camera, frame) at one instant, sensor messages by (sensor, seq) and before camera views.
 * Duplicates are dropped, as the de-duplication stage upstream of the job's detectors does: a
 * camera frame whose (camera, frame) was already offered, a sensor message whose (sensor, seq) was.
 * The job also drops records that reach it behind its watermark; a replay cannot know the arrival
 * order, so it uses them all.
 *
 * <p>The replay starts {@link #lookBack} before {@code from}, so the decision's state at {@code
 * from} is rebuilt: the longest dwell or clear time plus a margin, for overflow at least the time a
 * berth sensor stays online without a message (its state comes from its last message).
 */
public final class ZoneExplainer {
  /** Added to the rule's longest time when reading back from the window's start. */
  public static final Duration LOOK_BACK_MARGIN = Duration.ofMinutes(2);

  private static final DateTimeFormatter DAY_TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

  private final BlockMap block;
  private final Zone zone;
  private final DetectorConfig config;
  private final long from;
  private final long to;
  private final long every;
  private final long replayFrom;
  private final FrameZones frameZones;
  private final PresenceTracker presence;
  private final OverflowTracker overflow;
  private final Set<String> cameras = new TreeSet<>();
  private final List<CameraFrame> frames = new ArrayList<>();
  private final List<ParkingSensorEvent> sensors = new ArrayList<>();
  private int duplicateFrames;
  private int duplicateSensorMessages;

  /**
   * @throws IllegalArgumentException for a zone the block does not have, or one no rule decides on
   *     (a no-parking zone: its parking zone's overflow rule is named)
   */
  public ZoneExplainer(
      BlockMap block,
      String zoneId,
      DetectorConfig config,
      Instant from,
      Instant to,
      Duration every) {
    this.block = Objects.requireNonNull(block, "block");
    this.config = Objects.requireNonNull(config, "config");
    this.zone =
        block
            .zone(zoneId)
            .orElseThrow(
                () ->
                    new IllegalArgumentException("block " + block.id() + " has no zone " + zoneId));
    if (!to.isAfter(from)) {
      throw new IllegalArgumentException("--to must be after --from");
    }
    if (every.isNegative() || every.isZero()) {
      throw new IllegalArgumentException("--every must be positive");
    }
    this.from = from.toEpochMilli();
    this.to = to.toEpochMilli();
    this.every = every.toMillis();
    this.frameZones = new FrameZones(BlockMaps.of(block));
    this.presence =
        PresenceRule.forZone(block, zone)
            .map(
                rule ->
                    new PresenceTracker(
                        rule,
                        config.cameraOfflineAfter().toMillis(),
                        config.updateEvery().toMillis()))
            .orElse(null);
    OverflowTracker tracker =
        new OverflowTracker(
            block,
            config.cameraOfflineAfter().toMillis(),
            config.sensorOfflineAfter().toMillis(),
            config.updateEvery().toMillis());
    this.overflow = tracker.rule(zoneId) != null ? tracker : null;
    if (presence == null && overflow == null) {
      throw new IllegalArgumentException(noRule(block, zone));
    }
    if (presence != null) {
      block.camerasViewing(zoneId).forEach(c -> cameras.add(c.id()));
    } else {
      for (String kerb : overflow.rule(zoneId).noParking()) {
        block.camerasViewing(kerb).forEach(c -> cameras.add(c.id()));
      }
    }
    this.replayFrom = this.from - lookBack(block, zoneId, config).toMillis();
  }

  private static String noRule(BlockMap block, Zone zone) {
    String kind = zone.kind().yamlName();
    if (zone.kind() == ZoneKind.NO_PARKING) {
      for (OverflowRule rule : OverflowRule.forBlock(block)) {
        if (rule.noParking().contains(zone.id())) {
          return "zone "
              + zone.id()
              + " is a no_parking kerb: its vehicles count in the overflow rule of parking zone "
              + rule.zoneId()
              + "; explain that zone";
        }
      }
    }
    return "zone "
        + zone.id()
        + " ("
        + kind
        + ") has no rule that files orders: presence rules apply to no_vending, market and"
        + " frontage zones, the overflow rule to parking zones with no_parking kerbs";
  }

  /**
   * How far before the window's start the replay must begin to rebuild the decision's state: the
   * rule's longest dwell or clear time plus {@link #LOOK_BACK_MARGIN}; for an overflow rule at
   * least the time a berth sensor stays online without a message.
   */
  public static Duration lookBack(BlockMap block, String zoneId, DetectorConfig config) {
    Zone zone = block.zone(zoneId).orElseThrow();
    Duration longest = Duration.ZERO;
    var rule = PresenceRule.forZone(block, zone);
    if (rule.isPresent()) {
      longest = max(rule.get().dwell(), rule.get().clearFor());
    }
    for (OverflowRule overflow : OverflowRule.forBlock(block)) {
      if (overflow.zoneId().equals(zoneId)) {
        longest = max(max(overflow.dwell(), overflow.clearFor()), config.sensorOfflineAfter());
      }
    }
    return longest.plus(LOOK_BACK_MARGIN);
  }

  /** "SAT,SUN 16:00-21:00; FRI 18:00-22:00", in the block's local time. */
  private static String windows(List<TimeWindow> windows) {
    List<String> texts = new ArrayList<>();
    for (TimeWindow window : windows) {
      List<String> days = new ArrayList<>();
      for (DayOfWeek day : DayOfWeek.values()) {
        if (window.days().contains(day)) {
          days.add(day.name().substring(0, 3));
        }
      }
      texts.add(String.join(",", days) + " " + window.from() + "-" + window.to());
    }
    return String.join("; ", texts);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The earliest event time the replay uses. */
  public Instant replayFrom() {
    return Instant.ofEpochMilli(replayFrom);
  }

  /** The latest event time that can matter: the window's end plus the job's watermark bound. */
  public Instant replayTo() {
    return Instant.ofEpochMilli(to).plus(config.maxOutOfOrderness());
  }

  /** The cameras whose frames the zone's rule uses. */
  public Set<String> cameras() {
    return Set.copyOf(cameras);
  }

  /**
   * Offers a camera frame; kept when it is of the block, of a camera the rule uses and in the
   * replay's time range.
   */
  public boolean offer(CameraFrame frame) {
    long t = frame.getEventTime().toEpochMilli();
    if (!block.id().equals(frame.getBlockId())
        || !cameras.contains(frame.getCameraId())
        || t < replayFrom
        || t > replayTo().toEpochMilli()) {
      return false;
    }
    frames.add(frame);
    return true;
  }

  /**
   * Offers a berth sensor message; kept when the zone has an overflow rule that uses the sensor
   * (its own berths or its alternatives') and it is in the replay's time range.
   */
  public boolean offer(ParkingSensorEvent event) {
    long t = event.getEventTime().toEpochMilli();
    if (overflow == null
        || !block.id().equals(event.getBlockId())
        || !overflow.usesSensor(event.getSensorId())
        || t < replayFrom
        || t > replayTo().toEpochMilli()) {
      return false;
    }
    sensors.add(event);
    return true;
  }

  /** Replays what was offered and explains it. */
  public Explanation explain() {
    List<CameraFrame> orderedFrames = new ArrayList<>(frames);
    orderedFrames.sort(
        Comparator.comparingLong((CameraFrame f) -> f.getEventTime().toEpochMilli())
            .thenComparing(CameraFrame::getCameraId)
            .thenComparingLong(CameraFrame::getFrame));
    Set<String> seenFrames = new HashSet<>();
    duplicateFrames = 0;
    List<CameraFrame> uniqueFrames = new ArrayList<>();
    for (CameraFrame frame : orderedFrames) {
      if (seenFrames.add(frame.getCameraId() + "#" + frame.getFrame())) {
        uniqueFrames.add(frame);
      } else {
        duplicateFrames++;
      }
    }
    List<ParkingSensorEvent> orderedSensors = new ArrayList<>(sensors);
    orderedSensors.sort(
        Comparator.comparingLong((ParkingSensorEvent e) -> e.getEventTime().toEpochMilli())
            .thenComparing(ParkingSensorEvent::getSensorId)
            .thenComparingLong(ParkingSensorEvent::getSeq)
            .thenComparing(ParkingSensorEvent::getOccupied));
    Set<String> seenSeqs = new HashSet<>();
    duplicateSensorMessages = 0;
    List<ParkingSensorEvent> uniqueSensors = new ArrayList<>();
    for (ParkingSensorEvent event : orderedSensors) {
      if (seenSeqs.add(event.getSensorId() + "#" + event.getSeq())) {
        uniqueSensors.add(event);
      } else {
        duplicateSensorMessages++;
      }
    }

    Recorder recorder = new Recorder(from, to, every, block.timezone());
    List<String> header = new ArrayList<>();
    String window =
        DAY_TIME.format(Instant.ofEpochMilli(from).atZone(block.timezone()))
            + " – "
            + DAY_TIME.format(Instant.ofEpochMilli(to).atZone(block.timezone()))
            + " "
            + block.timezone().getId();
    String verdict;
    if (presence != null) {
      PresenceRule rule = presence.rule();
      header.add(
          "explain "
              + block.id()
              + " / "
              + zone.id()
              + " ("
              + zone.kind().yamlName()
              + ", "
              + rule.type()
              + (rule.shopId() == null ? "" : ", shop " + rule.shopId())
              + "), "
              + window);
      header.add(
          String.format(
              Locale.ROOT,
              "rule: %s with confidence >= %.2f standing within %.2f of one spot in >= %s of one"
                  + " camera's frames over the %s dwell; clears after %s seen clear; %s",
              String.join("/", new TreeSet<>(rule.classes())),
              rule.minConf(),
              rule.maxDrift(),
              Durations.percent(rule.presence()),
              Durations.of(rule.dwell()),
              Durations.of(rule.clearFor()),
              rule.allowedWindows().isEmpty()
                  ? "never legal"
                  : "legal " + windows(rule.allowedWindows())));
      header.add(
          "cameras: "
              + String.join(", ", cameras)
              + " (offline after "
              + Durations.of(config.cameraOfflineAfter())
              + " without a frame)");
      List<ZoneObservation> observations = new ArrayList<>();
      for (CameraFrame frame : uniqueFrames) {
        for (ZoneObservation observation : frameZones.presence(frame)) {
          if (observation.zoneId.equals(zone.id())) {
            observations.add(observation);
          }
        }
      }
      PresenceReplay replay =
          new PresenceReplay(
              presence, List.copyOf(cameras), config.cameraOfflineAfter().toMillis(), recorder);
      replay.run(observations);
      verdict = replay.verdict();
    } else {
      OverflowRule rule = overflow.rule(zone.id());
      header.add(
          "explain " + block.id() + " / " + zone.id() + " (parking, PARKING_OVERFLOW), " + window);
      header.add(
          String.format(
              Locale.ROOT,
              "rule: >= %d of %d berths occupied (online sensors) and >= %d vehicle(s) standing on"
                  + " %s (online cameras), both for the %s dwell; clears after %s seen false."
                  + " A vehicle counts after standing %s within %.2f, seen in >= %s of the"
                  + " frames, until unseen %s",
              rule.requiredOccupied(),
              rule.capacity(),
              rule.vehicles(),
              String.join(", ", rule.noParking()),
              Durations.of(rule.dwell()),
              Durations.of(rule.clearFor()),
              Durations.of(OverflowRule.VEHICLE_STANDING),
              OverflowRule.VEHICLE_MAX_DRIFT,
              Durations.percent(OverflowRule.VEHICLE_PRESENCE),
              Durations.of(OverflowRule.VEHICLE_GRACE)));
      header.add(
          "sensors: "
              + String.join(", ", rule.sensors())
              + " (offline after "
              + Durations.of(config.sensorOfflineAfter())
              + " silent); kerb cameras: "
              + String.join(", ", cameras));
      List<ZoneObservation> views = new ArrayList<>();
      for (CameraFrame frame : uniqueFrames) {
        for (ZoneObservation view : frameZones.noParking(frame)) {
          if (overflow.usesNoParkingZone(view.zoneId)) {
            views.add(view);
          }
        }
      }
      // The detector's same-time order of views: kerb, camera, frame.
      views.sort(
          Comparator.comparingLong((ZoneObservation o) -> o.eventTime)
              .thenComparing(o -> o.zoneId)
              .thenComparing(o -> o.cameraId)
              .thenComparingLong(o -> o.frame));
      Map<String, List<String>> kerbCameras = new HashMap<>();
      for (String kerb : rule.noParking()) {
        kerbCameras.put(kerb, block.camerasViewing(kerb).stream().map(c -> c.id()).toList());
      }
      OverflowReplay replay =
          new OverflowReplay(
              overflow, zone.id(), kerbCameras, config.cameraOfflineAfter().toMillis(), recorder);
      replay.run(uniqueSensors, views);
      verdict = replay.verdict();
    }
    header.add(
        String.format(
            Locale.ROOT,
            "replayed from %s: %d camera frames, %d sensor messages (%d duplicate frames, %d"
                + " duplicate sensor messages dropped)",
            DAY_TIME.format(Instant.ofEpochMilli(replayFrom).atZone(block.timezone())),
            uniqueFrames.size(),
            uniqueSensors.size(),
            duplicateFrames,
            duplicateSensorMessages));
    return new Explanation(
        block.id(),
        zone.id(),
        block.timezone(),
        Instant.ofEpochMilli(from),
        Instant.ofEpochMilli(to),
        header,
        List.copyOf(recorder.lines),
        List.copyOf(recorder.events),
        verdict);
  }
}

package io.streetsense.simulator;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.Zone;
import io.streetsense.blockmap.ZoneKind;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Ready-made scenarios, by name for the command line. */
public final class Scenarios {
  /** Length of the demo scenario. */
  public static final Duration DEMO_DURATION = Duration.ofMinutes(30);

  /** When the demo's stall arrives and leaves, from the scenario's start. */
  public static final Duration DEMO_STALL_FROM = Duration.ofMinutes(3);

  public static final Duration DEMO_STALL_TO = Duration.ofMinutes(13);

  /** From when the demo's parking zone is full (it fills in the 6 minutes before). */
  public static final Duration DEMO_FULL_FROM = Duration.ofMinutes(12);

  /** The names {@link #named} knows. */
  public static final List<String> NAMES = List.of("demo", "background");

  private Scenarios() {}

  /** {@link #demo(BlockMap, long, Duration)} with seed 1, 30 minutes. */
  public static StreetScenario demo(BlockMap block) {
    return demo(block, 1, DEMO_DURATION);
  }

  /** {@link #demo(BlockMap, long, Duration)} for 30 minutes. */
  public static StreetScenario demo(BlockMap block, long seed) {
    return demo(block, seed, DEMO_DURATION);
  }

  /**
   * The demo and end-to-end scenario: 30 simulated minutes of the whole block (every sensor and
   * camera, {@link Background#QUIET_LANE} passers-by, {@link CameraNoise#MILD} noise) at {@link
   * StreetScenario#DEFAULT_START} (move it with {@link StreetScenario#startingAt}), with:
   *
   * <ul>
   *   <li>one illegal {@code stall} standing from minute 3 to minute 13 in the block's first
   *       no-vending zone (map order) that a camera sees; it is seen by <em>every</em> camera with
   *       a view of that zone, each at its own place in its own view, because it is one physical
   *       stall on the street (on jiashan-lane: zone {@code JS-Z-NV1}, cameras {@code JS-C-01} and
   *       {@code JS-C-02}). The pipeline must report one violation for the zone, not one per
   *       camera; it opens after the rule's dwell (3 min on jiashan-lane, so at minute 6) and
   *       clears after the verify time once the stall has gone;
   *   <li>one parking zone filling up: the first parking zone that has a no-parking zone (else the
   *       first with sensors) runs at 60 % occupancy, its free berths fill in the 6 minutes before
   *       minute 12, and it stays full to the end of the scenario (on jiashan-lane: {@code
   *       JS-Z-P1}, 8 berths). No vehicles are scripted in its no-parking zone, so this is no
   *       parking overflow: the ground truth holds the stall only.
   * </ul>
   *
   * <p>A {@code duration} other than 30 minutes keeps these times; it must be longer than 13
   * minutes, and the parking zone stays full to its end.
   *
   * @throws IllegalArgumentException when no camera sees a no-vending zone of the block, or the
   *     duration is too short for the stall
   */
  public static StreetScenario demo(BlockMap block, long seed, Duration duration) {
    if (duration.compareTo(DEMO_STALL_TO) <= 0) {
      throw new IllegalArgumentException(
          "the demo scenario needs more than "
              + DEMO_STALL_TO
              + " of simulated time, got "
              + duration);
    }
    Zone noVending =
        block.zonesOfKind(ZoneKind.NO_VENDING).stream()
            .filter(z -> !block.camerasViewing(z.id()).isEmpty())
            .findFirst()
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "block "
                            + block.id()
                            + " ("
                            + block.source()
                            + ") has no no_vending zone seen by a camera: the demo needs one"));
    String cls =
        noVending.rules().illegalStall().classes().contains("stall")
            ? "stall"
            : noVending.rules().illegalStall().classes().iterator().next();
    StreetScenario.Builder builder =
        StreetScenario.builder(block)
            .seed(seed)
            .duration(duration)
            .noise(CameraNoise.MILD)
            .background(Background.QUIET_LANE)
            .event(IllegalStall.seenByAll(noVending.id(), DEMO_STALL_FROM, DEMO_STALL_TO, cls));
    fillingZone(block)
        .ifPresent(zone -> builder.event(new ZoneFull(zone.id(), DEMO_FULL_FROM, duration)));
    return builder.build();
  }

  /** Background street life only: sensors, cameras, passers-by; nothing scripted. */
  public static StreetScenario background(BlockMap block, long seed, Duration duration) {
    return StreetScenario.builder(block).seed(seed).duration(duration).build();
  }

  /**
   * {@link #scriptedDay(BlockMap, long, LocalDate, LocalTime, Duration)} for the whole of {@link
   * ScriptedDay#DEFAULT_DAY} (a Saturday), midnight to midnight local time.
   */
  public static StreetScenario scriptedDay(BlockMap block, long seed) {
    return scriptedDay(
        block, seed, ScriptedDay.DEFAULT_DAY, LocalTime.MIDNIGHT, Duration.ofDays(1));
  }

  /**
   * A day of street life with realistic noise and known ground truth, for measuring detection
   * accuracy: see {@link ScriptedDay} for what happens. The scenario covers {@code span} from
   * {@code from} local time on {@code day} (e.g. 06:00 for 18 hours, when a whole day is too much
   * to play); the script is written for the whole day and only the events that fit the window
   * entirely are kept.
   *
   * <p>Generating a day of lingyan-south (23 cameras) is about two million camera frames: play it
   * lazily through {@link StreetScenario#messages()}, never into a list.
   */
  public static StreetScenario scriptedDay(
      BlockMap block, long seed, LocalDate day, LocalTime from, Duration span) {
    return ScriptedDay.scenario(block, seed, day, from, span);
  }

  /**
   * A generated day of {@code block} for {@code seed}: a window of 4-6 hours at a seeded day and
   * time with every parameter drawn from a range; see {@link GeneratedDay}. What {@code
   * detection-accuracy --seeds} plays.
   */
  public static StreetScenario generatedDay(BlockMap block, long seed) {
    return GeneratedDay.scenario(block, seed);
  }

  /**
   * A scenario by name: {@code demo} or {@code background}, for {@code duration} of simulated time
   * ({@code null}: 30 minutes).
   *
   * @throws IllegalArgumentException for another name, listing the known ones
   */
  public static StreetScenario named(String name, BlockMap block, long seed, Duration duration) {
    Duration d = duration == null ? DEMO_DURATION : duration;
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "demo" -> demo(block, seed, d);
      case "background" -> background(block, seed, d);
      default ->
          throw new IllegalArgumentException(
              "unknown scenario '" + name + "'; expected one of " + NAMES);
    };
  }

  private static Optional<Zone> fillingZone(BlockMap block) {
    return block.zonesOfKind(ZoneKind.PARKING).stream()
        .filter(z -> !block.sensorsInZone(z.id()).isEmpty())
        .min(Comparator.comparing(z -> z.noParking().isEmpty()));
  }
}

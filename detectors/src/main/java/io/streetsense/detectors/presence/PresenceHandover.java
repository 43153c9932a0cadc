package io.streetsense.detectors.presence;

/**
 * State of the zone-keyed presence detector (released until 2026-12-06) on its way to the
 * block-keyed one after a restore: either one zone's {@link ZoneState} or one observation that was
 * waiting for the watermark. See {@link ZoneKeyedPresenceHandover}.
 *
 * <p>A Flink POJO.
 */
public final class PresenceHandover {
  public String blockId;
  public String zoneId;

  /** The zone's state, or null when this carries an observation. */
  public ZoneState state;

  /** An observation the old detector had buffered, or null when this carries a state. */
  public ZoneObservation observation;

  public PresenceHandover() {}

  static PresenceHandover ofState(String blockId, String zoneId, ZoneState state) {
    PresenceHandover handover = new PresenceHandover();
    handover.blockId = blockId;
    handover.zoneId = zoneId;
    handover.state = state;
    return handover;
  }

  static PresenceHandover ofObservation(ZoneObservation observation) {
    PresenceHandover handover = new PresenceHandover();
    handover.blockId = observation.blockId;
    handover.zoneId = observation.zoneId;
    handover.observation = observation;
    return handover;
  }

  /** The key of the block-keyed detector this goes to. */
  public String blockKey() {
    return blockId;
  }
}

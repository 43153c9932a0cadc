package io.streetsense.blockmap;

/**
 * The violation types (service codes) of the contract, aligned with GB/T 30428 event class 5. The
 * constant names are the YAML spelling and the Open311 {@code service_code}.
 */
public enum ViolationType {
  /** 店外经营: goods or furniture beyond a shop's doorway outside its permit hours. */
  OUT_OF_DOORWAY_TRADING,
  /** 占道经营: a stall standing in a no-vending zone, or in a market pitch outside its schedule. */
  ILLEGAL_STALL,
  /** 机动车乱停放: a parking zone at capacity while vehicles stand in its no-parking zones. */
  PARKING_OVERFLOW
}

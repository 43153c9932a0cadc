package io.streetsense.sinks.workorders;

import java.util.ArrayList;
import java.util.List;

/**
 * What the work-order operator remembers about an order key besides the open order itself. A Flink
 * POJO (public fields, no-arg constructor), so fields can be added with defaults and old savepoints
 * still restore.
 */
public final class LoopState {
  /** The violation is open at the detectors (OPENED/UPDATED seen, no CLEARED since). */
  public boolean violationActive;

  /** The violation id of the latest evidence: a new id after a clear means "again there". */
  public String violationId;

  /** Event time of the latest evidence (OPENED/UPDATED); Long.MIN_VALUE: none. */
  public long lastEvidenceAt = Long.MIN_VALUE;

  /** Event time of the latest CLEARED; Long.MIN_VALUE: none. */
  public long clearedAt = Long.MIN_VALUE;

  /** The accept deadline that has escalated (once per deadline); Long.MIN_VALUE: none. */
  public long escalatedAcceptBy = Long.MIN_VALUE;

  /** The resolve deadline that has escalated (once per deadline); Long.MIN_VALUE: none. */
  public long escalatedResolveBy = Long.MIN_VALUE;

  /** The verification check that has reported missing camera evidence; Long.MIN_VALUE: none. */
  public long reportedNoEvidenceAt = Long.MIN_VALUE;

  /** Event-time timers registered for this key, so they can all be deleted. */
  public List<Long> timers = new ArrayList<>();

  /** Action ids applied to this key's orders, oldest first, bounded. */
  public List<String> recentActionIds = new ArrayList<>();

  /** The last order of this key that reached a final status, while it is remembered. */
  public String closedOrderId;

  public String closedStatus;

  public long closedAt = Long.MIN_VALUE;

  /** When the memory of the closed order (and the whole state, without an open order) ends. */
  public long retainUntil = Long.MIN_VALUE;

  public LoopState() {}
}

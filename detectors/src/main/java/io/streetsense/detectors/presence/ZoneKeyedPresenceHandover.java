package io.streetsense.detectors.presence;

import io.streetsense.schemas.CameraFrame;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Carries the state of the presence detector as it was released until 2026-12-06 — keyed by zone,
 * uid {@code "presence-detector"} — over to the block-keyed {@link PresenceDetector} when a job is
 * upgraded from a savepoint or checkpoint of that shape. It holds that uid, so Flink restores the
 * old keyed state here; on the first watermark it emits every zone's {@link ZoneState} and every
 * observation that was waiting in the old buffer, keyed on to their block, and clears them. It
 * emits them before it forwards that watermark, so the block detector, which decides only when its
 * watermark passes a frame, has applied all of them before it decides on any frame: an open
 * violation goes on under its id, a partial dwell goes on counting. A job started fresh has nothing
 * here and the operator only forwards watermarks.
 *
 * <p>Its input carries no records, only the camera frames' watermarks (see {@code Detectors}).
 * Timers the old detector had registered fire here and do nothing: the observations they were for
 * have been handed over.
 */
public final class ZoneKeyedPresenceHandover extends AbstractStreamOperator<PresenceHandover>
    implements OneInputStreamOperator<CameraFrame, PresenceHandover>,
        Triggerable<String, VoidNamespace> {
  private static final long serialVersionUID = 1L;

  /** The old detector's state names and types, exactly as it registered them. */
  static final String ZONE_STATE = "zone";

  static final String PENDING_OBSERVATIONS = "pending-observations";
  static final String TIMERS = "user-timers";

  private transient ValueState<ZoneState> zoneState;
  private transient MapState<Long, List<ZoneObservation>> pending;
  private transient boolean handedOver;

  @Override
  public void initializeState(StateInitializationContext context) throws Exception {
    super.initializeState(context);
    zoneState =
        context
            .getKeyedStateStore()
            .getState(new ValueStateDescriptor<>(ZONE_STATE, TypeInformation.of(ZoneState.class)));
    pending =
        context
            .getKeyedStateStore()
            .getMapState(
                new MapStateDescriptor<>(
                    PENDING_OBSERVATIONS,
                    Types.LONG,
                    Types.LIST(TypeInformation.of(ZoneObservation.class))));
  }

  @Override
  public void open() throws Exception {
    super.open();
    // Registering the old timer service lets its restored timers fire (into onEventTime, below)
    // instead of being carried in every checkpoint for ever.
    getInternalTimerService(TIMERS, VoidNamespaceSerializer.INSTANCE, this);
  }

  @Override
  public void processElement(StreamRecord<CameraFrame> element) {
    // The input carries watermarks only.
  }

  @Override
  public void processWatermark(Watermark mark) throws Exception {
    if (!handedOver) {
      handOver();
      handedOver = true;
    }
    super.processWatermark(mark);
  }

  private void handOver() throws Exception {
    for (String zoneKey : keys(ZONE_STATE)) {
      setCurrentKey(zoneKey);
      ZoneState state = zoneState.value();
      if (state != null) {
        int slash = zoneKey.indexOf('/');
        output.collect(
            new StreamRecord<>(
                PresenceHandover.ofState(
                    zoneKey.substring(0, slash), zoneKey.substring(slash + 1), state)));
      }
      zoneState.clear();
    }
    for (String zoneKey : keys(PENDING_OBSERVATIONS)) {
      setCurrentKey(zoneKey);
      for (List<ZoneObservation> atTime : pending.values()) {
        for (ZoneObservation observation : atTime) {
          output.collect(new StreamRecord<>(PresenceHandover.ofObservation(observation)));
        }
      }
      pending.clear();
    }
  }

  /** The keys holding the named state, copied (the state is cleared while they are visited). */
  private List<String> keys(String state) {
    List<String> keys = new ArrayList<>();
    try (Stream<String> stream =
        this.<String>getKeyedStateBackend().getKeys(state, VoidNamespace.INSTANCE)) {
      stream.forEach(keys::add);
    }
    return keys;
  }

  @Override
  public void onEventTime(InternalTimer<String, VoidNamespace> timer) {
    // An old detector's timer: what it was for has been handed over.
  }

  @Override
  public void onProcessingTime(InternalTimer<String, VoidNamespace> timer) {}
}

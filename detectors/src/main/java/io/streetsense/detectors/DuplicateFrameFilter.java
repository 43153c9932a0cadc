package io.streetsense.detectors;

import io.streetsense.schemas.CameraFrame;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

/**
 * Drops a camera frame that has already been forwarded: the one place where duplicate frames are
 * removed, in front of every detector that reads frames (zone extraction for presence and parking
 * overflow, device health). Keyed by {@code blockId/cameraId}; a camera's frame number is the
 * frame's identity (the device contract: "the same camera and frame count once").
 *
 * <p>Copies are ordinary: MQTT QoS 1 redelivers after a reconnect, and a bridge stopped between
 * Kafka's acknowledgement and the device broker's forwards a frame again. A copy may arrive after
 * other frames, so the filter remembers the frame numbers it forwarded whose event time is still
 * ahead of the watermark. Anything at or behind the watermark is late downstream anyway (the
 * extractor sends it to the dead letters), so a frame is forgotten once the watermark passes it and
 * the state stays a few seconds of one camera's frames. Late frames pass through untouched so that
 * the extractor can dead-letter them.
 *
 * <p>This runs before the event-time buffers, so it decides by arrival: of two copies the first to
 * arrive is forwarded. Copies are byte-identical, so which one does not matter.
 */
public final class DuplicateFrameFilter
    extends KeyedProcessFunction<String, CameraFrame, CameraFrame> {
  private static final long serialVersionUID = 1L;

  /**
   * Most frames remembered per camera. At one frame a second this is over half an hour of watermark
   * lag; beyond it the oldest are forgotten first (a copy of one of those would pass).
   */
  static final int MAX_REMEMBERED = 2048;

  private transient ValueState<RecentFrames> recent;
  private transient Counter duplicateFrames;

  /** The key the filter partitions frames by: one camera of one block. */
  public static String cameraKey(CameraFrame frame) {
    return frame.getBlockId() + "/" + frame.getCameraId();
  }

  @Override
  public void open(OpenContext openContext) {
    recent =
        getRuntimeContext()
            .getState(
                new ValueStateDescriptor<>(
                    "recent-frames", TypeInformation.of(RecentFrames.class)));
    duplicateFrames = getRuntimeContext().getMetricGroup().counter("duplicateFrames");
  }

  @Override
  public void processElement(CameraFrame frame, Context ctx, Collector<CameraFrame> out)
      throws Exception {
    long watermark = ctx.timerService().currentWatermark();
    long eventTime = frame.getEventTime().toEpochMilli();
    if (eventTime <= watermark) {
      out.collect(frame); // late: the extractor dead-letters it
      return;
    }
    RecentFrames frames = recent.value();
    if (frames == null) {
      frames = new RecentFrames();
    }
    frames.forgetUpTo(watermark);
    if (frames.contains(frame.getFrame())) {
      duplicateFrames.inc();
      recent.update(frames);
      return;
    }
    frames.remember(frame.getFrame(), eventTime, MAX_REMEMBERED);
    recent.update(frames);
    out.collect(frame);
  }

  /**
   * Frame numbers forwarded for one camera with their event times, in arrival order. A Flink POJO
   * of two primitive arrays: a few bytes per frame, no Kryo.
   */
  public static final class RecentFrames {
    public long[] frames = new long[8];
    public long[] eventTimes = new long[8];
    public int size;

    public RecentFrames() {}

    boolean contains(long frame) {
      for (int i = size - 1; i >= 0; i--) {
        if (frames[i] == frame) {
          return true;
        }
      }
      return false;
    }

    void remember(long frame, long eventTime, int max) {
      if (size == max) {
        forgetOldest();
      }
      if (size == frames.length) {
        frames = java.util.Arrays.copyOf(frames, size * 2);
        eventTimes = java.util.Arrays.copyOf(eventTimes, size * 2);
      }
      frames[size] = frame;
      eventTimes[size] = eventTime;
      size++;
    }

    /** Forgets every frame whose event time the watermark has reached. */
    void forgetUpTo(long watermark) {
      int kept = 0;
      for (int i = 0; i < size; i++) {
        if (eventTimes[i] > watermark) {
          frames[kept] = frames[i];
          eventTimes[kept] = eventTimes[i];
          kept++;
        }
      }
      size = kept;
    }

    private void forgetOldest() {
      int oldest = 0;
      for (int i = 1; i < size; i++) {
        if (eventTimes[i] < eventTimes[oldest]) {
          oldest = i;
        }
      }
      System.arraycopy(frames, oldest + 1, frames, oldest, size - oldest - 1);
      System.arraycopy(eventTimes, oldest + 1, eventTimes, oldest, size - oldest - 1);
      size--;
    }
  }
}

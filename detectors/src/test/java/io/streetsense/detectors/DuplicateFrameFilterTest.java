package io.streetsense.detectors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streetsense.schemas.CameraFrame;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DuplicateFrameFilterTest {
  private static final long T0 = Instant.parse("2026-11-23T02:00:00Z").toEpochMilli();

  private KeyedOneInputStreamOperatorTestHarness<String, CameraFrame, CameraFrame> harness;

  @BeforeEach
  void setUp() throws Exception {
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new DuplicateFrameFilter()),
            DuplicateFrameFilter::cameraKey,
            Types.STRING);
    harness.open();
  }

  @AfterEach
  void tearDown() throws Exception {
    harness.close();
  }

  private static CameraFrame frame(String camera, long number, long second) {
    return CameraFrame.newBuilder()
        .setBlockId("jiashan-lane")
        .setCameraId(camera)
        .setEventTime(Instant.ofEpochMilli(T0 + second * 1000))
        .setFrame(number)
        .setObjects(new ArrayList<>())
        .setReceivedAt(Instant.ofEpochMilli(T0 + second * 1000 + 40))
        .build();
  }

  private void send(CameraFrame frame) throws Exception {
    harness.processElement(new StreamRecord<>(frame, frame.getEventTime().toEpochMilli()));
  }

  private List<String> forwarded() {
    List<String> out = new ArrayList<>();
    for (CameraFrame frame : harness.extractOutputValues()) {
      out.add(frame.getCameraId() + "#" + frame.getFrame());
    }
    return out;
  }

  @Test
  void aCopyArrivingLater_isDropped_othersCamerasSameNumber_pass() throws Exception {
    send(frame("JS-C-01", 1, 0));
    send(frame("JS-C-01", 2, 1));
    send(frame("JS-C-02", 1, 0)); // another camera's frame 1 is another frame
    send(frame("JS-C-01", 3, 2));
    send(frame("JS-C-01", 2, 1)); // redelivered after frame 3
    send(frame("JS-C-01", 1, 0));
    send(frame("JS-C-02", 1, 0));

    assertEquals(List.of("JS-C-01#1", "JS-C-01#2", "JS-C-02#1", "JS-C-01#3"), forwarded());
  }

  @Test
  void framesOutOfOrder_allPass_once() throws Exception {
    send(frame("JS-C-01", 3, 2));
    send(frame("JS-C-01", 1, 0));
    send(frame("JS-C-01", 2, 1));
    send(frame("JS-C-01", 3, 2));
    assertEquals(List.of("JS-C-01#3", "JS-C-01#1", "JS-C-01#2"), forwarded());
  }

  @Test
  void framesBehindTheWatermark_areForgotten_andACopyOfThemPassesOnAsLate() throws Exception {
    for (int s = 0; s < 10; s++) {
      send(frame("JS-C-01", s, s));
    }
    harness.processWatermark(new Watermark(T0 + 5_000));
    send(frame("JS-C-01", 10, 10)); // prunes what the watermark passed
    assertEquals(1, harness.numKeyedStateEntries());
    send(frame("JS-C-01", 2, 2)); // late: passed on for the extractor to dead-letter
    send(frame("JS-C-01", 8, 8)); // still ahead of the watermark: a copy
    List<String> out = forwarded();
    assertEquals(12, out.size(), out.toString());
    assertEquals("JS-C-01#2", out.get(11));
  }

  @Test
  void remembersABoundedNumberOfFrames() {
    DuplicateFrameFilter.RecentFrames recent = new DuplicateFrameFilter.RecentFrames();
    for (int i = 0; i < 3 * DuplicateFrameFilter.MAX_REMEMBERED; i++) {
      recent.remember(i, T0 + i, DuplicateFrameFilter.MAX_REMEMBERED);
    }
    assertEquals(DuplicateFrameFilter.MAX_REMEMBERED, recent.size);
    assertEquals(false, recent.contains(0));
    assertEquals(true, recent.contains(3L * DuplicateFrameFilter.MAX_REMEMBERED - 1));
  }
}

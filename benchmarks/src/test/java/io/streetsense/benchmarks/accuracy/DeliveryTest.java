package io.streetsense.benchmarks.accuracy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.simulator.DeviceMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeliveryTest {
  private static final Instant T0 = Instant.parse("2026-11-28T02:00:00Z");

  /** Ten devices sending a message every 100 ms each, in event-time order. */
  private static List<DeviceMessage> sent() {
    List<DeviceMessage> out = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      String device = "D" + (i % 10);
      DeviceMessage.Kind kind =
          i % 10 == 0 ? DeviceMessage.Kind.PARKING : DeviceMessage.Kind.CAMERA;
      out.add(
          new DeviceMessage(
              DeviceMessage.topicOf("b", kind, device),
              ("{\"n\":" + i + "}").getBytes(),
              T0.plusMillis(10L * i),
              "b",
              device,
              kind));
    }
    return out;
  }

  private static List<Delivery.Arrival> deliver(Duration maxDelay, double duplicates) {
    List<Delivery.Arrival> out = new ArrayList<>();
    new Delivery(sent().iterator(), maxDelay, duplicates, 7).forEachRemaining(out::add);
    return out;
  }

  @Test
  void withoutDelayEverythingArrivesAsSent() {
    List<Delivery.Arrival> got = deliver(Duration.ZERO, 0);
    List<DeviceMessage> sent = sent();
    assertEquals(sent.size(), got.size());
    for (int i = 0; i < sent.size(); i++) {
      assertEquals(sent.get(i), got.get(i).message());
      assertEquals(sent.get(i).eventTime().toEpochMilli(), got.get(i).arrivedAtMillis());
    }
  }

  @Test
  void devicesInterleaveOutOfOrderButEachKeepsItsOwnOrderAndNothingIsLost() {
    List<Delivery.Arrival> got = deliver(Duration.ofSeconds(2), 0);
    assertEquals(sent().size(), got.size());
    boolean outOfOrder = false;
    long lastArrival = Long.MIN_VALUE;
    Map<String, Instant> lastOfDevice = new HashMap<>();
    Instant newest = Instant.MIN;
    for (Delivery.Arrival a : got) {
      DeviceMessage m = a.message();
      assertTrue(a.arrivedAtMillis() >= lastArrival, "in arrival order");
      lastArrival = a.arrivedAtMillis();
      long late = a.arrivedAtMillis() - m.eventTime().toEpochMilli();
      assertTrue(late >= 0 && late <= 2_000 + 100, "delay " + late);
      Instant previous = lastOfDevice.put(m.deviceId(), m.eventTime());
      assertTrue(previous == null || previous.isBefore(m.eventTime()), "device order");
      outOfOrder |= m.eventTime().isBefore(newest);
      newest = m.eventTime().isAfter(newest) ? m.eventTime() : newest;
    }
    assertTrue(outOfOrder, "devices interleave out of event-time order");
  }

  @Test
  void aShareOfParkingMessagesArrivesTwice() {
    Delivery delivery = new Delivery(sent().iterator(), Duration.ofSeconds(1), 0.5, 7);
    List<Delivery.Arrival> got = new ArrayList<>();
    delivery.forEachRemaining(got::add);
    assertTrue(
        delivery.duplicates() > 50 && delivery.duplicates() < 150, "" + delivery.duplicates());
    assertEquals(sent().size() + delivery.duplicates(), got.size());
    assertFalse(
        got.stream()
                .filter(a -> a.message().kind() == DeviceMessage.Kind.CAMERA)
                .map(a -> a.message().eventTime())
                .distinct()
                .count()
            < 1_800,
        "cameras are never duplicated");
  }

  @Test
  void cameraFramesArriveTwiceToo_theCopyLaterAndOutOfTheDevicesOrder() {
    Delivery delivery =
        new Delivery(
            sent().iterator(), Duration.ofSeconds(2), 0.0, 0.1, Duration.ofSeconds(3), false, 7);
    List<Delivery.Arrival> got = new ArrayList<>();
    delivery.forEachRemaining(got::add);
    long cameraFrames = sent().stream().filter(m -> m.kind() == DeviceMessage.Kind.CAMERA).count();
    assertEquals(sent().size() + delivery.cameraDuplicates(), got.size());
    assertTrue(
        delivery.cameraDuplicates() > cameraFrames * 0.05
            && delivery.cameraDuplicates() < cameraFrames * 0.15,
        "copies " + delivery.cameraDuplicates());
    Map<DeviceMessage, List<Long>> arrivals = new HashMap<>();
    long lastArrival = Long.MIN_VALUE;
    boolean deviceReordered = false;
    Map<String, Instant> lastOfDevice = new HashMap<>();
    for (Delivery.Arrival a : got) {
      assertTrue(a.arrivedAtMillis() >= lastArrival, "in arrival order");
      lastArrival = a.arrivedAtMillis();
      long late = a.arrivedAtMillis() - a.message().eventTime().toEpochMilli();
      assertTrue(late >= 0 && late <= 2_000 + 3_000, "delay " + late);
      arrivals.computeIfAbsent(a.message(), m -> new ArrayList<>()).add(a.arrivedAtMillis());
      Instant previous = lastOfDevice.put(a.message().deviceId(), a.message().eventTime());
      deviceReordered |= previous != null && previous.isAfter(a.message().eventTime());
    }
    assertTrue(deviceReordered, "a device's own messages are reordered too");
    long twice = arrivals.values().stream().filter(l -> l.size() == 2).count();
    assertEquals(delivery.cameraDuplicates(), twice);
    assertTrue(arrivals.values().stream().allMatch(l -> l.size() <= 2));
  }
}

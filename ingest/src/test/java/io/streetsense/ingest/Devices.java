package io.streetsense.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

/** Device messages of jiashan-lane as docs/interfaces.md shows them. */
final class Devices {
  private Devices() {}

  static final String BLOCK = "jiashan-lane";

  static String sensorId(int i) {
    return String.format("JS-P-%02d", 1 + Math.floorMod(i, 12));
  }

  /** The block's 12 berth sensors. */
  static List<String> sensorIds() {
    return IntStream.range(0, 12).mapToObj(Devices::sensorId).toList();
  }

  static String cameraId(int i) {
    return String.format("JS-C-%02d", 1 + Math.floorMod(i, 3));
  }

  static String parkingTopic(String sensor) {
    return "blocks/" + BLOCK + "/parking/" + sensor;
  }

  static String cameraTopic(String camera) {
    return "blocks/" + BLOCK + "/camera/" + camera;
  }

  static byte[] parking(String sensor, long seq, Instant ts) {
    return ("{\"sensor\":\""
            + sensor
            + "\",\"ts\":\""
            + ts.atOffset(java.time.ZoneOffset.ofHours(8))
            + "\",\"seq\":"
            + seq
            + ",\"occupied\":"
            + (seq % 2 == 0)
            + ",\"kind\":\""
            + (seq % 5 == 0 ? "heartbeat" : "change")
            + "\",\"battery_v\":3.61}")
        .getBytes(StandardCharsets.UTF_8);
  }

  static byte[] camera(String camera, long frame, Instant ts) {
    return ("{\"camera\":\""
            + camera
            + "\",\"ts\":"
            + ts.toEpochMilli()
            + ",\"frame\":"
            + frame
            + ",\"objects\":[{\"track\":\"991\",\"cls\":\"stall\",\"conf\":0.91,"
            + "\"box\":[0.41,0.62,0.08,0.10]}]}")
        .getBytes(StandardCharsets.UTF_8);
  }
}

package io.streetsense.simulator.internal;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Writes device payloads exactly as docs/interfaces.md shows them, field order included. Numbers
 * are rounded so the JSON stays short: confidences to 2 decimals, boxes to 4, volts to 2.
 */
public final class Payloads {
  private static final JsonFactory FACTORY = new JsonFactory();

  /** ISO-8601 with offset and milliseconds, e.g. {@code 2026-11-23T08:15:30.120+08:00}. */
  public static final DateTimeFormatter ISO_WITH_OFFSET =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSXXX");

  private Payloads() {}

  /** One detected object of a camera frame. {@code box} is [x, y, w, h], already clipped. */
  public record DetectedObject(String track, String cls, double conf, double[] box) {}

  public static byte[] parking(
      String sensorId,
      Instant ts,
      boolean isoTs,
      ZoneId zone,
      long seq,
      boolean occupied,
      boolean change,
      double batteryV) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("sensor", sensorId);
      writeTs(g, ts, isoTs, zone);
      g.writeNumberField("seq", seq);
      g.writeBooleanField("occupied", occupied);
      g.writeStringField("kind", change ? "change" : "heartbeat");
      g.writeNumberField("battery_v", round(batteryV, 100));
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  public static byte[] camera(
      String cameraId,
      Instant ts,
      boolean isoTs,
      ZoneId zone,
      long frame,
      List<DetectedObject> objects) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(64 + 80 * objects.size());
    try (JsonGenerator g = FACTORY.createGenerator(out, JsonEncoding.UTF8)) {
      g.writeStartObject();
      g.writeStringField("camera", cameraId);
      writeTs(g, ts, isoTs, zone);
      g.writeNumberField("frame", frame);
      g.writeArrayFieldStart("objects");
      for (DetectedObject o : objects) {
        g.writeStartObject();
        g.writeStringField("track", o.track());
        g.writeStringField("cls", o.cls());
        g.writeNumberField("conf", round(o.conf(), 100));
        g.writeArrayFieldStart("box");
        for (double v : o.box()) {
          g.writeNumber(round(v, 10_000));
        }
        g.writeEndArray();
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static void writeTs(JsonGenerator g, Instant ts, boolean iso, ZoneId zone)
      throws IOException {
    if (iso) {
      g.writeStringField("ts", ISO_WITH_OFFSET.format(ts.atZone(zone)));
    } else {
      g.writeNumberField("ts", ts.toEpochMilli());
    }
  }

  /** {@code value} rounded to {@code 1/scale}; the shortest decimal form then prints it. */
  public static double round(double value, int scale) {
    return Math.round(value * scale) / (double) scale;
  }
}

package io.streetsense.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/** Parses the simulator's own payloads back, for assertions. */
final class Frames {
  static final ObjectMapper JSON = new ObjectMapper();

  private Frames() {}

  static JsonNode parse(DeviceMessage m) {
    try {
      return JSON.readTree(m.payload());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The {@code ts} of a payload, in either of its two forms. */
  static Instant ts(JsonNode payload) {
    JsonNode ts = payload.get("ts");
    return ts.isTextual()
        ? OffsetDateTime.parse(ts.asText()).toInstant()
        : Instant.ofEpochMilli(ts.asLong());
  }

  /** A detected object of a camera frame. */
  record Obj(String track, String cls, double conf, double x, double y, double w, double h) {
    double groundX() {
      return x + w / 2;
    }

    double groundY() {
      return y + h;
    }
  }

  static List<Obj> objects(JsonNode payload) {
    List<Obj> out = new ArrayList<>();
    for (JsonNode o : payload.get("objects")) {
      JsonNode box = o.get("box");
      out.add(
          new Obj(
              o.get("track").asText(),
              o.get("cls").asText(),
              o.get("conf").asDouble(),
              box.get(0).asDouble(),
              box.get(1).asDouble(),
              box.get(2).asDouble(),
              box.get(3).asDouble()));
    }
    return out;
  }
}

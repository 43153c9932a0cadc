package io.streetsense.benchmarks.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.simulator.Background;
import io.streetsense.simulator.DeviceMessage;
import io.streetsense.simulator.StreetScenario;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Realistic payloads for the benchmark: a pool of messages from a simulated street ({@link
 * StreetScenario} on the given block map: real sensor and camera ids, real frame contents), cycled
 * to the wanted count with a fresh per-device {@code seq}/{@code frame} and a fixed-width {@code
 * ts} slot the publisher stamps with the publish time. The simulator's mix of ISO-8601 and epoch-ms
 * timestamps is kept (the validator parses both).
 */
final class PayloadGenerator {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Distinct simulated messages to cycle through, per kind. */
  static final int POOL = 4000;

  private PayloadGenerator() {}

  static List<BenchMessage> generate(BlockMap block, PayloadKind kind, int count, Instant now) {
    ZoneOffset offset = block.timezone().getRules().getOffset(now);
    List<DeviceMessage> pool = pool(block, kind, now);
    if (pool.isEmpty()) {
      throw new IllegalStateException("the scenario produced no " + kind.label() + " messages");
    }
    List<JsonNode> templates = new ArrayList<>(pool.size());
    for (DeviceMessage m : pool) {
      try {
        templates.add(JSON.readTree(m.payload()));
      } catch (IOException e) {
        throw new UncheckedIOException("simulator payload is not JSON: " + m, e);
      }
    }
    Map<String, Long> counters = new HashMap<>();
    List<BenchMessage> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      DeviceMessage source = pool.get(i % pool.size());
      ObjectNode node = ((ObjectNode) templates.get(i % pool.size())).deepCopy();
      boolean iso = node.path("ts").isTextual();
      if (iso) {
        node.put("ts", TimestampSlot.isoPlaceholder(offset));
      } else {
        node.put("ts", TimestampSlot.EPOCH_PLACEHOLDER);
      }
      long counter = counters.merge(source.deviceId(), 1L, Long::sum);
      node.put(kind.counterField, counter);
      byte[] payload;
      try {
        payload = JSON.writeValueAsBytes(node);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      String marker =
          iso
              ? "\"ts\":\"" + TimestampSlot.isoPlaceholder(offset) + "\""
              : "\"ts\":" + TimestampSlot.EPOCH_PLACEHOLDER;
      int at = indexOf(payload, marker.getBytes(StandardCharsets.UTF_8));
      if (at < 0) {
        throw new IllegalStateException("no ts placeholder in " + new String(payload));
      }
      int valueAt = at + (iso ? "\"ts\":\"".length() : "\"ts\":".length());
      out.add(new BenchMessage(source.topic(), payload, new TimestampSlot(valueAt, iso, offset)));
    }
    return out;
  }

  /**
   * Up to {@link #POOL} messages of one kind from a busy simulated street. Sensors send a heartbeat
   * every minute (instead of ten) so the pool fills from a short simulated span.
   */
  private static List<DeviceMessage> pool(BlockMap block, PayloadKind kind, Instant now) {
    Duration span = Duration.ofMinutes(30);
    StreetScenario scenario =
        StreetScenario.builder(block)
            .start(now.minus(span))
            .duration(span)
            .seed(20261124L)
            .heartbeat(Duration.ofMinutes(1))
            .background(new Background(12, 3, 1))
            .build();
    List<DeviceMessage> pool = new ArrayList<>(POOL);
    Iterator<DeviceMessage> it = scenario.iterator();
    while (it.hasNext() && pool.size() < POOL) {
      DeviceMessage m = it.next();
      if (m.kind() == kind.deviceKind) {
        pool.add(m);
      }
    }
    return pool;
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  static double meanSize(List<BenchMessage> messages) {
    long total = 0;
    for (BenchMessage m : messages) {
      total += m.payload().length;
    }
    return messages.isEmpty() ? 0 : (double) total / messages.size();
  }
}

package io.streetsense.sinks.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

class MetricPointTest {

  private static MetricPoint occupancy() {
    return MetricPoint.measurement("parking_occupancy")
        .tag("zone", "JS-Z-P1")
        .tag("block", "jiashan-lane")
        .field("occupied", 6L)
        .field("ratio", 0.75)
        .field("full", false)
        .at(1_763_856_000_000L);
  }

  @Test
  void point_survivesFlinksSerializer_asItTravelsBetweenTasks() throws Exception {
    TypeSerializer<MetricPoint> serializer =
        TypeInformation.of(MetricPoint.class).createSerializer(new SerializerConfigImpl());
    DataOutputSerializer out = new DataOutputSerializer(256);
    serializer.serialize(occupancy(), out);
    MetricPoint back = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    assertEquals(occupancy(), back);
  }

  @Test
  void tagsAndFields_comeOutSorted_forStableLineProtocol() {
    assertEquals("[block, zone]", occupancy().tags().keySet().toString());
    assertEquals("[full, occupied, ratio]", occupancy().fields().keySet().toString());
  }

  @Test
  void pointWithoutFields_isRefused() {
    assertThrows(IllegalArgumentException.class, () -> MetricPoint.measurement("violations").at(0));
  }
}

package io.streetsense.schemas;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.SchemaCompatibility.SchemaCompatibilityType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Full transitive compatibility of every record on a topic: the current schema reads every released
 * version (new consumers, old records in compacted topics) and every released version reads the
 * current one (old consumers during a rolling upgrade).
 */
class SchemaCompatibilityTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "ParkingSensorEvent",
        "CameraFrame",
        "ViolationEvent",
        "WorkOrder",
        "TeamAction",
        "DeadLetter"
      })
  void currentSchema_isFullyCompatibleWithEveryReleasedVersion(String recordName) throws Exception {
    Schema current =
        (Schema)
            Class.forName("io.streetsense.schemas." + recordName)
                .getMethod("getClassSchema")
                .invoke(null);
    List<Schema> released = ReleasedSchemas.versionsOf(recordName);
    assertFalse(released.isEmpty(), recordName + " has no released version under resources");

    for (int i = 0; i < released.size(); i++) {
      Schema old = released.get(i);
      String version = recordName + " v" + (i + 1);
      assertCompatible(current, old, "current schema reading " + version);
      assertCompatible(old, current, version + " reading the current schema");
    }
  }

  private static void assertCompatible(Schema reader, Schema writer, String what) {
    SchemaCompatibility.SchemaPairCompatibility result =
        SchemaCompatibility.checkReaderWriterCompatibility(reader, writer);
    assertEquals(
        SchemaCompatibilityType.COMPATIBLE,
        result.getType(),
        what + " is incompatible: " + result.getResult().getIncompatibilities());
  }
}

package io.streetsense.blockmap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.testing.RepositoryBlockMaps;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import org.junit.jupiter.api.Test;

/** Every operator deserializes the maps it was given: a JVM keeps one copy of the same maps. */
class BlockMapsSharingTest {
  private static byte[] serialized(Object value) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(value);
    }
    return bytes.toByteArray();
  }

  private static Object deserialized(byte[] bytes) throws Exception {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return in.readObject();
    }
  }

  @Test
  void theSameMapsDeserializedTwice_areOneCopy_otherMapsAnother() throws Exception {
    BlockMaps city = BlockMapLoader.loadDirectory(RepositoryBlockMaps.directory());
    BlockMaps jiashan = BlockMaps.of(BlockMapLoader.load(RepositoryBlockMaps.file("jiashan-lane")));
    byte[] cityBytes = serialized(city);

    Object first = deserialized(cityBytes);
    Object second = deserialized(cityBytes);
    Object third = deserialized(serialized(city)); // serialized again: the same content
    assertSame(first, second);
    assertSame(first, third);
    assertEquals(city, first);
    assertNotSame(city, first, "the loaded maps themselves are not replaced");

    // Shipped compressed: a block's maps are far smaller than their plain Java serialization.
    java.io.ByteArrayOutputStream plain = new java.io.ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(plain)) {
      out.writeObject(new java.util.ArrayList<>(city.all()));
    }
    assertTrue(
        cityBytes.length * 3 < plain.size(),
        "shipped " + cityBytes.length + " B, plain " + plain.size() + " B");

    Object other = deserialized(serialized(jiashan));
    assertNotSame(first, other);
    assertEquals(jiashan, other);
  }
}

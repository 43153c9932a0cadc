package io.streetsense.views;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericEnumSymbol;
import org.apache.avro.generic.IndexedRecord;

/**
 * Avro records as JSON for people: field names in snake_case ({@code acceptBy} → {@code
 * accept_by}), timestamps as ISO-8601 UTC, enums by name, nulls kept. Driven by the record's
 * schema, so a field the work-order operator adds later (with its default) appears without a change
 * here.
 */
public final class AvroJson {
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private AvroJson() {}

  public static ObjectNode toJson(IndexedRecord record) {
    ObjectNode node = F.objectNode();
    for (Schema.Field field : record.getSchema().getFields()) {
      node.set(snake(field.name()), value(record.get(field.pos())));
    }
    return node;
  }

  static JsonNode value(Object value) {
    if (value == null) {
      return F.nullNode();
    } else if (value instanceof IndexedRecord r) {
      return toJson(r);
    } else if (value instanceof Instant t) {
      return F.textNode(t.toString());
    } else if (value instanceof CharSequence s) {
      return F.textNode(s.toString());
    } else if (value instanceof Enum<?> e) {
      return F.textNode(e.name());
    } else if (value instanceof GenericEnumSymbol<?> e) {
      return F.textNode(e.toString());
    } else if (value instanceof Integer i) {
      return F.numberNode(i);
    } else if (value instanceof Long l) {
      return F.numberNode(l);
    } else if (value instanceof Double d) {
      return F.numberNode(d);
    } else if (value instanceof Float f) {
      return F.numberNode(f);
    } else if (value instanceof Boolean b) {
      return F.booleanNode(b);
    } else if (value instanceof Collection<?> c) {
      ArrayNode array = F.arrayNode();
      for (Object item : c) {
        array.add(value(item));
      }
      return array;
    } else if (value instanceof Map<?, ?> m) {
      ObjectNode object = F.objectNode();
      m.forEach((k, v) -> object.set(String.valueOf(k), value(v)));
      return object;
    } else if (value instanceof ByteBuffer b) {
      ByteBuffer copy = b.duplicate();
      byte[] bytes = new byte[copy.remaining()];
      copy.get(bytes);
      return F.textNode(Base64.getEncoder().encodeToString(bytes));
    }
    return F.textNode(value.toString());
  }

  /** {@code acceptBy} → {@code accept_by}, {@code photoUrl} → {@code photo_url}. */
  public static String snake(String camel) {
    StringBuilder out = new StringBuilder(camel.length() + 4);
    for (int i = 0; i < camel.length(); i++) {
      char c = camel.charAt(i);
      if (Character.isUpperCase(c)) {
        if (i > 0) {
          out.append('_');
        }
        out.append(Character.toLowerCase(c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }
}

package io.streetsense.views;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The push marker: per partition of the work-order topic, the offset below which every push has
 * been acknowledged by the MQTT broker. Kept in a small properties file, replaced atomically.
 */
public final class PushOffsets {
  private final Path file;

  public PushOffsets(Path file) {
    this.file = Objects.requireNonNull(file, "file");
  }

  public Path file() {
    return file;
  }

  /** The saved marker, if it was saved for {@code topic}. */
  public Optional<Map<Integer, Long>> load(String topic) {
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    Properties props = new Properties();
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      props.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read push marker " + file, e);
    }
    if (!topic.equals(props.getProperty("topic"))) {
      return Optional.empty();
    }
    Map<Integer, Long> offsets = new TreeMap<>();
    for (String name : props.stringPropertyNames()) {
      if (name.startsWith("partition.")) {
        try {
          offsets.put(
              Integer.parseInt(name.substring("partition.".length())),
              Long.parseLong(props.getProperty(name).strip()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              file + ": key " + name + " has a bad value '" + props.getProperty(name) + "'");
        }
      }
    }
    return Optional.of(offsets);
  }

  public void save(String topic, Map<Integer, Long> offsets) {
    Properties props = new Properties();
    props.setProperty("topic", topic);
    offsets.forEach((p, o) -> props.setProperty("partition." + p, Long.toString(o)));
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try (Writer out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        props.store(out, "StreetSense views: MQTT pushes done below these offsets");
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write push marker " + file, e);
    }
  }
}

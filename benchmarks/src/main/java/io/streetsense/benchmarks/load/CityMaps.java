package io.streetsense.benchmarks.load;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.blockmap.Camera;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The block maps of a load-test city: the real maps (a folder such as the repository's {@code
 * blockmaps/}, or the bundled example when there is none) plus synthetic blocks of the same shape,
 * written as YAML to a folder and loaded back through the real {@link BlockMapLoader}, as the
 * pipeline loads them.
 *
 * <p>A synthetic block is a template map's text with a new block id ({@code lingyan-south-s007})
 * and its own device, zone and shop ids (the template's id prefix {@code LY-} becomes {@code
 * LY007-}): same streets, shops, cameras, views and rules, other ids. Teams keep their ids (a team
 * serves several blocks).
 */
final class CityMaps {
  private static final String BUNDLED =
      "/io/streetsense/blockmap/examples/" + BlockMapLoader.BUNDLED_EXAMPLES.get(0);

  private CityMaps() {}

  /** What a city is made of. */
  record City(
      Path dir,
      BlockMaps maps,
      List<String> templates,
      int realBlocks,
      int syntheticBlocks,
      int cameras,
      int sensors,
      int zones) {
    int blocks() {
      return realBlocks + syntheticBlocks;
    }

    Map<String, Object> describe() {
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("blocks", blocks());
      out.put("realBlocks", realBlocks);
      out.put("syntheticBlocks", syntheticBlocks);
      out.put("templates", templates);
      out.put("cameras", cameras);
      out.put("sensors", sensors);
      out.put("zones", zones);
      out.put("mapsDir", dir.toString());
      return out;
    }
  }

  /**
   * Writes {@code blocks} block maps to {@code out} and loads them: the templates themselves first
   * (as many as fit), then synthetic copies cycling through the templates.
   *
   * @param templatesDir folder of real block maps, or {@code null} for the bundled example
   */
  static City write(Path templatesDir, int blocks, Path out) throws IOException {
    if (blocks < 1) {
      throw new IllegalArgumentException("blocks must be at least 1, got " + blocks);
    }
    Map<String, String> templates = readTemplates(templatesDir);
    Files.createDirectories(out);
    try (Stream<Path> old = Files.list(out)) {
      for (Path p : old.toList()) {
        if (p.toString().endsWith(".yaml")) {
          Files.delete(p);
        }
      }
    }
    List<String> names = new ArrayList<>(templates.keySet());
    List<BlockMap> parsed = new ArrayList<>();
    for (String name : names) {
      parsed.add(BlockMapLoader.parse(name, new StringReader(templates.get(name))));
    }
    int real = Math.min(blocks, names.size());
    for (int i = 0; i < real; i++) {
      Files.writeString(
          out.resolve(parsed.get(i).id() + ".yaml"), templates.get(names.get(i)), UTF8);
    }
    int synthetic = blocks - real;
    for (int n = 1; n <= synthetic; n++) {
      int t = (n - 1) % names.size();
      BlockMap template = parsed.get(t);
      String id = String.format(Locale.ROOT, "%s-s%03d", template.id(), n);
      String yaml =
          synthesize(templates.get(names.get(t)), template.id(), id, idPrefix(template), n);
      Files.writeString(out.resolve(id + ".yaml"), yaml, UTF8);
    }
    BlockMaps maps = BlockMapLoader.loadDirectory(out);
    int cameras = 0;
    int sensors = 0;
    int zones = 0;
    for (BlockMap m : maps.all()) {
      cameras += m.cameras().size();
      sensors += m.sensors().size();
      zones += m.zones().size();
    }
    return new City(out, maps, names, real, synthetic, cameras, sensors, zones);
  }

  private static final java.nio.charset.Charset UTF8 = StandardCharsets.UTF_8;

  /** Template name → YAML text, in file-name order. */
  static Map<String, String> readTemplates(Path dir) throws IOException {
    Map<String, String> out = new LinkedHashMap<>();
    if (dir != null) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.sorted().toList()) {
          String name = f.getFileName().toString();
          if (Files.isRegularFile(f) && (name.endsWith(".yaml") || name.endsWith(".yml"))) {
            out.put(name, Files.readString(f, UTF8));
          }
        }
      }
      if (out.isEmpty()) {
        throw new IllegalArgumentException("no block maps (*.yaml) in " + dir);
      }
      return out;
    }
    try (InputStream in = BlockMapLoader.class.getResourceAsStream(BUNDLED)) {
      if (in == null) {
        throw new IllegalStateException("bundled example block map missing: " + BUNDLED);
      }
      out.put(BUNDLED.substring(BUNDLED.lastIndexOf('/') + 1), new String(in.readAllBytes(), UTF8));
    }
    return out;
  }

  /**
   * The prefix the template's own ids share: the part before the first {@code -} of its first
   * camera's id ({@code LY} for {@code LY-C-01}), or {@code null} when it has no camera or the ids
   * have no prefix.
   */
  static String idPrefix(BlockMap template) {
    for (Camera c : template.cameras()) {
      int dash = c.id().indexOf('-');
      return dash > 0 ? c.id().substring(0, dash) : null;
    }
    return null;
  }

  /**
   * A template's YAML text as synthetic block number {@code n}: {@code block:} set to {@code
   * newId}, the name marked as a copy, and every id starting with {@code prefix-} given the prefix
   * {@code prefix + n} (zero-padded to three digits).
   */
  static String synthesize(String yaml, String oldId, String newId, String prefix, int n) {
    String out =
        Pattern.compile("^block:\\s*" + Pattern.quote(oldId) + "\\b", Pattern.MULTILINE)
            .matcher(yaml)
            .replaceFirst(Matcher.quoteReplacement("block: " + newId));
    if (out.equals(yaml)) {
      throw new IllegalArgumentException("no 'block: " + oldId + "' line in the template");
    }
    out =
        Pattern.compile("^name:\\s*(.*?)\\s*(#.*)?$", Pattern.MULTILINE)
            .matcher(out)
            .replaceFirst(
                Matcher.quoteReplacement("name: ")
                    + "$1"
                    + Matcher.quoteReplacement(
                        String.format(Locale.ROOT, " (synthetic copy %03d)", n)));
    if (prefix != null) {
      String renamed = String.format(Locale.ROOT, "%s%03d-", prefix, n);
      out =
          Pattern.compile("(?<![A-Za-z0-9_-])" + Pattern.quote(prefix + "-"))
              .matcher(out)
              .replaceAll(Matcher.quoteReplacement(renamed));
    }
    return out;
  }
}

package io.streetsense.blockmap;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads and validates block-map YAML files (format: the module README and {@code
 * jiashan-lane.yaml}). A map that is not valid fails here, at load, with a {@link
 * BlockMapException} that names file, line, key and value — never later, in a running job.
 *
 * <pre>{@code
 * // every *.yaml / *.yml of a directory, e.g. at job start
 * BlockMaps maps = BlockMapLoader.loadDirectory(Path.of("blockmaps"));
 * BlockMap lane = maps.block("jiashan-lane").orElseThrow();
 *
 * // one file, or YAML from elsewhere (the name is only used in messages)
 * BlockMap one = BlockMapLoader.load(Path.of("blockmaps/jiashan-lane.yaml"));
 * BlockMap inline = BlockMapLoader.parse("inline.yaml", new StringReader(yaml));
 *
 * // the maps shipped with the project, for demos and a clone without map files
 * BlockMaps examples = BlockMapLoader.loadBundledExamples();
 * }</pre>
 */
public final class BlockMapLoader {
  private static final Logger LOG = LoggerFactory.getLogger(BlockMapLoader.class);

  private static final String EXAMPLES = "examples/";

  /**
   * The example maps shipped in this jar. Listed, because a directory inside a jar cannot be listed
   * portably.
   */
  public static final List<String> BUNDLED_EXAMPLES = List.of("yongkang-road.yaml");

  private BlockMapLoader() {}

  /**
   * Loads one file (UTF-8). Messages name it by its file name.
   *
   * @throws BlockMapException when the file cannot be read or is not a valid block map
   */
  public static BlockMap load(Path file) {
    String name = String.valueOf(file.getFileName());
    try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(name, reader);
    } catch (IOException | UncheckedIOException e) {
      throw new BlockMapException(name, 0, null, null, "cannot read " + file + ": " + e, e);
    }
  }

  /**
   * Parses a block map from YAML text.
   *
   * @param fileName names the source in messages and as {@link BlockMap#source()}
   * @throws BlockMapException when it is not a valid block map
   */
  public static BlockMap parse(String fileName, Reader yaml) {
    BlockMap map = new BlockMapParser(fileName).parse(yaml);
    LOG.info("Loaded block map {}", map);
    return map;
  }

  /**
   * Loads every {@code *.yaml} and {@code *.yml} file of a directory (not its subdirectories), in
   * file-name order.
   *
   * @throws BlockMapException when the directory holds no map, a map is invalid, or two files
   *     declare the same block id (naming both)
   */
  public static BlockMaps loadDirectory(Path dir) {
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files =
          listing
              .filter(Files::isRegularFile)
              .filter(BlockMapLoader::isYaml)
              .sorted((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()))
              .toList();
    } catch (IOException | UncheckedIOException e) {
      throw new BlockMapException(
          String.valueOf(dir), 0, null, null, "cannot list block maps: " + e, e);
    }
    if (files.isEmpty()) {
      throw new BlockMapException(
          String.valueOf(dir), 0, null, null, "no block maps (*.yaml or *.yml) in this directory");
    }
    List<BlockMap> maps = new ArrayList<>(files.size());
    for (Path file : files) {
      maps.add(load(file));
    }
    return distinct(maps);
  }

  /**
   * The example block maps shipped with the project ({@link #BUNDLED_EXAMPLES}), read from the
   * classpath: a clone or a jar has them without any map files on disk.
   */
  public static BlockMaps loadBundledExamples() {
    List<BlockMap> maps = new ArrayList<>();
    for (String name : BUNDLED_EXAMPLES) {
      InputStream in = BlockMapLoader.class.getResourceAsStream(EXAMPLES + name);
      if (in == null) {
        throw new IllegalStateException("bundled example block map missing: " + EXAMPLES + name);
      }
      try (Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8)) {
        maps.add(parse(name, reader));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return distinct(maps);
  }

  private static boolean isYaml(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".yaml") || name.endsWith(".yml");
  }

  private static BlockMaps distinct(List<BlockMap> maps) {
    Map<String, BlockMap> byId = new HashMap<>();
    for (BlockMap map : maps) {
      BlockMap earlier = byId.putIfAbsent(map.id(), map);
      if (earlier != null) {
        throw new BlockMapException(
            map.source(),
            0,
            "block",
            map.id(),
            "block id " + map.id() + " is already declared in " + earlier.source());
      }
    }
    warnAboutTeamNames(maps);
    return BlockMaps.of(maps.toArray(BlockMap[]::new));
  }

  /**
   * A team id names one team across blocks ({@code teams/{teamId}/workorders}); two names for it
   * are likely a copy-and-paste slip, but not wrong enough to refuse the maps.
   */
  private static void warnAboutTeamNames(List<BlockMap> maps) {
    Map<String, BlockMap> firstWithTeam = new HashMap<>();
    for (BlockMap map : maps) {
      for (Team team : map.teams()) {
        BlockMap first = firstWithTeam.putIfAbsent(team.id(), map);
        if (first != null && !first.team(team.id()).orElseThrow().name().equals(team.name())) {
          LOG.warn(
              "{}: team {} is named '{}' here but '{}' in {}",
              map.source(),
              team.id(),
              team.name(),
              first.team(team.id()).orElseThrow().name(),
              first.source());
        }
      }
    }
  }
}

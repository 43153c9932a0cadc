package io.streetsense.views;

import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.testing.RepositoryBlockMaps;
import java.io.StringReader;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A synthetic city for the console's scale test: blocks of frontage and no-vending zones. */
final class CityMaps {
  static final int BLOCKS = 100;
  static final int ZONES_PER_BLOCK = 150;

  private CityMaps() {}

  /** 100 synthetic blocks laid out on a grid, each with the teams and rules of Jiashan Lane. */
  static BlockMaps generate() {
    String template;
    try {
      template = Files.readString(RepositoryBlockMaps.file("jiashan-lane"));
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    String common = template.substring(template.indexOf("teams:"), template.indexOf("shops:"));
    List<BlockMap> maps = new ArrayList<>();
    for (int b = 0; b < BLOCKS; b++) {
      StringBuilder y = new StringBuilder();
      String id = String.format(Locale.ROOT, "block-%03d", b);
      y.append("block: ").append(id).append('\n');
      y.append("name: Block ").append(b).append('\n');
      y.append("district: Xuhui\nsubdistrict: Tianping\ntimezone: Asia/Shanghai\n");
      y.append(common);
      int frontages = ZONES_PER_BLOCK * 2 / 3;
      y.append("shops:\n");
      for (int s = 0; s < frontages; s++) {
        y.append(
            String.format(
                Locale.ROOT,
                "  - {id: S%03d, name: Shop %d-%d, category: restaurant, outdoor: []}%n",
                s,
                b,
                s));
      }
      double lat0 = 31.19 + (b / 10) * 0.004;
      double lon0 = 121.43 + (b % 10) * 0.004;
      y.append("zones:\n");
      List<String> zoneIds = new ArrayList<>();
      for (int z = 0; z < ZONES_PER_BLOCK; z++) {
        double lat = lat0 + (z / 15) * 0.0003;
        double lon = lon0 + (z % 15) * 0.0002;
        String zid = String.format(Locale.ROOT, "Z%03d", z);
        zoneIds.add(zid);
        if (z < frontages) {
          y.append(
              String.format(
                  Locale.ROOT,
                  "  - {id: %s, kind: frontage, shop: S%03d, location: [%.6f, %.6f]}%n",
                  zid,
                  z,
                  lat,
                  lon));
        } else {
          y.append(
              String.format(
                  Locale.ROOT,
                  "  - {id: %s, kind: no_vending, location: [%.6f, %.6f]}%n",
                  zid,
                  lat,
                  lon));
        }
      }
      y.append("sensors: []\ncameras:\n");
      for (int c = 0; c < ZONES_PER_BLOCK / 15; c++) {
        y.append(String.format(Locale.ROOT, "  - id: C%02d%n    views:%n", c));
        for (int v = 0; v < 15; v++) {
          double x0 = v / 15.0;
          double x1 = (v + 1) / 15.0;
          y.append(
              String.format(
                  Locale.ROOT,
                  "      - {zone: %s, polygon: [[%.4f, 0.5], [%.4f, 0.5], [%.4f, 1.0], [%.4f, 1.0]]}%n",
                  zoneIds.get(c * 15 + v),
                  x0,
                  x1,
                  x1,
                  x0));
        }
      }
      maps.add(BlockMapLoader.parse(id + ".yaml", new StringReader(y.toString())));
    }
    return BlockMaps.of(maps.toArray(BlockMap[]::new));
  }
}

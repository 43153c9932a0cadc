/**
 * Block maps: the typed, validated, immutable model of a street block — its shops, zones, berth
 * sensors, cameras, enforcement teams, routing, deadlines and detector rules.
 *
 * <p>Entry points: {@link io.streetsense.blockmap.BlockMapLoader} reads and validates YAML files
 * into {@link io.streetsense.blockmap.BlockMap}s, collected in {@link
 * io.streetsense.blockmap.BlockMaps}. Everything in the model is {@link java.io.Serializable} so
 * Flink operators can capture it, and immutable so they can share it.
 *
 * <pre>{@code
 * BlockMaps maps = BlockMapLoader.loadDirectory(Path.of("blockmaps"));
 * BlockMap block = maps.block("jiashan-lane").orElseThrow();
 * for (Camera camera : block.camerasViewing("JS-Z-NV1")) { ... }
 * boolean open = TimeWindow.anyContains(
 *     block.zone("JS-Z-M1").orElseThrow().schedule(), eventTime, block.timezone());
 * }</pre>
 */
package io.streetsense.blockmap;

package io.streetsense.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.Optional;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.configuration.StateRecoveryOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a start resumes from, and the checkpoint configuration of the local cluster. */
class StateSettingsTest {
  private static final Instant T0 = Instant.parse("2026-12-06T00:00:00Z");

  @TempDir Path dir;

  @Test
  void anEmptyDirectory_hasNothingToResumeFrom() {
    assertEquals(Optional.empty(), RestorePoint.latest(dir));
    assertEquals(Optional.empty(), RestorePoint.latest(dir.resolve("missing")));
  }

  @Test
  void theNewestCompletedCheckpointOrSavepoint_acrossJobs_isResumedFrom() throws IOException {
    Path oldJob = checkpoint("checkpoints/aaaa/chk-40", 10);
    Path savepoint = folder("savepoints/savepoint-aaaa-1", 20);
    Path newJob = checkpoint("checkpoints/bbbb/chk-3", 30);
    Files.createDirectories(dir.resolve("checkpoints/bbbb/chk-4")); // in progress: no _metadata
    Files.createDirectories(dir.resolve("checkpoints/cccc")); // killed before its first checkpoint

    RestorePoint newest = RestorePoint.latest(dir).orElseThrow();
    assertEquals(newJob, newest.path());
    assertFalse(newest.savepoint());
    assertEquals(3, newest.checkpointId());

    Files.setLastModifiedTime(savepoint.resolve("_metadata"), FileTime.from(T0.plusSeconds(40)));
    RestorePoint afterStop = RestorePoint.latest(dir).orElseThrow();
    assertEquals(savepoint, afterStop.path());
    assertTrue(afterStop.savepoint());
    assertTrue(afterStop.describe().startsWith("savepoint " + savepoint));
    assertTrue(Files.exists(oldJob));
  }

  @Test
  void freshAndFromSavepoint_overrideTheNewest() throws IOException {
    checkpoint("checkpoints/aaaa/chk-7", 10);
    Path elsewhere = folder("elsewhere/savepoint-x", 5);
    StateSettings resume = StateSettings.in(dir);
    assertEquals(7, resume.restorePoint().orElseThrow().checkpointId());
    assertEquals(
        Optional.empty(),
        new StateSettings(dir, true, null, 3, false, true, StateBackendKind.HASHMAP)
            .restorePoint());
    assertEquals(
        elsewhere,
        new StateSettings(
                dir,
                false,
                elsewhere.resolve("_metadata"),
                3,
                false,
                true,
                StateBackendKind.HASHMAP)
            .restorePoint()
            .orElseThrow()
            .path());
    IllegalArgumentException noMetadata =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                new StateSettings(
                        dir,
                        false,
                        dir.resolve("nothing"),
                        3,
                        false,
                        true,
                        StateBackendKind.HASHMAP)
                    .restorePoint());
    assertTrue(noMetadata.getMessage().startsWith("--from-savepoint"), noMetadata.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> new StateSettings(dir, true, elsewhere, 3, false, true, StateBackendKind.HASHMAP));
    assertThrows(
        IllegalArgumentException.class, () -> StateSettings.in(dir).withMaxFailedCheckpoints(0));
  }

  @Test
  void theLocalClusterKeepsRetainedCheckpointsOnDisk_andRestoresThePoint() throws IOException {
    Path chk = checkpoint("checkpoints/aaaa/chk-7", 10);
    StateSettings state = StateSettings.in(dir);
    Configuration conf = state.flinkConfiguration(state.restorePoint());
    assertEquals("filesystem", conf.get(CheckpointingOptions.CHECKPOINT_STORAGE));
    assertEquals(
        dir.resolve("checkpoints").toUri().toString(),
        conf.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY));
    assertEquals(
        ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION,
        conf.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION));
    assertEquals(chk.toUri().toString(), conf.get(StateRecoveryOptions.SAVEPOINT_PATH));
    assertEquals(Integer.MAX_VALUE, conf.get(CheckpointingOptions.TOLERABLE_FAILURE_NUMBER));
    assertFalse(
        state.flinkConfiguration(Optional.empty()).contains(StateRecoveryOptions.SAVEPOINT_PATH));
  }

  @Test
  void aRestore_removesWhatItSupersedes_andKeepsItselfAndNewer() throws IOException {
    checkpoint("checkpoints/aaaa/chk-40", 10);
    folder("savepoints/savepoint-old", 5);
    Files.createDirectories(dir.resolve("savepoints/savepoint-unfinished"));
    Path restored = folder("savepoints/savepoint-aaaa-1", 20);
    Path newer = checkpoint("checkpoints/bbbb/chk-2", 30);
    StateSettings state = StateSettings.in(dir);
    state.pruneOlderThan(RestorePoint.named(restored), LoggerFactory.getLogger(getClass()));
    assertFalse(Files.exists(dir.resolve("checkpoints/aaaa")));
    assertFalse(Files.exists(dir.resolve("savepoints/savepoint-old")));
    assertFalse(Files.exists(dir.resolve("savepoints/savepoint-unfinished")));
    assertTrue(Files.exists(restored.resolve("_metadata")));
    assertTrue(Files.exists(newer.resolve("_metadata")));
  }

  @Test
  void failureMessages_areOneLine_withAdviceOnWhatToChange() {
    assertEquals(
        "Checkpoint expired before completing.",
        CheckpointMonitor.oneLine("Checkpoint expired before completing."));
    assertEquals(
        "a.B: outer — caused by: java.io.IOException: No space left on device",
        CheckpointMonitor.oneLine(
            "a.B: outer\n\tat x.y(Z.java:1)\nCaused by: c.D: middle\n\tat q\n"
                + "Caused by: java.io.IOException: No space left on device\n\tat r"));
    StateSettings state = StateSettings.in(dir);
    assertTrue(
        CheckpointMonitor.advice(
                "Size of the state is larger than the maximum permitted memory-backed state", state)
            .contains("use file-system checkpoint storage"));
    assertTrue(
        CheckpointMonitor.advice("Checkpoint expired before completing.", state)
            .contains("checkpoint timeout"));
    assertTrue(
        CheckpointMonitor.advice("java.io.IOException: No space left on device", state)
            .contains("choose --state-dir on a larger disk"));
    assertTrue(
        CheckpointMonitor.advice("AccessDeniedException: Permission denied", state)
            .contains("writable --state-dir"));
    assertTrue(
        CheckpointMonitor.advice("something else", state).contains("--max-failed-checkpoints"));
  }

  @Test
  void theStateBackend_isTheHeapByDefault_andRocksDbWithIncrementalCheckpointsOnRequest() {
    Configuration heap = StateSettings.in(dir).flinkConfiguration(Optional.empty());
    assertEquals("hashmap", heap.get(StateBackendOptions.STATE_BACKEND));
    assertFalse(heap.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));

    Configuration rocks =
        StateSettings.in(dir)
            .withBackend(StateBackendKind.parse("RocksDB"))
            .flinkConfiguration(Optional.empty());
    assertEquals("rocksdb", rocks.get(StateBackendOptions.STATE_BACKEND));
    assertTrue(rocks.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS));

    IllegalArgumentException wrong =
        assertThrows(IllegalArgumentException.class, () -> StateBackendKind.parse("forst"));
    assertEquals("--state-backend must be hashmap or rocksdb, got 'forst'", wrong.getMessage());
  }

  private Path checkpoint(String path, long second) throws IOException {
    return folder(path, second);
  }

  private Path folder(String path, long second) throws IOException {
    Path folder = Files.createDirectories(dir.resolve(path));
    Path metadata = Files.writeString(folder.resolve("_metadata"), "x");
    Files.setLastModifiedTime(metadata, FileTime.from(T0.plusSeconds(second)));
    return folder;
  }
}

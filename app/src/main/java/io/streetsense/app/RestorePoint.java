package io.streetsense.app;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A completed checkpoint or savepoint a job can resume from: a folder holding a {@code _metadata}
 * file (Flink writes that file last, so a folder without it is a checkpoint that never completed).
 *
 * @param path the folder, as Flink's {@code execution.state-recovery.path} takes it
 * @param savepoint whether it is a savepoint (else a retained checkpoint)
 * @param checkpointId the N of {@code chk-N} (-1 for a savepoint)
 * @param writtenAt when its {@code _metadata} was written
 */
public record RestorePoint(Path path, boolean savepoint, long checkpointId, Instant writtenAt) {
  private static final Pattern CHECKPOINT = Pattern.compile("chk-(\\d+)");

  /**
   * The newest completed checkpoint or savepoint under a state directory: {@code
   * checkpoints/<job>/chk-N/_metadata} of every job that ran there, and {@code
   * savepoints/<savepoint>/_metadata}. Newest is by the time {@code _metadata} was written (ties:
   * the higher checkpoint number), so a stop with a savepoint is resumed from that savepoint, and a
   * process killed after it is resumed from the checkpoints of the job that ran since. Every job
   * folder is searched, not only the newest: a job that was killed before its first checkpoint
   * completed leaves a newer folder with nothing to resume from.
   */
  public static Optional<RestorePoint> latest(Path stateDir) {
    List<RestorePoint> found = new ArrayList<>();
    Path checkpoints = stateDir.resolve(StateSettings.CHECKPOINTS);
    for (Path job : children(checkpoints)) {
      for (Path chk : children(job)) {
        Matcher m = CHECKPOINT.matcher(chk.getFileName().toString());
        if (m.matches()) {
          metadataTime(chk)
              .ifPresent(
                  t -> found.add(new RestorePoint(chk, false, Long.parseLong(m.group(1)), t)));
        }
      }
    }
    for (Path savepoint : children(stateDir.resolve(StateSettings.SAVEPOINTS))) {
      metadataTime(savepoint).ifPresent(t -> found.add(new RestorePoint(savepoint, true, -1, t)));
    }
    return found.stream()
        .max(
            Comparator.comparing(RestorePoint::writtenAt)
                .thenComparingLong(RestorePoint::checkpointId));
  }

  /** A savepoint or retained checkpoint named by the user ({@code --from-savepoint}). */
  public static RestorePoint named(Path path) {
    Path folder = path.getFileName().toString().equals("_metadata") ? path.getParent() : path;
    Instant at =
        metadataTime(folder)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "--from-savepoint "
                            + path
                            + ": no completed savepoint or checkpoint there (no _metadata file)"));
    Matcher m = CHECKPOINT.matcher(folder.getFileName().toString());
    return m.matches()
        ? new RestorePoint(folder, false, Long.parseLong(m.group(1)), at)
        : new RestorePoint(folder, true, -1, at);
  }

  /** How it is named to people: "checkpoint 12 (…/chk-12, written …)". */
  public String describe() {
    return (savepoint ? "savepoint " : "checkpoint " + checkpointId + " ")
        + path.toAbsolutePath()
        + " (written "
        + writtenAt
        + ")";
  }

  private static Optional<Instant> metadataTime(Path folder) {
    Path metadata = folder.resolve("_metadata");
    try {
      if (!Files.isRegularFile(metadata)) {
        return Optional.empty();
      }
      FileTime time = Files.getLastModifiedTime(metadata);
      return Optional.of(time.toInstant());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static List<Path> children(Path dir) {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
  }
}

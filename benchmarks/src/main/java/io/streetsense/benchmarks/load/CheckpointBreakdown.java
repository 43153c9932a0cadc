package io.streetsense.benchmarks.load;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;

/**
 * The state of the job's newest completed checkpoint by operator: read from the checkpoint's {@code
 * _metadata} in the checkpoint folder the pipeline writes to ({@code --checkpoint-dir}), so a run
 * can say which operator's state grows. Only the metadata is read (each state handle knows its
 * size); the state files themselves are not.
 */
final class CheckpointBreakdown {
  private CheckpointBreakdown() {}

  /**
   * Bytes of state per operator uid (its name when it has no uid), largest first, of the newest
   * {@code chk-N} under {@code checkpoints} that has its metadata; empty when there is none yet or
   * it was removed while being read (Flink keeps only the newest few).
   */
  static Map<String, Long> newest(Path checkpoints) {
    Optional<Path> newest = newestMetadata(checkpoints);
    if (newest.isEmpty()) {
      return Map.of();
    }
    try (InputStream file = Files.newInputStream(newest.get());
        DataInputStream in = new DataInputStream(new BufferedInputStream(file))) {
      CheckpointMetadata metadata =
          Checkpoints.loadCheckpointMetadata(
              in, CheckpointBreakdown.class.getClassLoader(), newest.get().getParent().toString());
      Map<String, Long> bytes = new LinkedHashMap<>();
      metadata.getOperatorStates().stream()
          .sorted(Comparator.comparingLong(OperatorState::getStateSize).reversed())
          .forEach(
              op ->
                  bytes.merge(
                      op.getOperatorUid()
                          .or(op::getOperatorName)
                          .orElse(op.getOperatorID().toString()),
                      op.getStateSize(),
                      Long::sum));
      return bytes;
    } catch (IOException | RuntimeException e) {
      return Map.of(); // removed under us by the next checkpoint: the caller asks again later
    }
  }

  private static Optional<Path> newestMetadata(Path checkpoints) {
    if (!Files.isDirectory(checkpoints)) {
      return Optional.empty();
    }
    try (Stream<Path> jobs = Files.list(checkpoints)) {
      return jobs.filter(Files::isDirectory)
          .flatMap(CheckpointBreakdown::completed)
          .max(Comparator.comparingLong(CheckpointBreakdown::number));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  private static Stream<Path> completed(Path job) {
    try (Stream<Path> entries = Files.list(job)) {
      return entries
          .filter(p -> p.getFileName().toString().startsWith("chk-"))
          .map(p -> p.resolve("_metadata"))
          .filter(Files::isRegularFile)
          .toList()
          .stream();
    } catch (IOException e) {
      return Stream.empty();
    }
  }

  private static long number(Path metadata) {
    return Long.parseLong(metadata.getParent().getFileName().toString().substring(4));
  }
}

package io.streetsense.cli;

import io.streetsense.app.ConfigFileOption;
import io.streetsense.app.KafkaOptions;
import io.streetsense.app.ServiceOptions;
import io.streetsense.blockmap.BlockMap;
import io.streetsense.blockmap.BlockMapLoader;
import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.explain.Explanation;
import io.streetsense.detectors.explain.ZoneExplainer;
import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.Topics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code streetsense explain}: why a zone's rule did or did not file an order. Reads the zone's
 * device records from the pipeline's Kafka topics (what the bridge wrote), replays them through the
 * job's own detector code ({@link ZoneExplainer}) and prints the rule's condition over time and a
 * verdict.
 */
@Command(
    name = "explain",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Explain why an order was (not) filed for a zone: replay its device records from Kafka.",
      "",
      "Reads the camera frames and berth messages the bridge wrote to Kafka for the zone's"
          + " devices, from the rule's longest dwell or clear time (for parking overflow at least"
          + " the sensors' offline limit) before --from to --to, and replays them through the"
          + " job's own detector code in event-time order, duplicates dropped. Prints a line when"
          + " the rule's condition changes, a summary every --every of event time and the"
          + " violation events (OPENED, UPDATED, CLEARED) at their instants, in the block's"
          + " timezone, then a verdict.",
      "",
      "Times: 2026-12-06T14:00:00+08:00, or 2026-12-06T14:00 / '2026-12-06 14:00' / 14:00"
          + " (today) in the block's timezone."
    })
final class ExplainCommand implements Callable<Integer> {
  @Mixin KafkaOptions kafka;
  @Mixin ConfigFileOption config;

  @Option(
      names = "--blockmaps",
      paramLabel = "DIR",
      description = "Folder of block-map YAML files (one per block).")
  Path blockMaps;

  @Option(names = "--block", paramLabel = "ID", description = "The block's id.")
  String block;

  @Option(
      names = "--zone",
      paramLabel = "ID",
      description = "The zone's id: a presence zone, or a parking zone.")
  String zone;

  @Option(names = "--from", paramLabel = "TIME", description = "Start of the window to explain.")
  String from;

  @Option(names = "--to", paramLabel = "TIME", description = "End of the window to explain.")
  String to;

  @Option(
      names = "--every",
      paramLabel = "DURATION",
      defaultValue = "60s",
      description =
          "A summary every this much event time (30s, 5m, PT1M). Default: ${DEFAULT-VALUE}.")
  String every;

  @Option(
      names = "--format",
      paramLabel = "text|json",
      defaultValue = "text",
      description = "text, or json (one object a line). Default: ${DEFAULT-VALUE}.")
  String format;

  @Option(
      names = "--read-timeout",
      paramLabel = "DURATION",
      defaultValue = "PT2M",
      description = "Give up reading Kafka after this long. Default: ${DEFAULT-VALUE}.")
  Duration readTimeout;

  @Spec CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    // The explanation is the output (and --format json is read by programs): the libraries' and
    // the block-map loader's progress lines would go to the same console, so only warnings here.
    Configurator.setLevel("io.streetsense", Level.WARN);
    if (!format.equals("text") && !format.equals("json")) {
      throw new IllegalArgumentException("--format must be text or json, got " + format);
    }
    BlockMaps maps = BlockMapLoader.loadDirectory(ServiceOptions.require(blockMaps, "--blockmaps"));
    String blockId = ServiceOptions.require(block, "--block");
    BlockMap map =
        maps.block(blockId)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "no block "
                            + blockId
                            + " in "
                            + blockMaps
                            + " (there are "
                            + maps.ids()
                            + ")"));
    ZoneId timezone = map.timezone();
    Instant start = parseTime(ServiceOptions.require(from, "--from"), timezone, "--from");
    Instant end = parseTime(ServiceOptions.require(to, "--to"), timezone, "--to");
    ZoneExplainer explainer =
        new ZoneExplainer(
            map,
            ServiceOptions.require(zone, "--zone"),
            DetectorConfig.defaults(),
            start,
            end,
            parseDuration(every));

    Read read = read(explainer, blockId);
    spec.commandLine()
        .getErr()
        .printf(
            "read %d camera frames and %d sensor messages of %s from %s and %s (%d records"
                + " looked at, %d undecodable)%n",
            read.frames,
            read.sensorMessages,
            blockId,
            kafka.topics().camera(),
            kafka.topics().parking(),
            read.looked,
            read.undecodable);
    if (read.timedOut) {
      spec.commandLine()
          .getErr()
          .println("streetsense explain: stopped reading after --read-timeout " + readTimeout);
    }
    Explanation explanation = explainer.explain();
    PrintWriter out = spec.commandLine().getOut();
    out.print(format.equals("json") ? explanation.toJson() : explanation.toText());
    out.flush();
    return 0;
  }

  private static final class Read {
    long looked;
    long frames;
    long sensorMessages;
    long undecodable;
    boolean timedOut;
  }

  /**
   * Reads both device topics from where Kafka's timestamps (ingestion time, never before the event
   * time) reach the replay's start, until each partition's records pass the replay's end in event
   * time or the partition's end as it was when reading began.
   */
  private Read read(ZoneExplainer explainer, String blockId) throws IOException {
    Topics topics = kafka.topics();
    Properties properties = kafka.clientProperties();
    properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    properties.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    properties.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    properties.put(ConsumerConfig.CLIENT_ID_CONFIG, "streetsense-explain");
    AvroCodec<CameraFrame> frames = AvroCodec.of(CameraFrame.class);
    AvroCodec<ParkingSensorEvent> sensors = AvroCodec.of(ParkingSensorEvent.class);
    byte[] keyPrefix = (blockId + "/").getBytes(StandardCharsets.UTF_8);
    long seekTo = explainer.replayFrom().toEpochMilli();
    long stopAfter = explainer.replayTo().toEpochMilli();
    Read read = new Read();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      List<TopicPartition> partitions = new ArrayList<>();
      for (String topic : List.of(topics.camera(), topics.parking())) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        if (infos == null || infos.isEmpty()) {
          throw new IllegalArgumentException(
              "no topic " + topic + " on " + kafka.bootstrapServers());
        }
        infos.forEach(p -> partitions.add(new TopicPartition(p.topic(), p.partition())));
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
      Map<TopicPartition, Long> times = new HashMap<>();
      partitions.forEach(p -> times.put(p, seekTo));
      Map<TopicPartition, OffsetAndTimestamp> starts = consumer.offsetsForTimes(times);
      Set<TopicPartition> open = new HashSet<>();
      for (TopicPartition partition : partitions) {
        OffsetAndTimestamp startAt = starts.get(partition);
        long offset = startAt == null ? ends.get(partition) : startAt.offset();
        consumer.seek(partition, offset);
        if (offset < ends.get(partition)) {
          open.add(partition);
        }
      }
      consumer.pause(difference(partitions, open));
      long deadline = System.nanoTime() + readTimeout.toNanos();
      while (!open.isEmpty()) {
        if (System.nanoTime() > deadline) {
          read.timedOut = true;
          break;
        }
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(500))) {
          TopicPartition partition = new TopicPartition(record.topic(), record.partition());
          if (!open.contains(partition)) {
            continue;
          }
          read.looked++;
          if (record.offset() + 1 >= ends.get(partition)) {
            close(consumer, open, partition);
          }
          if (record.key() == null
              || !startsWith(record.key(), keyPrefix)
              || record.value() == null) {
            continue;
          }
          try {
            long eventTime;
            if (record.topic().equals(topics.camera())) {
              CameraFrame frame = frames.decode(record.value());
              eventTime = frame.getEventTime().toEpochMilli();
              if (explainer.offer(frame)) {
                read.frames++;
              }
            } else {
              ParkingSensorEvent event = sensors.decode(record.value());
              eventTime = event.getEventTime().toEpochMilli();
              if (explainer.offer(event)) {
                read.sensorMessages++;
              }
            }
            if (eventTime > stopAfter) {
              close(consumer, open, partition); // past the window and the watermark bound
            }
          } catch (IOException e) {
            read.undecodable++;
          }
        }
        for (TopicPartition partition : new ArrayList<>(open)) {
          if (consumer.position(partition) >= ends.get(partition)) {
            close(consumer, open, partition);
          }
        }
      }
    }
    return read;
  }

  private static void close(
      KafkaConsumer<byte[], byte[]> consumer, Set<TopicPartition> open, TopicPartition partition) {
    if (open.remove(partition)) {
      consumer.pause(List.of(partition));
    }
  }

  private static List<TopicPartition> difference(
      List<TopicPartition> all, Set<TopicPartition> open) {
    List<TopicPartition> rest = new ArrayList<>(all);
    rest.removeAll(open);
    return rest;
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) {
      return false;
    }
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) {
        return false;
      }
    }
    return true;
  }

  /** An instant with offset, or a local date-time / time of day today in the block's timezone. */
  static Instant parseTime(String text, ZoneId timezone, String option) {
    String value = text.trim().replace(' ', 'T');
    try {
      return OffsetDateTime.parse(value).toInstant();
    } catch (DateTimeParseException notOffset) {
      // next form
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException notInstant) {
      // next form
    }
    try {
      return LocalDateTime.parse(value).atZone(timezone).toInstant();
    } catch (DateTimeParseException notLocal) {
      // next form
    }
    try {
      return LocalTime.parse(value).atDate(LocalDate.now(timezone)).atZone(timezone).toInstant();
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          option
              + ": cannot read '"
              + text
              + "' as a time (2026-12-06T14:00:00+08:00, 2026-12-06T14:00 or 14:00 in the"
              + " block's timezone)");
    }
  }

  /** 30s, 5m, 1h, or ISO-8601 (PT30S). */
  static Duration parseDuration(String text) {
    String value = text.trim().toLowerCase(Locale.ROOT);
    try {
      if (value.startsWith("pt") || value.startsWith("p")) {
        return Duration.parse(value.toUpperCase(Locale.ROOT));
      }
      long amount = Long.parseLong(value.substring(0, value.length() - 1));
      return switch (value.charAt(value.length() - 1)) {
        case 's' -> Duration.ofSeconds(amount);
        case 'm' -> Duration.ofMinutes(amount);
        case 'h' -> Duration.ofHours(amount);
        default -> throw new NumberFormatException();
      };
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("--every: cannot read '" + text + "' (30s, 5m, 1h, PT1M)");
    }
  }
}

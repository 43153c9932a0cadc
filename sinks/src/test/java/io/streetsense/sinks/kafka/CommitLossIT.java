package io.streetsense.sinks.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streetsense.schemas.AvroCodec;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.services.InfluxDb;
import io.streetsense.services.KafkaBroker;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.CheckpointingMode;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Downtime longer than the Kafka transaction timeout, against a real broker and InfluxDB: a job
 * copies numbered records from one topic to another through the exactly-once sink, and the test
 * compares what went in with what read_committed readers see.
 *
 * <p>The fault is made exact by holding one commit on the task thread (as a TaskManager that hangs
 * or a job that is down right after a checkpoint would) for longer than a shortened {@code
 * transaction.timeout.ms}: the broker aborts that checkpoint's transaction, its records are lost,
 * and the test demands that the loss is reported — ERROR line, InfluxDB point — and that nothing
 * else is lost or doubled. The control run restarts the job without the timeout passing: the
 * connector's failed re-commits on restore must be recognised as harmless and nothing reported.
 */
class CommitLossIT {
  private static final int RECORDS = 3000;
  private static final Duration PRODUCE_EVERY = Duration.ofMillis(4);
  private static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(4);

  /** Longer than the timeout plus the broker's abort sweep (1 s here), with a margin. */
  private static final Duration HELD_COMMIT = Duration.ofSeconds(9);

  private static final Duration CHECKPOINT_INTERVAL = Duration.ofMillis(500);
  private static final Duration DRAIN_TIMEOUT = Duration.ofSeconds(90);
  private static final AvroCodec<DeadLetter> CODEC = AvroCodec.of(DeadLetter.class);

  @TempDir static Path workDir;
  private static KafkaBroker kafka;
  private static InfluxDb influx;
  private static final List<LogEvent> reports = new CopyOnWriteArrayList<>();

  /** Set by the test; the next non-empty commit clears it and is held. */
  static final AtomicBoolean HOLD_NEXT_COMMIT = new AtomicBoolean();

  /** Set by the test; the next record through the job clears it and fails the task. */
  static final AtomicBoolean FAIL_NEXT_RECORD = new AtomicBoolean();

  @BeforeAll
  static void start() {
    kafka =
        KafkaBroker.builder()
            .property("transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000")
            .start(workDir.resolve("kafka"));
    influx = InfluxDb.start(workDir.resolve("influx"));
    captureReports();
  }

  @AfterAll
  static void stop() {
    if (kafka != null) {
      kafka.close();
    }
    if (influx != null) {
      influx.close();
    }
  }

  @Test
  void commitHeldPastTheTransactionTimeout_losesOneCheckpoint_andReportsIt() throws Exception {
    Run run = play("held", () -> HOLD_NEXT_COMMIT.set(true));

    List<String> lostIds = transactionalIds(run.reports(), "OUTPUT LOST on topic " + run.out());
    System.out.printf(
        "[CommitLossIT held] in %d, out %d, lost %d (seq %s), doubled %d; OUTPUT LOST lines %d"
            + " for %s; InfluxDB lost_transactions %d%n",
        RECORDS,
        run.committed().size(),
        run.missing().size(),
        ranges(run.missing()),
        run.doubled(),
        lostIds.size(),
        new TreeSet<>(lostIds),
        run.lostPoints());
    assertTrue(
        !run.missing().isEmpty(),
        "the held commit's checkpoint is lost (else the fault was not injected)");
    assertEquals(
        1,
        ranges(run.missing()).size(),
        "only one checkpoint's records are lost: " + ranges(run.missing()));
    assertEquals(0, run.doubled(), "nothing committed twice");
    assertEquals(
        1, new TreeSet<>(lostIds).size(), "one lost transaction, named in the ERROR lines");
    assertTrue(run.lostPoints() >= 1, "InfluxDB has the pipeline,stage=commit loss point");
  }

  @Test
  void restartWithinTheTimeout_losesNothing_andReportsNothing() throws Exception {
    Run run = play("restart", () -> FAIL_NEXT_RECORD.set(true));

    long harmless =
        run.reports().stream()
            .filter(e -> e.getMessage().getFormattedMessage().contains(run.out()))
            .filter(e -> e.getMessage().getFormattedMessage().contains("had been committed"))
            .count();
    System.out.printf(
        "[CommitLossIT restart] in %d, out %d, lost %d, doubled %d; re-commits recognised as"
            + " harmless %d; OUTPUT LOST lines %d%n",
        RECORDS,
        run.committed().size(),
        run.missing().size(),
        run.doubled(),
        harmless,
        transactionalIds(run.reports(), "OUTPUT LOST").size());
    assertEquals(List.of(), ranges(run.missing()), "nothing lost");
    assertEquals(0, run.doubled(), "nothing committed twice");
    assertEquals(List.of(), transactionalIds(run.reports(), "OUTPUT LOST"), "no false alarm");
    assertEquals(0, run.lostPoints(), "no loss point in InfluxDB");
  }

  private record Run(
      String out,
      Map<Integer, Integer> committed,
      List<Integer> missing,
      List<LogEvent> reports,
      long lostPoints) {
    long doubled() {
      return committed.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
    }
  }

  /**
   * Runs the copy job on fresh topics, produces {@link #RECORDS} numbered records at a steady pace,
   * arms the fault once the job has committed output, and reads the output until every record is
   * there or nothing new has come for a while.
   */
  private Run play(String name, Runnable fault) throws Exception {
    String in = "loss-" + name + ".in";
    String out = "loss-" + name + ".out";
    String database = "loss_" + name;
    kafka.createTopics(List.of(new NewTopic(in, 1, (short) 1), new NewTopic(out, 1, (short) 1)));
    int reportsBefore = reports.size();

    Properties client = new Properties();
    client.setProperty("transaction.timeout.ms", String.valueOf(TRANSACTION_TIMEOUT.toMillis()));
    Configuration conf = new Configuration();
    conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 5);
    conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofMillis(500));
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
    env.setParallelism(1);
    env.enableCheckpointing(CHECKPOINT_INTERVAL.toMillis(), CheckpointingMode.EXACTLY_ONCE);
    env.fromSource(
            AvroKafkaSources.committed(
                kafka.bootstrapServers(),
                in,
                "loss-" + name,
                DeadLetter.class,
                OffsetsInitializer.earliest(),
                new Properties()),
            WatermarkStrategy.noWatermarks(),
            "numbered records")
        .uid("source")
        .map(new FailOnDemand())
        .uid("fail-on-demand")
        .sinkTo(
            new HeldCommits<>(
                AvroKafkaSinks.exactlyOnce(
                        kafka.bootstrapServers(),
                        out,
                        DeadLetter.class,
                        DeadLetter::getSource,
                        "loss-" + name,
                        client)
                    .withMetrics(InfluxDbSettings.of(influx.url(), database))))
        .uid("sink");
    JobClient job = env.executeAsync("commit-loss-" + name);
    Map<Integer, Integer> committed = new TreeMap<>();
    try (KafkaProducer<byte[], byte[]> producer = producer();
        KafkaConsumer<byte[], byte[]> reader = committedReader(out)) {
      boolean armed = false;
      long lastNew = System.nanoTime();
      int produced = 0;
      long nextSend = System.nanoTime();
      while (committed.size() < RECORDS && System.nanoTime() - lastNew < DRAIN_TIMEOUT.toNanos()) {
        while (produced < RECORDS && System.nanoTime() >= nextSend) {
          producer.send(new ProducerRecord<>(in, record(produced++)));
          nextSend += PRODUCE_EVERY.toNanos();
        }
        for (ConsumerRecord<byte[], byte[]> r : reader.poll(Duration.ofMillis(20))) {
          committed.merge(Integer.parseInt(CODEC.decode(r.value()).getDetail()), 1, Integer::sum);
          lastNew = System.nanoTime();
        }
        if (!armed && committed.size() >= RECORDS / 5) {
          fault.run();
          armed = true;
          System.out.printf(
              "[CommitLossIT %s] fault armed after %d records committed%n", name, committed.size());
        }
        if (produced == RECORDS && committed.size() < RECORDS && quietFor(lastNew, 20)) {
          break; // everything that will come has come
        }
      }
    } finally {
      job.cancel().get();
    }
    List<Integer> missing = new ArrayList<>();
    for (int i = 0; i < RECORDS; i++) {
      if (!committed.containsKey(i)) {
        missing.add(i);
      }
    }
    List<LogEvent> runReports = List.copyOf(reports.subList(reportsBefore, reports.size()));
    return new Run(out, committed, missing, runReports, lostPoints(database, out));
  }

  private static boolean quietFor(long since, int seconds) {
    return System.nanoTime() - since > Duration.ofSeconds(seconds).toNanos();
  }

  private static byte[] record(int seq) {
    return CODEC.encode(
        DeadLetter.newBuilder()
            .setStage("test")
            .setReason("NUMBERED")
            .setDetail(String.valueOf(seq))
            .setSource("seq-" + seq)
            .setPayload(ByteBuffer.allocate(0))
            .setReceivedAt(Instant.now())
            .build());
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("acks", "all");
    p.setProperty("enable.idempotence", "true");
    p.setProperty("linger.ms", "5");
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static KafkaConsumer<byte[], byte[]> committedReader(String topic) {
    Properties p = new Properties();
    p.setProperty("bootstrap.servers", kafka.bootstrapServers());
    p.setProperty("isolation.level", "read_committed");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    TopicPartition partition = new TopicPartition(topic, 0);
    consumer.assign(List.of(partition));
    consumer.seekToBeginning(List.of(partition));
    return consumer;
  }

  private static long lostPoints(String database, String topic) {
    return influx.firstValue(
        database,
        "SELECT sum(lost_transactions) FROM pipeline WHERE stage = 'commit' AND topic = '"
            + topic
            + "'");
  }

  /** The transactional ids named by the report lines that contain {@code marker}. */
  private static List<String> transactionalIds(List<LogEvent> events, String marker) {
    Pattern id = Pattern.compile("transaction (\\S+) \\(producer id");
    List<String> ids = new ArrayList<>();
    for (LogEvent event : events) {
      String message = event.getMessage().getFormattedMessage();
      Matcher m = id.matcher(message);
      if (message.contains(marker) && m.find()) {
        ids.add(m.group(1));
      }
    }
    return ids;
  }

  /** Runs of consecutive numbers, as "a-b". */
  private static List<String> ranges(List<Integer> numbers) {
    List<String> ranges = new ArrayList<>();
    for (int i = 0; i < numbers.size(); ) {
      int j = i;
      while (j + 1 < numbers.size() && numbers.get(j + 1) == numbers.get(j) + 1) {
        j++;
      }
      ranges.add(numbers.get(i) + "-" + numbers.get(j));
      i = j + 1;
    }
    return ranges;
  }

  /** Keeps what the commit-loss reporter logs, to check the loud signal itself. */
  private static void captureReports() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    AbstractAppender appender =
        new AbstractAppender("commit-loss-reports", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            reports.add(event.toImmutable());
          }
        };
    appender.start();
    LoggerConfig logger = new LoggerConfig(CommitLossReporter.class.getName(), Level.INFO, true);
    logger.addAppender(appender, Level.INFO, null);
    context.getConfiguration().addLogger(CommitLossReporter.class.getName(), logger);
    context.updateLoggers();
  }

  /** Fails the task once when {@link #FAIL_NEXT_RECORD} is set: a restart within the timeout. */
  private static final class FailOnDemand implements MapFunction<DeadLetter, DeadLetter> {
    @Override
    public DeadLetter map(DeadLetter record) {
      if (FAIL_NEXT_RECORD.getAndSet(false)) {
        throw new IllegalStateException("task failure injected by CommitLossIT");
      }
      return record;
    }
  }

  /**
   * The product sink with one commit held on the task thread when {@link #HOLD_NEXT_COMMIT} is set:
   * the transaction waits, committed by nobody, past its timeout.
   */
  private static final class HeldCommits<T>
      implements Sink<T>,
          SupportsWriterState<T, KafkaWriterState>,
          SupportsCommitter<KafkaCommittable>,
          SupportsPostCommitTopology<KafkaCommittable> {
    private final CommitLossReportingSink<T> sink;

    HeldCommits(CommitLossReportingSink<T> sink) {
      this.sink = sink;
    }

    @Override
    public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
      return sink.createWriter(context);
    }

    @Override
    public StatefulSinkWriter<T, KafkaWriterState> restoreWriter(
        WriterInitContext context, Collection<KafkaWriterState> state) throws IOException {
      return sink.restoreWriter(context, state);
    }

    @Override
    public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
      return sink.getWriterStateSerializer();
    }

    @Override
    public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
        throws IOException {
      Committer<KafkaCommittable> committer = sink.createCommitter(context);
      return new Committer<>() {
        @Override
        public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
            throws IOException, InterruptedException {
          if (!requests.isEmpty() && HOLD_NEXT_COMMIT.getAndSet(false)) {
            System.out.printf(
                "[CommitLossIT] holding the commit of %s for %d s%n",
                requests.iterator().next().getCommittable().getTransactionalId(),
                HELD_COMMIT.toSeconds());
            Thread.sleep(HELD_COMMIT.toMillis());
          }
          committer.commit(requests);
        }

        @Override
        public void close() throws Exception {
          committer.close();
        }
      };
    }

    @Override
    public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
      return sink.getCommittableSerializer();
    }

    @Override
    public void addPostCommitTopology(
        DataStream<CommittableMessage<KafkaCommittable>> committables) {
      sink.addPostCommitTopology(committables);
    }
  }
}

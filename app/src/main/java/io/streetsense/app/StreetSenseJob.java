package io.streetsense.app;

import io.streetsense.blockmap.BlockMaps;
import io.streetsense.detectors.DetectorConfig;
import io.streetsense.detectors.Detectors;
import io.streetsense.schemas.CameraFrame;
import io.streetsense.schemas.DeadLetter;
import io.streetsense.schemas.ParkingSensorEvent;
import io.streetsense.schemas.TeamAction;
import io.streetsense.schemas.Topics;
import io.streetsense.schemas.ViolationEvent;
import io.streetsense.schemas.WorkOrder;
import io.streetsense.sinks.kafka.AvroKafkaSinks;
import io.streetsense.sinks.kafka.AvroKafkaSources;
import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.sinks.metrics.InfluxDbSink;
import io.streetsense.sinks.metrics.MetricPoint;
import io.streetsense.sinks.pipeline.PipelineStages;
import io.streetsense.sinks.workorders.RefusedAction;
import io.streetsense.sinks.workorders.ShopOffenceCount;
import io.streetsense.sinks.workorders.ShopOffences;
import io.streetsense.sinks.workorders.TeamActions;
import io.streetsense.sinks.workorders.WorkOrderConfig;
import io.streetsense.sinks.workorders.WorkOrderIds;
import io.streetsense.sinks.workorders.WorkOrderProcessor;
import io.streetsense.sinks.workorders.WorkOrderTallies;
import io.streetsense.sinks.workorders.WorkOrderTally;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;
import picocli.CommandLine;

/**
 * The StreetSense Flink job: device records from Kafka, through the detectors and the work-order
 * operator, to violation and work-order topics and InfluxDB metrics.
 *
 * <p>{@link #defineWorkflow} is a function of its sources and sinks, so tests run the same wiring
 * on bounded inputs; {@link #defineKafkaWorkflow} plugs in the real Kafka and InfluxDB ends. The
 * job is the single writer of violation and work-order state, exactly once and in event time.
 */
public final class StreetSenseJob {
  /** The Kafka consumer group of the job's device and action sources when none is set. */
  public static final String DEFAULT_CONSUMER_GROUP = "streetsense-detectors";

  /**
   * The prefix of the job's transactional ids ({@code <prefix>-violations-…}, {@code
   * <prefix>-workorders-…}); Kafka ACLs for the job's principal name it.
   */
  public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "streetsense-job";

  public static final String UID_WORK_ORDERS = "work-orders";
  public static final String UID_SHOP_OFFENCES = "work-orders-shop-offences";
  public static final String UID_WORK_ORDER_TALLIES = "work-order-tallies";

  private StreetSenseJob() {}

  /**
   * The job jar's entry point, for {@code flink run} and the REST API's {@code /jars/{id}/run}
   * (deploy/README.md, "Running on a Flink cluster"): the options of {@code streetsense job}, e.g.
   * {@code --kafka broker:9092 --influx http://influx:8086 --blockmaps /etc/streetsense/blocks},
   * also from {@code --config FILE}. On a REST submission this runs inside the JobManager, so it
   * never exits the JVM: bad options throw, and the submission fails with their message.
   */
  public static void main(String[] args) throws Exception {
    JobCommand job = new JobCommand();
    CommandLine cli = new CommandLine(job);
    ConfigFileOption.install(cli, args);
    CommandLine.ParseResult parsed;
    try {
      parsed = cli.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + "\n" + cli.getUsageMessage(), e);
    }
    if (parsed.isUsageHelpRequested()) {
      cli.usage(System.out);
      return;
    }
    job.call();
  }

  /** Where the job's records go. */
  public record JobSinks(
      Sink<ViolationEvent> violations,
      Sink<WorkOrder> workOrders,
      Sink<DeadLetter> deadLetters,
      Sink<MetricPoint> metrics) {}

  /** How the job connects to Kafka and InfluxDB. */
  public record Settings(
      String kafkaBootstrapServers,
      Properties kafkaClientProperties,
      Topics topics,
      String consumerGroup,
      String transactionalIdPrefix,
      InfluxDbSettings influx,
      DetectorConfig detectors,
      Duration checkpointInterval) {
    public Settings {
      Objects.requireNonNull(kafkaBootstrapServers, "kafkaBootstrapServers");
      Objects.requireNonNull(topics, "topics");
      Objects.requireNonNull(influx, "influx");
      Objects.requireNonNull(detectors, "detectors");
      Objects.requireNonNull(checkpointInterval, "checkpointInterval");
      kafkaClientProperties =
          kafkaClientProperties == null ? new Properties() : kafkaClientProperties;
      consumerGroup = consumerGroup == null ? DEFAULT_CONSUMER_GROUP : consumerGroup;
      transactionalIdPrefix =
          transactionalIdPrefix == null ? DEFAULT_TRANSACTIONAL_ID_PREFIX : transactionalIdPrefix;
    }
  }

  /**
   * Wires the whole job between the given sources and sinks. Team actions come from {@code
   * actionsSource}; a refused action becomes a dead letter naming {@code actionsTopic} as its
   * source.
   */
  public static void defineWorkflow(
      StreamExecutionEnvironment env,
      Source<ParkingSensorEvent, ?, ?> parkingSource,
      Source<CameraFrame, ?, ?> cameraSource,
      Source<TeamAction, ?, ?> actionsSource,
      String actionsTopic,
      JobSinks sinks,
      BlockMaps blockMaps,
      DetectorConfig config,
      WorkOrderConfig workOrderConfig,
      Clock clock) {
    // Chained operators pass records by reference instead of a deep copy each (a camera frame was
    // copied three times: for the stage tally beside the source, and for zone admission and device
    // signals behind the duplicate filter — 7 % of the job's CPU in the load test). Safe here
    // because no function modifies a record it was given, and none keeps one beyond the call
    // except in keyed state behind a network edge, where every record is freshly deserialized;
    // the functions that emit create a new record each time. Keep it that way in new operators.
    env.getConfig().enableObjectReuse();
    DataStream<ParkingSensorEvent> parking =
        env.fromSource(parkingSource, Detectors.parkingWatermarks(config), "parking sensors")
            .uid("source-parking");
    DataStream<CameraFrame> frames =
        env.fromSource(cameraSource, Detectors.cameraWatermarks(config), "camera frames")
            .uid("source-camera");
    // An action's event time is its requestedAt; idleness keeps a quiet actions topic from
    // holding back the street's watermark (sinks/README.md, "Time").
    DataStream<TeamAction> actions =
        env.fromSource(actionsSource, TeamActions.watermarks(workOrderConfig), "team actions")
            .uid("source-actions");

    Detectors.Streams detected = Detectors.define(parking, frames, blockMaps, config);

    SingleOutputStreamOperator<WorkOrder> loop =
        detected
            .violations()
            .keyBy(v -> WorkOrderIds.ownerKey(v.getBlockId(), v.getZoneId(), v.getType()))
            .connect(actions.keyBy(TeamActions::orderKey))
            .process(new WorkOrderProcessor(blockMaps, clock, workOrderConfig))
            .returns(TypeInformation.of(WorkOrder.class))
            .uid(UID_WORK_ORDERS)
            .name("work orders");
    SingleOutputStreamOperator<WorkOrder> workOrders =
        loop.keyBy(ShopOffences::keyOf)
            .process(new ShopOffences(workOrderConfig))
            .returns(TypeInformation.of(WorkOrder.class))
            .uid(UID_SHOP_OFFENCES)
            .name("shop repeat offences");
    DataStream<WorkOrderTally> tallies =
        loop.getSideOutput(WorkOrderProcessor.TALLIES)
            .keyBy(WorkOrderTally::key)
            .process(new WorkOrderTallies(workOrderConfig))
            .returns(TypeInformation.of(WorkOrderTally.class))
            .uid(UID_WORK_ORDER_TALLIES)
            .name("work-order tallies");
    DataStream<ShopOffenceCount> shopCounts = workOrders.getSideOutput(ShopOffences.COUNTS);
    DataStream<DeadLetter> refused =
        loop.getSideOutput(WorkOrderProcessor.REFUSED)
            .map((RefusedAction r) -> r.toDeadLetter(actionsTopic))
            .returns(TypeInformation.of(DeadLetter.class))
            .uid("refused-actions")
            .name("refused actions to dead letters");

    detected.violations().sinkTo(sinks.violations()).uid("sink-violations").name("violations");
    workOrders.sinkTo(sinks.workOrders()).uid("sink-workorders").name("work orders to Kafka");
    detected
        .deadLetters()
        .union(refused)
        .sinkTo(sinks.deadLetters())
        .uid("sink-deadletters")
        .name("dead letters");

    DataStream<MetricPoint> points =
        detected
            .occupancy()
            .map(MetricPoints::parkingOccupancy)
            .returns(TypeInformation.of(MetricPoint.class))
            .uid("metrics-occupancy")
            .name("parking_occupancy points")
            .union(
                detected
                    .violations()
                    .map(MetricPoints::violation)
                    .returns(TypeInformation.of(MetricPoint.class))
                    .uid("metrics-violations")
                    .name("violations points"),
                tallies
                    .map(MetricPoints::workOrders)
                    .returns(TypeInformation.of(MetricPoint.class))
                    .uid("metrics-workorders")
                    .name("workorders points"),
                tallies
                    .map(MetricPoints::closure)
                    .returns(TypeInformation.of(MetricPoint.class))
                    .uid("metrics-closure")
                    .name("closure points"),
                shopCounts
                    .map(MetricPoints::shopOffences)
                    .returns(TypeInformation.of(MetricPoint.class))
                    .uid("metrics-shop-offences")
                    .name("shop_offences points"),
                detected
                    .health()
                    .map(MetricPoints::deviceHealth)
                    .returns(TypeInformation.of(MetricPoint.class))
                    .uid("metrics-device-health")
                    .name("device_health points"),
                PipelineStages.detect(
                    parking,
                    frames,
                    detected.deadLetters(),
                    workOrderConfig.metricsInterval(),
                    clock));
    points.sinkTo(sinks.metrics()).uid("sink-influxdb").name("metrics to InfluxDB");
  }

  /** Wires the job onto the real Kafka topics and InfluxDB, with exactly-once checkpoints. */
  public static void defineKafkaWorkflow(
      StreamExecutionEnvironment env, Settings settings, BlockMaps blockMaps, Clock clock) {
    env.enableCheckpointing(
        settings.checkpointInterval().toMillis(), CheckpointingMode.EXACTLY_ONCE);
    Topics topics = settings.topics();
    String kafka = settings.kafkaBootstrapServers();
    Properties client = settings.kafkaClientProperties();
    // A new consumer group starts from the beginning of the device topics: the log is the truth.
    OffsetsInitializer start = OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);

    JobSinks sinks =
        new JobSinks(
            AvroKafkaSinks.exactlyOnce(
                    kafka,
                    topics.violations(),
                    ViolationEvent.class,
                    v -> v.getBlockId() + "/" + v.getZoneId() + "/" + v.getType(),
                    settings.transactionalIdPrefix() + "-violations",
                    client)
                .withMetrics(settings.influx()),
            AvroKafkaSinks.exactlyOnce(
                    kafka,
                    topics.workOrders(),
                    WorkOrder.class,
                    WorkOrder::getId,
                    settings.transactionalIdPrefix() + "-workorders",
                    client)
                .withMetrics(settings.influx()),
            AvroKafkaSinks.atLeastOnce(
                kafka, topics.deadLetters(), DeadLetter.class, DeadLetter::getSource, client),
            new InfluxDbSink(settings.influx()));

    defineWorkflow(
        env,
        AvroKafkaSources.committed(
            kafka,
            topics.parking(),
            settings.consumerGroup(),
            ParkingSensorEvent.class,
            start,
            client),
        AvroKafkaSources.committed(
            kafka, topics.camera(), settings.consumerGroup(), CameraFrame.class, start, client),
        AvroKafkaSources.committed(
            kafka, topics.actions(), settings.consumerGroup(), TeamAction.class, start, client),
        topics.actions(),
        sinks,
        blockMaps,
        settings.detectors(),
        WorkOrderConfig.defaults(),
        clock);
  }
}

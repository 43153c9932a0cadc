package io.streetsense.sinks.kafka;

import io.streetsense.sinks.metrics.InfluxDbSettings;
import io.streetsense.sinks.metrics.InfluxDbWriter;
import io.streetsense.sinks.metrics.MetricPoint;
import io.streetsense.sinks.pipeline.StageTotals;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The committer of {@link CommitLossReportingSink}: lets the connector's committer commit, watches
 * which requests it gave up on, and asks the broker whether each of those was committed after all.
 */
final class CommitLossReporter implements Committer<KafkaCommittable> {
  private static final Logger LOG = LoggerFactory.getLogger(CommitLossReporter.class);
  static final String STAGE = "commit";

  private final Committer<KafkaCommittable> delegate;
  private final TransactionOutcomes outcomes;
  private final String topic;
  private final long transactionTimeoutMs;
  private final InfluxDbSettings metricsSettings;
  private final Counter lost;
  private final Counter alreadyCommitted;
  private InfluxDbWriter metrics;

  CommitLossReporter(
      Committer<KafkaCommittable> delegate,
      MetricGroup metricGroup,
      TransactionOutcomes outcomes,
      String topic,
      long transactionTimeoutMs,
      InfluxDbSettings metricsSettings) {
    this.delegate = delegate;
    this.outcomes = outcomes;
    this.topic = topic;
    this.transactionTimeoutMs = transactionTimeoutMs;
    this.metricsSettings = metricsSettings;
    this.lost = metricGroup.counter("streetsenseTransactionsLost");
    this.alreadyCommitted = metricGroup.counter("streetsenseTransactionsAlreadyCommitted");
  }

  @Override
  public void commit(Collection<CommitRequest<KafkaCommittable>> requests)
      throws IOException, InterruptedException {
    List<WatchedRequest> watched = new ArrayList<>(requests.size());
    for (CommitRequest<KafkaCommittable> request : requests) {
      watched.add(new WatchedRequest(request));
    }
    delegate.commit(new ArrayList<>(watched));
    for (WatchedRequest request : watched) {
      if (request.failure != null) {
        report(request.getCommittable(), request.failure);
      }
    }
  }

  private void report(KafkaCommittable committable, Throwable failure) {
    String id = committable.getTransactionalId();
    TransactionOutcomes.Outcome outcome = outcomes.of(id, committable.getProducerId());
    if (outcome.committed()) {
      alreadyCommitted.inc();
      LOG.info(
          "Transaction {} of topic {} had been committed before this attempt ({}): the"
              + " connector's failed-commit message for it above is harmless, nothing was lost",
          id,
          topic,
          outcome.detail());
      return;
    }
    lost.inc();
    LOG.error(
        "OUTPUT LOST on topic {}: transaction {} (producer id {}, epoch {}) could not be committed"
            + " ({}) and the broker does not have it committed ({}). Its records — this sink's"
            + " output of one checkpoint interval — will never be visible to read_committed"
            + " readers, and the restored job will not produce them again. The usual cause is the"
            + " job or Kafka being down between a checkpoint and its commit for longer than"
            + " transaction.timeout.ms ({} ms): recover faster, or raise transaction.timeout.ms"
            + " (and the brokers' transaction.max.timeout.ms) above the longest outage to ride out."
            + " The lost records are those derived from the input between the two checkpoints"
            + " before this one; see deploy/README.md, 'Downtime longer than the Kafka transaction"
            + " timeout'.",
        topic,
        id,
        committable.getProducerId(),
        committable.getEpoch(),
        failure.toString(),
        outcome.detail(),
        transactionTimeoutMs);
    writeLossPoint();
  }

  private void writeLossPoint() {
    if (metricsSettings == null) {
      return;
    }
    if (metrics == null) {
      metrics = new InfluxDbWriter(metricsSettings);
    }
    metrics.write(
        MetricPoint.measurement(StageTotals.MEASUREMENT)
            .tag("stage", STAGE)
            .tag("topic", topic)
            .field("lost_transactions", 1L)
            .at(System.currentTimeMillis()));
  }

  @Override
  public void close() throws Exception {
    try {
      delegate.close();
    } finally {
      outcomes.close();
      if (metrics != null) {
        // Closing drains what is buffered (bounded wait): a loss point must not die with the task.
        metrics.close();
      }
    }
  }

  /**
   * A request passed to the connector's committer unchanged, remembering whether it gave up on it.
   */
  private static final class WatchedRequest implements CommitRequest<KafkaCommittable> {
    private final CommitRequest<KafkaCommittable> request;
    private Throwable failure;

    WatchedRequest(CommitRequest<KafkaCommittable> request) {
      this.request = request;
    }

    @Override
    public KafkaCommittable getCommittable() {
      return request.getCommittable();
    }

    @Override
    public int getNumberOfRetries() {
      return request.getNumberOfRetries();
    }

    @Override
    public void signalFailedWithKnownReason(Throwable t) {
      failure = t;
      request.signalFailedWithKnownReason(t);
    }

    @Override
    public void signalFailedWithUnknownReason(Throwable t) {
      failure = t;
      request.signalFailedWithUnknownReason(t);
    }

    @Override
    public void retryLater() {
      request.retryLater();
    }

    @Override
    public void updateAndRetryLater(KafkaCommittable committable) {
      request.updateAndRetryLater(committable);
    }

    @Override
    public void signalAlreadyCommitted() {
      request.signalAlreadyCommitted();
    }
  }
}

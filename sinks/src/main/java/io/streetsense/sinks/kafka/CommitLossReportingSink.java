package io.streetsense.sinks.kafka;

import io.streetsense.sinks.metrics.InfluxDbSettings;
import java.io.IOException;
import java.util.Collection;
import java.util.Objects;
import java.util.Properties;
import org.apache.flink.api.connector.sink2.Committer;
import org.apache.flink.api.connector.sink2.CommitterInitContext;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.StatefulSinkWriter;
import org.apache.flink.api.connector.sink2.SupportsCommitter;
import org.apache.flink.api.connector.sink2.SupportsWriterState;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.connector.kafka.sink.KafkaCommittable;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaWriterState;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.streaming.api.connector.sink2.CommittableMessage;
import org.apache.flink.streaming.api.connector.sink2.SupportsPostCommitTopology;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.lineage.LineageVertex;
import org.apache.flink.streaming.api.lineage.LineageVertexProvider;

/**
 * An exactly-once {@link KafkaSink} whose failed commits are never silent.
 *
 * <p>A checkpoint's records become visible when its Kafka transaction is committed, after the
 * checkpoint completed. If the job (or Kafka) is down between the two for longer than {@code
 * transaction.timeout.ms}, the broker aborts the transaction, and the restored job cannot commit it
 * any more: the source offsets in the checkpoint are already past those records, so they are lost.
 * The connector logs an ERROR when a commit fails, but it logs the same line when a restore merely
 * re-commits a transaction that had gone through, so operators learn to ignore it.
 *
 * <p>This sink asks the broker what became of every transaction whose commit failed ({@link
 * TransactionOutcomes}): committed earlier (harmless; one INFO line) or not (lost: an ERROR line
 * starting {@code OUTPUT LOST}, the Flink counter {@code streetsenseTransactionsLost} on the
 * committer, and a {@code pipeline} point {@code stage=commit} with {@code lost_transactions} in
 * InfluxDB when {@link #withMetrics} was given). Writer, state and serializers are the wrapped
 * sink's, so a savepoint taken with a plain {@code KafkaSink} under the same uid holds the same
 * state (not tested across that change).
 */
public final class CommitLossReportingSink<T>
    implements Sink<T>,
        SupportsWriterState<T, KafkaWriterState>,
        SupportsCommitter<KafkaCommittable>,
        SupportsPostCommitTopology<KafkaCommittable>,
        LineageVertexProvider {
  private static final long serialVersionUID = 1L;

  private final KafkaSink<T> delegate;
  private final String topic;
  private final Properties clientProperties;
  private final long transactionTimeoutMs;
  private final InfluxDbSettings metrics;

  CommitLossReportingSink(
      KafkaSink<T> delegate,
      String topic,
      Properties clientProperties,
      long transactionTimeoutMs,
      InfluxDbSettings metrics) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.clientProperties = Objects.requireNonNull(clientProperties, "clientProperties");
    this.transactionTimeoutMs = transactionTimeoutMs;
    this.metrics = metrics;
  }

  /** The same sink, also writing a {@code pipeline,stage=commit} point per lost transaction. */
  public CommitLossReportingSink<T> withMetrics(InfluxDbSettings influx) {
    return new CommitLossReportingSink<>(
        delegate, topic, clientProperties, transactionTimeoutMs, influx);
  }

  public String topic() {
    return topic;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    return delegate.createWriter(context);
  }

  @Override
  public StatefulSinkWriter<T, KafkaWriterState> restoreWriter(
      WriterInitContext context, Collection<KafkaWriterState> recoveredState) throws IOException {
    return delegate.restoreWriter(context, recoveredState);
  }

  @Override
  public SimpleVersionedSerializer<KafkaWriterState> getWriterStateSerializer() {
    return delegate.getWriterStateSerializer();
  }

  @Override
  public Committer<KafkaCommittable> createCommitter(CommitterInitContext context)
      throws IOException {
    return new CommitLossReporter(
        delegate.createCommitter(context),
        context.metricGroup(),
        new TransactionOutcomes(clientProperties),
        topic,
        transactionTimeoutMs,
        metrics);
  }

  @Override
  public SimpleVersionedSerializer<KafkaCommittable> getCommittableSerializer() {
    return delegate.getCommittableSerializer();
  }

  @Override
  public void addPostCommitTopology(DataStream<CommittableMessage<KafkaCommittable>> committables) {
    // The connector co-locates committer and writer here; keep its topology exactly.
    delegate.addPostCommitTopology(committables);
  }

  @Override
  public LineageVertex getLineageVertex() {
    return delegate.getLineageVertex();
  }
}

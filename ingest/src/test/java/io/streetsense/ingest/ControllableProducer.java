package io.streetsense.ingest;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka producer fake whose sends complete when and in whatever order the test says, unlike
 * {@link MockProducer}'s first-in-first-out {@code completeNext()}.
 */
class ControllableProducer extends MockProducer<byte[], byte[]> {

  /** One send() call. */
  static final class Send {
    final ProducerRecord<byte[], byte[]> record;
    final Callback callback;
    final CompletableFuture<RecordMetadata> future = new CompletableFuture<>();

    Send(ProducerRecord<byte[], byte[]> record, Callback callback) {
      this.record = record;
      this.callback = callback;
    }

    void succeed() {
      RecordMetadata metadata =
          new RecordMetadata(new TopicPartition(record.topic(), 0), 0, 0, 0, 0, 0);
      callback.onCompletion(metadata, null);
      future.complete(metadata);
    }

    void fail(Exception error) {
      callback.onCompletion(null, error);
      future.completeExceptionally(error);
    }
  }

  private final List<Send> sends = new ArrayList<>();

  @Override
  public synchronized Future<RecordMetadata> send(
      ProducerRecord<byte[], byte[]> record, Callback callback) {
    Send send = new Send(record, callback);
    sends.add(send);
    notifyAll();
    return send.future;
  }

  synchronized List<Send> sends() {
    return List.copyOf(sends);
  }

  synchronized Send send(int index) {
    return sends.get(index);
  }

  /** Waits until at least {@code count} sends were made (re-sends come from another thread). */
  synchronized Send awaitSend(int count) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (sends.size() < count) {
      long left = deadline - System.currentTimeMillis();
      if (left <= 0) {
        throw new AssertionError("expected " + count + " sends, got " + sends.size());
      }
      wait(left);
    }
    return sends.get(count - 1);
  }
}

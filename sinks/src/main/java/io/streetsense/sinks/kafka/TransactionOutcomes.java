package io.streetsense.sinks.kafka;

import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;

/**
 * Asks the transaction coordinator what became of a transaction: the one authority on whether a
 * commit that failed on the client had in fact gone through earlier. The admin client is opened on
 * the first question (a healthy job never asks) with the sink's connection and security settings.
 */
final class TransactionOutcomes implements AutoCloseable {
  private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(30);

  /**
   * What the broker says of one transactional id's last transaction.
   *
   * @param committed committed (or committing): its records are visible and a failed re-commit was
   *     harmless. False for aborted, open or unknown transactions, and when the broker could not be
   *     asked (a loss until shown otherwise); {@code detail} says which.
   */
  record Outcome(boolean committed, String detail) {}

  private final Properties adminProperties = new Properties();
  private Admin admin;

  TransactionOutcomes(Properties clientProperties) {
    // Only the settings an admin client knows: the producer's own keys would be logged as unknown.
    for (String name : clientProperties.stringPropertyNames()) {
      if (AdminClientConfig.configNames().contains(name)) {
        adminProperties.setProperty(name, clientProperties.getProperty(name));
      }
    }
  }

  Outcome of(String transactionalId, long producerId) {
    try {
      TransactionDescription description =
          admin()
              .describeTransactions(List.of(transactionalId))
              .description(transactionalId)
              .get(ANSWER_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
      TransactionState state = description.state();
      String detail =
          "state "
              + state
              + ", producer id "
              + description.producerId()
              + ", epoch "
              + description.producerEpoch();
      boolean sameProducer = description.producerId() == producerId;
      boolean committed =
          state == TransactionState.COMPLETE_COMMIT || state == TransactionState.PREPARE_COMMIT;
      return new Outcome(sameProducer && committed, detail);
    } catch (ExecutionException e) {
      // TransactionalIdNotFound: expired (transactional.id.expiration.ms) or never known.
      return new Outcome(false, "broker answered " + e.getCause());
    } catch (TimeoutException e) {
      return new Outcome(
          false, "no answer from the broker within " + ANSWER_TIMEOUT.toSeconds() + " s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Outcome(false, "interrupted while asking the broker");
    } catch (RuntimeException e) {
      return new Outcome(false, "could not ask the broker: " + e);
    }
  }

  private Admin admin() {
    if (admin == null) {
      admin = Admin.create(adminProperties);
    }
    return admin;
  }

  @Override
  public void close() {
    if (admin != null) {
      admin.close(Duration.ofSeconds(5));
    }
  }
}

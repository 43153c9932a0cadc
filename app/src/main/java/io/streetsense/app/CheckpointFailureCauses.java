package io.streetsense.app;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Why checkpoints failed, as Flink's JobManager logs it. Flink's REST API and metrics give only the
 * top-level reason of a failed checkpoint ("Asynchronous task checkpoint failed."); what the
 * operator needs to read ("Size of the state is larger than the maximum permitted memory-backed
 * state", "No space left on device") is only in the exception its {@code CheckpointFailureManager}
 * logs. With log4j2 as the logging backend (the command line and the tests), this listens to that
 * logger in this process, where the local cluster runs, and keeps each failure's root cause by job
 * and checkpoint id. Without log4j2 it stays empty and the monitor reports Flink's reason alone.
 */
final class CheckpointFailureCauses {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointFailureCauses.class);
  private static final String FLINK_LOGGER =
      "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";
  private static final Pattern FAILED =
      Pattern.compile("checkpoint (\\d+) for job ([0-9a-f]{32})", Pattern.CASE_INSENSITIVE);
  private static final Map<String, String> CAUSES = new ConcurrentHashMap<>();
  private static volatile boolean installed;

  private CheckpointFailureCauses() {}

  /** Starts listening (once per JVM); false when the logging backend is not log4j2. */
  static synchronized boolean install() {
    if (installed) {
      return true;
    }
    try {
      if (!(LogManager.getContext(false) instanceof LoggerContext context)) {
        return false;
      }
      Configuration config = context.getConfiguration();
      Appender appender = new Listener();
      appender.start();
      config.addAppender(appender);
      LoggerConfig logger = config.getLoggerConfig(FLINK_LOGGER);
      if (!logger.getName().equals(FLINK_LOGGER)) {
        logger = new LoggerConfig(FLINK_LOGGER, Level.WARN, true);
        config.addLogger(FLINK_LOGGER, logger);
      }
      logger.addAppender(appender, Level.WARN, null);
      context.updateLoggers();
      installed = true;
      return true;
    } catch (LinkageError | RuntimeException e) {
      LOG.debug("no log4j2 backend: checkpoint failures are reported by Flink's reason only", e);
      return false;
    }
  }

  /** The root cause of checkpoint {@code id} of job {@code job}, in one line, or null. */
  static String of(String job, long id) {
    try {
      return CAUSES.remove(job + "/" + id);
    } catch (LinkageError e) {
      return null;
    }
  }

  static void record(String message, Throwable thrown) {
    if (thrown == null || message == null) {
      return;
    }
    Matcher m = FAILED.matcher(message);
    if (!m.find()) {
      return;
    }
    Throwable root = thrown;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root == thrown) {
      return; // nothing beyond the reason the REST API gives
    }
    if (CAUSES.size() > 1000) {
      CAUSES.clear(); // never read (no monitor): do not grow for ever
    }
    CAUSES.put(m.group(2) + "/" + m.group(1), root.toString().replaceAll("\\s*\\R\\s*", " "));
  }

  private static final class Listener extends AbstractAppender {
    Listener() {
      super("streetsense-checkpoint-failures", null, null, true, Property.EMPTY_ARRAY);
    }

    @Override
    public void append(LogEvent event) {
      record(event.getMessage().getFormattedMessage(), event.getThrown());
    }
  }
}

package io.streetsense.app;

import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.WriterAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.layout.PatternLayout;

/**
 * The log lines of one logger (and those under it) while a test runs, as the console shows them.
 */
final class CapturedLog implements AutoCloseable {
  private final StringWriter out = new StringWriter();
  private final WriterAppender appender;
  private final LoggerConfig logger;
  private final LoggerContext context;

  CapturedLog(Class<?> of) {
    context = (LoggerContext) LogManager.getContext(false);
    Configuration config = context.getConfiguration();
    appender =
        WriterAppender.newBuilder()
            .setName("captured-" + of.getSimpleName() + "-" + System.nanoTime())
            .setTarget(out)
            .setLayout(PatternLayout.newBuilder().withPattern("%-5p %c{1} - %m%n").build())
            .build();
    appender.start();
    config.addAppender(appender);
    LoggerConfig existing = config.getLoggerConfig(of.getName());
    if (!existing.getName().equals(of.getName())) {
      existing = new LoggerConfig(of.getName(), Level.INFO, true);
      config.addLogger(of.getName(), existing);
    }
    logger = existing;
    logger.addAppender(appender, Level.INFO, null);
    context.updateLoggers();
  }

  /** Every line logged so far. */
  List<String> lines() {
    synchronized (out) {
      return Arrays.stream(out.toString().split("\\R")).filter(l -> !l.isEmpty()).toList();
    }
  }

  @Override
  public void close() {
    logger.removeAppender(appender.getName());
    context.updateLoggers();
    appender.stop();
  }
}

package io.streetsense.views;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Everything logged while open, as the lines a log file would hold (logger, level, message and the
 * stack trace of an exception), with our code at TRACE and Jetty, Javalin and the Kafka clients at
 * INFO — what a production log could contain.
 */
final class CapturedLogs implements AutoCloseable {
  private static final Map<String, Level> LEVELS =
      Map.of(
          "io.streetsense", Level.TRACE,
          "org.eclipse.jetty", Level.INFO,
          "io.javalin", Level.INFO,
          "org.apache.kafka", Level.INFO);

  private final List<String> lines = new CopyOnWriteArrayList<>();
  private final AbstractAppender appender;
  private final Map<String, Level> previous = new java.util.HashMap<>();

  private CapturedLogs() {
    appender =
        new AbstractAppender("captured", null, null, true, Property.EMPTY_ARRAY) {
          @Override
          public void append(LogEvent event) {
            StringBuilder line =
                new StringBuilder()
                    .append(event.getLevel())
                    .append(' ')
                    .append(event.getLoggerName())
                    .append(" - ")
                    .append(event.getMessage().getFormattedMessage());
            if (event.getThrown() != null) {
              StringWriter stack = new StringWriter();
              event.getThrown().printStackTrace(new PrintWriter(stack));
              line.append('\n').append(stack);
            }
            lines.add(line.toString());
          }
        };
    appender.start();
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    for (Map.Entry<String, Level> e : LEVELS.entrySet()) {
      LoggerConfig config = context.getConfiguration().getLoggerConfig(e.getKey());
      previous.put(e.getKey(), config.getName().equals(e.getKey()) ? config.getLevel() : null);
      Configurator.setLevel(e.getKey(), e.getValue());
    }
    context.getConfiguration().getRootLogger().addAppender(appender, Level.ALL, null);
    context.updateLoggers();
  }

  static CapturedLogs everything() {
    return new CapturedLogs();
  }

  List<String> lines() {
    return List.copyOf(lines);
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LogManager.getContext(false);
    context.getConfiguration().getRootLogger().removeAppender(appender.getName());
    previous.forEach(
        (name, level) -> Configurator.setLevel(name, level == null ? Level.WARN : level));
    context.updateLoggers();
    appender.stop();
  }
}

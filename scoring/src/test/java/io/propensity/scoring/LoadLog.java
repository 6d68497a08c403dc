package io.propensity.scoring;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What {@link Scorers} logs while a test loads models, captured from log4j (the binding the tests
 * run with) until {@link #close()}.
 */
final class LoadLog implements AutoCloseable {

    /** One logged line: its level and formatted message. */
    record Line(Level level, String message) {}

    private static final String LOGGER = Scorers.class.getName();

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final Level previousLevel;

    private LoadLog() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        previousLevel = context.getConfiguration().getLoggerConfig(LOGGER).getLevel();
        Configurator.setLevel(LOGGER, Level.INFO);
        appender =
                new AbstractAppender("load-log", null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        lines.add(
                                new Line(
                                        event.getLevel(),
                                        event.getMessage().getFormattedMessage()));
                    }
                };
        appender.start();
        loggerConfig(context).addAppender(appender, Level.INFO, null);
        context.updateLoggers();
    }

    /** Starts capturing. */
    static LoadLog capture() {
        return new LoadLog();
    }

    /** The lines logged so far that name {@code source} (the file or resource loaded). */
    List<Line> about(String source) {
        return lines.stream().filter(line -> line.message().contains(source)).toList();
    }

    @Override
    public void close() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        loggerConfig(context).removeAppender(appender.getName());
        appender.stop();
        Configurator.setLevel(LOGGER, previousLevel);
    }

    private static LoggerConfig loggerConfig(LoggerContext context) {
        return context.getConfiguration().getLoggerConfig(LOGGER);
    }
}

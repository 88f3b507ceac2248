package io.plainsight.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The log configuration, in code: {@code HH:mm:ss.SSS LEVEL message} lines on stderr, Netty at
 * WARN, the root level from {@code PLAINSIGHT_LOG_LEVEL} (a system property or the environment;
 * default INFO). Found by logback through {@code META-INF/services}; configuring in code instead
 * of a {@code logback.xml} saves every start the XML parser and logback's model classes (measured:
 * ~0.3 s of CPU, about 500 classes). {@code -Dlogback.configurationFile=FILE} still wins.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String LEVEL_VARIABLE = "PLAINSIGHT_LOG_LEVEL";
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        String level = System.getProperty(LEVEL_VARIABLE, System.getenv(LEVEL_VARIABLE));
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(rootLevel(level));
        root.addAppender(stderr);
        context.getLogger("io.netty").setLevel(Level.WARN);
        String problem = levelProblem(level);
        if (problem != null) {
            context.getLogger(LogSetup.class).warn(problem);
        }
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** What is wrong with a {@code PLAINSIGHT_LOG_LEVEL} value, or null when it names a level (or is unset). */
    static String levelProblem(String value) {
        if (value == null || value.isBlank() || rootLevel(value) != Level.INFO || value.trim().equalsIgnoreCase("INFO")) {
            return null;
        }
        return LEVEL_VARIABLE + " '" + value + "': not a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF); using INFO";
    }

    /** The root level a {@code PLAINSIGHT_LOG_LEVEL} value names (TRACE ... ERROR, OFF; any case); INFO when unset or unknown. */
    static Level rootLevel(String value) {
        return value == null || value.isBlank() ? Level.INFO : Level.toLevel(value.trim(), Level.INFO);
    }
}

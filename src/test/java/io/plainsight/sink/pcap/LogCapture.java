package io.plainsight.sink.pcap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the pcap package (or another logger) logs, for assertions on "said once" messages. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level levelBefore;

    /** Collects what is logged at the configured levels. */
    LogCapture() {
        this("io.plainsight.sink.pcap");
    }

    /** Collects what logger {@code name} (and those below it) logs at the configured levels. */
    public LogCapture(String name) {
        logger = (Logger) LoggerFactory.getLogger(name);
        levelBefore = logger.getLevel();
        appender.start();
        logger.addAppender(appender);
    }

    /** Collects from {@code level} up, whatever the configuration says. */
    LogCapture(Level level) {
        this();
        logger.setLevel(level);
    }

    public List<String> at(Level level) {
        return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
    }
}

package io.plainsight.sink.pcap;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** Collects what the pcap package logs, for assertions on "said once" messages. */
final class LogCapture implements AutoCloseable {
    private final Logger logger = (Logger) LoggerFactory.getLogger("io.plainsight.sink.pcap");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Level levelBefore = logger.getLevel();

    /** Collects what is logged at the configured levels. */
    LogCapture() {
        appender.start();
        logger.addAppender(appender);
    }

    /** Collects from {@code level} up, whatever the configuration says. */
    LogCapture(Level level) {
        this();
        logger.setLevel(level);
    }

    List<String> at(Level level) {
        return appender.list.stream().filter(e -> e.getLevel() == level).map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(levelBefore);
    }
}

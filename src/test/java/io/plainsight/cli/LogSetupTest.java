package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.core.ConsoleAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class LogSetupTest {
    @Test
    void logbackIsConfiguredByLogSetup() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        var fresh = new LoggerContext();
        assertThat(new LogSetup().configure(fresh))
                .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY);
        for (LoggerContext c : new LoggerContext[] {context, fresh}) { // the one logback found through META-INF/services, and a new one
            Logger root = c.getLogger(Logger.ROOT_LOGGER_NAME);
            assertThat(root.getAppender("STDERR")).isInstanceOfSatisfying(ConsoleAppender.class, a -> {
                assertThat(a.getTarget()).isEqualTo("System.err");
                assertThat(((PatternLayoutEncoder) a.getEncoder()).getPattern()).isEqualTo("%d{HH:mm:ss.SSS} %-5level %msg%n");
            });
            assertThat(c.getLogger("io.netty").getLevel()).isEqualTo(Level.WARN);
        }
    }

    @Test
    void rootLevelFromTheVariable() {
        assertThat(LogSetup.rootLevel(null)).isEqualTo(Level.INFO);
        assertThat(LogSetup.rootLevel(" ")).isEqualTo(Level.INFO);
        assertThat(LogSetup.rootLevel("debug")).isEqualTo(Level.DEBUG);
        assertThat(LogSetup.rootLevel("WARN ")).isEqualTo(Level.WARN);
        assertThat(LogSetup.rootLevel("off")).isEqualTo(Level.OFF);
        assertThat(LogSetup.rootLevel("loud")).isEqualTo(Level.INFO);
        assertThat(LogSetup.levelProblem("loud"))
                .isEqualTo("PLAINSIGHT_LOG_LEVEL 'loud': not a log level (TRACE, DEBUG, INFO, WARN, ERROR or OFF); using INFO");
        assertThat(LogSetup.levelProblem(null)).isNull();
        assertThat(LogSetup.levelProblem("info")).isNull();
        assertThat(LogSetup.levelProblem("Warn")).isNull();
    }

    @Test
    void aConfigurationFileStillWins() {
        String before = System.getProperty("logback.configurationFile");
        System.setProperty("logback.configurationFile", "/nonexistent/logback.xml");
        try {
            assertThat(new LogSetup().configure(new LoggerContext()))
                    .isEqualTo(ch.qos.logback.classic.spi.Configurator.ExecutionStatus.INVOKE_NEXT_IF_ANY);
        } finally {
            if (before == null) {
                System.clearProperty("logback.configurationFile");
            } else {
                System.setProperty("logback.configurationFile", before);
            }
        }
    }
}

package io.plainsight.cli;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.Sink;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.ProxyServer;
import io.plainsight.proxy.ProxySettings;
import io.plainsight.proxy.ProxyTls;
import io.plainsight.proxy.Transport;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** What the relay modes (reverse, terminate, originate) share: listen, connect, capture, run until stopped. */
abstract class RelayCommand implements Callable<Integer> {
    static final Logger log = LoggerFactory.getLogger("plainsight");

    @Spec
    CommandSpec spec;

    @Mixin
    HomeOption home;

    @Mixin
    ConfigOption config;

    @Mixin
    CaptureOptions capture;

    @Mixin
    UpstreamOptions upstream;

    @Mixin
    KeyLogOption keyLog;

    /** The environment ({@code SSLKEYLOGFILE}); replaced by tests. */
    java.util.function.Function<String, String> environment = System::getenv;

    @Option(names = "--listen", paramLabel = "[IP:]PORT",
            description = "Accept clients here (a bare port listens on 127.0.0.1).")
    String listen;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "10m",
            description = "Close a connection when neither side sent anything for this long (0 = never). Default: ${DEFAULT-VALUE}.")
    String idleTimeout;

    @Option(names = "--io-threads", paramLabel = "N", description = "I/O threads (default: one per core).")
    int ioThreads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--metrics", paramLabel = "[IP:]PORT",
            description = "Serve Prometheus metrics at http://IP:PORT/metrics and a health check at /healthz "
                    + "(a bare port listens on 127.0.0.1).")
    String metrics;

    /** Where console lines go (stdout unless embedded). */
    java.io.PrintStream console = System.out;

    /** Settings for this mode, from the parsed options ({@code target}: null where clients choose it). */
    abstract ProxySettings settings(HostPort listen, HostPort target, java.time.Duration idle);

    /** The backend from --connect, or null for the modes whose clients choose their server. */
    abstract HostPort target();

    /** The --listen value when none is given, or null when --listen is required. */
    String defaultListen() {
        return null;
    }

    /** Checks done before anything starts (e.g. refusing to listen beyond loopback). */
    void validate(HostPort listenAt) {
    }

    /** Logged when the listener stops (statistics). */
    void stopped(ProxyTls tls) {
    }

    /** The TLS wiring for this mode. */
    abstract ProxyTls tls(Path home, HostPort target);

    /** One line describing what this listener does, for the start-up log. */
    abstract String describe(ProxySettings s);

    HostPort parse(String option, String value, boolean listenAddress) {
        try {
            return listenAddress ? HostPort.parseListen(option, value) : HostPort.parse(option, value);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
    }

    /** Starts listening; returns once bound. */
    public Running start() throws InterruptedException {
        if (listen == null && defaultListen() == null) {
            throw new ParameterException(spec.commandLine(), "Missing required option: '--listen=[IP:]PORT'");
        }
        HostPort listenAt = parse("--listen", listen != null ? listen : defaultListen(), true);
        HostPort target = target();
        validate(listenAt);
        java.time.Duration idle;
        try {
            idle = DurationOption.parse("--idle-timeout", idleTimeout);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        ProxySettings settings = settings(listenAt, target, idle);
        Path homeDir = home.resolve();
        ProxyTls tls = tls(homeDir, target);
        if (tls instanceof io.plainsight.proxy.DefaultProxyTls d) {
            d.warmUp(settings.sniDefault());
        }
        MetricsEndpoint metricsEndpoint = MetricsEndpoint.open(metrics, spec.commandLine(), settings.mode());
        try {
            return start(settings, tls, homeDir, metricsEndpoint);
        } catch (RuntimeException e) {
            if (metricsEndpoint != null) {
                metricsEndpoint.close();
            }
            throw e;
        }
    }

    private Running start(ProxySettings settings, ProxyTls tls, Path homeDir, MetricsEndpoint metricsEndpoint)
            throws InterruptedException {
        capture.checkBusOptions();
        List<Sink> sinks = Outputs.build(capture, homeDir, console,
                metricsEndpoint == null ? null : metricsEndpoint.exchangeOutput());
        if (metricsEndpoint != null) {
            sinks.add(metricsEndpoint.sink());
        }
        Sink keyLogSink = keyLog.sink(environment);
        if (keyLogSink != null) {
            sinks.add(keyLogSink);
        }
        io.plainsight.policy.LiveRules rules = capture.liveRules();
        if (rules != null) {
            settings.intercept().rules(rules);
            log.info("capture rules: {}", rules.current());
            boolean forwarding = settings.mode() == io.plainsight.event.Mode.PROXY
                    || settings.mode() == io.plainsight.event.Mode.TRANSPARENT;
            if (!forwarding && rules.current().connectionRules().stream().anyMatch(x -> x.actions().decrypt() != null)) {
                log.warn("decrypt rules act in the proxy and transparent modes only; in {} mode they are ignored",
                        settings.mode().label());
            }
        }
        CaptureBus bus = new CaptureBus(sinks, capture.overflowPolicy(), capture.queueBytes());
        ProxyServer server = new ProxyServer(settings, tls, bus);
        InetSocketAddress bound;
        try {
            bound = server.start(ioThreads);
        } catch (IllegalStateException e) {
            bus.close();
            throw new StartupException(e.getMessage(), e);
        }
        log.info("{} listening on {} ({}, {} I/O threads)", describe(settings),
                HostPort.parseListen("--listen", bound.getAddress().getHostAddress().contains(":")
                        ? "[" + bound.getAddress().getHostAddress() + "]:" + bound.getPort()
                        : bound.getAddress().getHostAddress() + ":" + bound.getPort()),
                Transport.name(), ioThreads);
        if (metricsEndpoint == null) {
            return new Running(server, bus, bound, () -> stopped(tls));
        }
        metricsEndpoint.started(bus, tls);
        return new Running(server, bus, bound, () -> {
            stopped(tls);
            metricsEndpoint.close();
        }).withMetrics(metricsEndpoint.address());
    }

    @Override
    public Integer call() throws Exception {
        Running running = start();
        Thread hook = new Thread(running::close, "shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        running.await();
        return 0;
    }
}

package io.plainsight.cli;

import io.plainsight.event.CaptureBus;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.proxy.DefaultProxyTls;
import io.plainsight.proxy.HostPort;
import io.plainsight.proxy.ProxyTls;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.metrics.Health;
import io.plainsight.sink.metrics.Metrics;
import io.plainsight.sink.metrics.MetricsServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * {@code --metrics [IP:]PORT} of the live modes: the registry, its capture sink and HTTP output,
 * and the HTTP endpoint, bound before any output opens so a bad address stops start-up cleanly.
 */
final class MetricsEndpoint implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final Metrics metrics;
    private final MetricsServer server;
    private final Mode mode;

    private MetricsEndpoint(Metrics metrics, MetricsServer server, Mode mode) {
        this.metrics = metrics;
        this.server = server;
        this.mode = mode;
    }

    /**
     * Binds the endpoint, or returns null without --metrics.
     *
     * @throws ParameterException naming --metrics and the cause (bad address, port in use): exit code 2
     */
    static MetricsEndpoint open(String value, CommandLine cl, Mode mode) {
        if (value == null) {
            return null;
        }
        InetSocketAddress address;
        try {
            HostPort hp = HostPort.parseListen("--metrics", value);
            address = new InetSocketAddress(InetAddress.getByName(hp.host()), hp.port());
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        } catch (UnknownHostException e) {
            throw new ParameterException(cl, "--metrics '" + value + "': unknown host (" + e.getMessage() + ")");
        }
        Metrics metrics = new Metrics();
        MetricsServer server;
        try {
            server = MetricsServer.start(address, metrics);
        } catch (IOException | RuntimeException e) {
            metrics.close();
            String why = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
            throw new ParameterException(cl, "--metrics '" + value + "': cannot listen on " + text(address) + ": " + why);
        }
        log.info("metrics at http://{}/metrics, health at /healthz", text(server.address()));
        return new MetricsEndpoint(metrics, server, mode);
    }

    /** The HTTP metrics output for the exchange sink. */
    ExchangeOutput exchangeOutput() {
        return metrics.exchangeOutput();
    }

    /** The connection metrics sink for the capture bus. */
    Sink sink() {
        return metrics.sink(mode);
    }

    /** The capture bus and the TLS wiring exist: their meters, and the health check. */
    void started(CaptureBus bus, ProxyTls tls) {
        metrics.bindCaptureBus(bus.sinkStats());
        if (tls instanceof DefaultProxyTls d && d.authority() != null) {
            metrics.bindForging(d::forged, d::cacheHits);
        }
        server.health(new Health(bus.sinkStats()));
    }

    private static String text(InetSocketAddress a) {
        String host = a.getAddress() != null ? a.getAddress().getHostAddress() : a.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }

    InetSocketAddress address() {
        return server.address();
    }

    @Override
    public void close() {
        server.close();
        metrics.close();
    }
}

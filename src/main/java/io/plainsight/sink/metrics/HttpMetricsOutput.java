package io.plainsight.sink.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.plainsight.http.Exchange;
import io.plainsight.http.HttpMessage;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * HTTP metrics from the decoded exchanges (HTTP/1 and HTTP/2): exchanges by host, method and
 * status class, and two latency histograms by host. Runs on the exchange sink's thread, off the
 * I/O threads; the times are those the capture taps recorded as the bytes crossed plainsight.
 *
 * <ul>
 *   <li>{@code plainsight_http_exchanges_total{host,method,status_class}}: every exchange,
 *       status_class "none" when no response came.
 *   <li>{@code plainsight_http_request_duration_seconds{host}} (histogram): client-observed, from
 *       the request's first byte to the response's last, for exchanges with a complete response.
 *   <li>{@code plainsight_http_upstream_duration_seconds{host}} (histogram): upstream, from the
 *       request's last byte to the response's first, for exchanges with a response.
 * </ul>
 *
 * <p>{@code host} is the Host header (HTTP/2 :authority), else the SNI, else the server address,
 * without the port; bounded by {@link HostLabels} (the first {@value #MAX_HOSTS} hosts, then "other").
 */
public final class HttpMetricsOutput implements ExchangeOutput {
    /** Distinct host label values at most (plus "other", "none" and "invalid"). */
    public static final int MAX_HOSTS = 50;

    /** Histogram bucket bounds: 1 ms to 30 s. */
    private static final Duration[] BUCKETS = {
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
        Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500),
        Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5), Duration.ofSeconds(10),
        Duration.ofSeconds(30)
    };

    private final MeterRegistry registry;
    private final HostLabels hosts;
    private final Map<String, Counter> exchanges = new HashMap<>();
    private final Map<String, Timer> requestTimers = new HashMap<>();
    private final Map<String, Timer> upstreamTimers = new HashMap<>();
    /** The labels of the last exchange, and its meters (the timers: null until needed for that host). */
    private String lastHost;
    private String lastMethod;
    private String lastStatus;
    private Counter lastExchanges;
    private Timer lastRequestTimer;
    private Timer lastUpstreamTimer;

    public HttpMetricsOutput(MeterRegistry registry) {
        this(registry, MAX_HOSTS);
    }

    HttpMetricsOutput(MeterRegistry registry, int maxHosts) {
        this.registry = registry;
        this.hosts = new HostLabels(maxHosts);
    }

    @Override
    public void exchange(ConnectionMeta connection, Exchange exchange) {
        HttpMessage request = exchange.request;
        HttpMessage response = exchange.response;
        String host = hosts.label(host(connection, request));
        String method = Labels.method(request.method);
        String status = Labels.statusClass(response);
        // most exchanges in a row have the labels of the one before: its meters are remembered
        if (!(host.equals(lastHost) && method.equals(lastMethod) && status.equals(lastStatus))) {
            lastExchanges = exchanges.computeIfAbsent(host + '|' + method + '|' + status,
                    k -> Counter.builder("plainsight.http.exchanges")
                            .description("HTTP exchanges, by host, method and response status class")
                            .tags("host", host, "method", method, "status_class", status)
                            .register(registry));
            lastMethod = method;
            lastStatus = status;
            if (!host.equals(lastHost)) {
                lastHost = host;
                lastRequestTimer = null;
                lastUpstreamTimer = null;
            }
        }
        lastExchanges.increment();
        if (response == null) {
            return;
        }
        if (response.complete && request.startMicros > 0 && response.endMicros > 0) {
            if (lastRequestTimer == null) {
                lastRequestTimer = timer(requestTimers, "plainsight.http.request.duration",
                        "Client-observed HTTP latency: request's first byte to response's last byte", host);
            }
            lastRequestTimer.record(Math.max(0, response.endMicros - request.startMicros), TimeUnit.MICROSECONDS);
        }
        if (request.endMicros > 0 && response.startMicros > 0) {
            if (lastUpstreamTimer == null) {
                lastUpstreamTimer = timer(upstreamTimers, "plainsight.http.upstream.duration",
                        "Upstream HTTP latency: request's last byte to response's first byte", host);
            }
            lastUpstreamTimer.record(Math.max(0, response.startMicros - request.endMicros), TimeUnit.MICROSECONDS);
        }
    }

    private Timer timer(Map<String, Timer> timers, String name, String description, String host) {
        return timers.computeIfAbsent(host, h -> Timer.builder(name).description(description).tag("host", h)
                .serviceLevelObjectives(BUCKETS).register(registry));
    }

    private static String host(ConnectionMeta connection, HttpMessage request) {
        if (request.authority != null && !request.authority.isBlank()) {
            return request.authority;
        }
        if (connection.sni() != null) {
            return connection.sni();
        }
        InetSocketAddress server = connection.server();
        if (server == null) {
            return null;
        }
        return server.getAddress() != null ? server.getAddress().getHostAddress() : server.getHostString();
    }

    @Override
    public void webSocket(ConnectionMeta connection, WebSocketMessage message) {
    }

    /** Only statuses and times are read: response bodies are counted, not copied, for these metrics. */
    @Override
    public boolean readsResponseBodies() {
        return false;
    }

    @Override
    public void connectionClosed(ConnectionMeta connection, String undecodable) {
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}

package io.plainsight.sink.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmInfoMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.plainsight.event.Mode;
import io.plainsight.event.SinkStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The metrics of one plainsight process, in a Prometheus registry: the JVM's (memory, GC, threads,
 * CPU, uptime, open files), the connection sink's, the HTTP exchange output's, the capture bus's
 * and the certificate forging's. Built before the capture bus (the sink and the exchange output go
 * on it), bound to the bus once it exists.
 */
public final class Metrics implements AutoCloseable {
    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    /** Function meters hold their objects weakly: the suppliers given to them are kept here. */
    private final List<Object> held = new java.util.ArrayList<>();

    public Metrics() {
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmInfoMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
    }

    /** The registry (for tests and further meters). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** A new connection metrics sink for the capture bus ({@code mode}: this process's mode). */
    public MetricsSink sink(Mode mode) {
        return new MetricsSink(registry, mode);
    }

    /** A new HTTP metrics output for an exchange sink. */
    public HttpMetricsOutput exchangeOutput() {
        return new HttpMetricsOutput(registry);
    }

    /** The capture bus's sinks: queue depth, dropped events, failures. */
    public void bindCaptureBus(List<SinkStats> sinks) {
        CaptureBusMetrics.bind(registry, sinks);
    }

    /**
     * Certificate forging: {@code plainsight_certificates_forged_total} (cache misses, including
     * the one forged at start-up) and {@code plainsight_certificate_cache_hits_total}.
     */
    public void bindForging(LongSupplier forged, LongSupplier cacheHits) {
        held.add(forged);
        held.add(cacheHits);
        FunctionCounter.builder("plainsight.certificates.forged", forged, LongSupplier::getAsLong)
                .description("Certificates forged by the plainsight CA (certificate cache misses)").register(registry);
        FunctionCounter.builder("plainsight.certificate.cache.hits", cacheHits, LongSupplier::getAsLong)
                .description("Forged certificates served from the cache").register(registry);
    }

    /** Writes every meter in the format {@code contentType} names (Prometheus text 0.0.4 for "text/plain"). */
    public void scrape(OutputStream out, String contentType) throws IOException {
        registry.scrape(out, contentType);
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}

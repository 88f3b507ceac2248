package io.plainsight.sink.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.plainsight.event.SinkStats;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The capture bus per sink, read at every scrape: {@code plainsight_capture_queue_events{sink}},
 * {@code plainsight_capture_queue_bytes{sink}}, {@code plainsight_capture_dropped_events_total{sink}},
 * {@code plainsight_capture_blocked_seconds_total{sink}} and {@code plainsight_capture_sink_failures_total{sink}}.
 */
final class CaptureBusMetrics {
    private CaptureBusMetrics() {}

    static void bind(MeterRegistry registry, List<SinkStats> sinks) {
        Set<String> names = new HashSet<>();
        for (SinkStats s : sinks) {
            String name = s.name();
            for (int i = 2; !names.add(name); i++) {
                name = s.name() + "-" + i;
            }
            Gauge.builder("plainsight.capture.queue.events", s, SinkStats::queuedEvents)
                    .description("Events waiting in a capture sink's queue").tag("sink", name).register(registry);
            Gauge.builder("plainsight.capture.queue.bytes", s, SinkStats::queuedBytes)
                    .description("Bytes waiting in a capture sink's queue (data plus 64 per event)").tag("sink", name)
                    .register(registry);
            FunctionCounter.builder("plainsight.capture.dropped.events", s, SinkStats::dropped)
                    .description("Events a capture sink lost: its queue was full (--overflow drop) or it failed on them")
                    .tag("sink", name).register(registry);
            FunctionCounter.builder("plainsight.capture.blocked.seconds", s, x -> x.blockedNanos() / 1e9)
                    .description("Time the traffic's threads waited for room in a capture sink's queue (--overflow block)")
                    .tag("sink", name).register(registry);
            FunctionCounter.builder("plainsight.capture.sink.failures", s, SinkStats::failures)
                    .description("Failures of a capture sink: exceptions plus writes it counted as lost (PCAP: packets)")
                    .tag("sink", name).register(registry);
        }
    }
}

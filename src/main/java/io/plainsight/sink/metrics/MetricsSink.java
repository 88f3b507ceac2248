package io.plainsight.sink.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connection-level metrics from the capture bus: connections open and ended (by mode, interception
 * and how they ended), TLS handshakes and handshake failures (by side and reason), bytes each way.
 * Takes no data events, so it costs nothing per byte; byte counters move when a connection ends
 * (its {@link ConnectionClosed} carries the counts).
 *
 * <p>Meters (Prometheus names): {@code plainsight_connections_active{mode}},
 * {@code plainsight_connections_opened_total{mode}},
 * {@code plainsight_connections_total{mode,interception,outcome}},
 * {@code plainsight_tls_handshakes_total{side,version}},
 * {@code plainsight_tls_handshake_failures_total{side,reason}} ({@link HandshakeFailure}),
 * {@code plainsight_bytes_total{mode,direction}}.
 */
public final class MetricsSink implements Sink {
    private final MeterRegistry registry;
    private final Map<Long, Open> open = new HashMap<>();
    private final Map<Mode, AtomicLong> active = new EnumMap<>(Mode.class);
    private final Map<Mode, Counter> opened = new EnumMap<>(Mode.class);
    /** Counters by their label values joined with '|' (only this sink's thread uses the map). */
    private final Map<String, Counter> counters = new HashMap<>();

    private record Open(Mode mode, Interception interception) {}

    /** @param mode the mode of this process: its series exist (at 0) before the first connection */
    public MetricsSink(MeterRegistry registry, Mode mode) {
        this.registry = registry;
        if (mode != null) {
            active(mode);
            opened(mode);
        }
    }

    @Override
    public String name() {
        return "metrics";
    }

    @Override
    public void accept(CaptureEvent event) {
        switch (event) {
            case ConnectionOpened o -> {
                open.put(o.connectionId(), new Open(o.mode(), o.interception()));
                active(o.mode()).incrementAndGet();
                opened(o.mode()).increment();
            }
            case TlsEstablished t -> counter("plainsight.tls.handshakes", "TLS handshakes completed, by leg and version",
                    "side", t.leg() == Leg.CLIENT ? HandshakeFailure.CLIENT : HandshakeFailure.UPSTREAM,
                    "version", Labels.tlsVersion(t.protocol())).increment();
            case ConnectionClosed c -> closed(c);
            case DataChunk d -> {}
            case TlsSecrets s -> {}
            case WireChunk w -> {}
            case CapturedPacket p -> { }
        }
    }

    private void closed(ConnectionClosed c) {
        Open o = open.remove(c.connectionId());
        if (o == null) {
            return; // opened before this sink existed: nothing was counted for it
        }
        active(o.mode()).decrementAndGet();
        String mode = o.mode().label();
        counter("plainsight.connections", "Connections ended, by mode, interception and how they ended",
                "mode", mode, "interception", Labels.interception(o.interception()), "outcome", Labels.outcome(c.how()))
                .increment();
        if (c.bytesClientToServer() > 0) {
            bytes(mode, "client_to_server").increment(c.bytesClientToServer());
        }
        if (c.bytesServerToClient() > 0) {
            bytes(mode, "server_to_client").increment(c.bytesServerToClient());
        }
        HandshakeFailure failure = HandshakeFailure.classify(c.error());
        if (failure != null) {
            counter("plainsight.tls.handshake.failures", "Failed TLS handshakes, by side (client or upstream) and reason",
                    "side", failure.side(), "reason", failure.reason()).increment();
        }
    }

    private Counter bytes(String mode, String direction) {
        return counter("plainsight.bytes", "Application bytes relayed (decrypted), counted when the connection ends",
                "mode", mode, "direction", direction);
    }

    private AtomicLong active(Mode mode) {
        return active.computeIfAbsent(mode, m -> {
            AtomicLong n = new AtomicLong();
            Gauge.builder("plainsight.connections.active", n, AtomicLong::get)
                    .description("Connections open now").tag("mode", m.label()).register(registry);
            return n;
        });
    }

    private Counter opened(Mode mode) {
        return opened.computeIfAbsent(mode, m -> Counter.builder("plainsight.connections.opened")
                .description("Connections opened").tag("mode", m.label()).register(registry));
    }

    private Counter counter(String name, String description, String... tags) {
        StringBuilder key = new StringBuilder(name);
        for (int i = 1; i < tags.length; i += 2) {
            key.append('|').append(tags[i]);
        }
        return counters.computeIfAbsent(key.toString(),
                k -> Counter.builder(name).description(description).tags(tags).register(registry));
    }

    @Override
    public boolean acceptsData() {
        return false;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}

package io.plainsight.sink.console;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Leg;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * One line per connection when it ends: client, SNI, TLS on each leg, ALPN, bytes each way,
 * duration, and how it ended (with the error, if any).
 */
public final class ConsoleSink implements Sink {
    private final PrintStream out;
    private final Map<Long, Line> open = new HashMap<>();

    public ConsoleSink(PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "console";
    }

    @Override
    public void accept(CaptureEvent event) {
        switch (event) {
            case ConnectionOpened o -> open.put(o.connectionId(), new Line(o));
            case TlsEstablished t -> {
                Line line = open.get(t.connectionId());
                if (line != null) {
                    if (t.leg() == Leg.CLIENT) {
                        line.clientTls = t;
                    } else {
                        line.upstreamTls = t;
                    }
                }
            }
            case DataChunk d -> {}
            case TlsSecrets s -> {}
            case WireChunk w -> {}
            case CapturedPacket p -> { }
            case ConnectionClosed c -> {
                Line line = open.remove(c.connectionId());
                if (line != null) {
                    out.println(ConsoleFormat.connection(line.opened, line.clientTls, line.upstreamTls, c));
                }
            }
        }
    }

    @Override
    public boolean acceptsData() {
        return false;
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }

    private static final class Line {
        final ConnectionOpened opened;
        TlsEstablished clientTls;
        TlsEstablished upstreamTls;

        Line(ConnectionOpened opened) {
            this.opened = opened;
        }
    }
}

package io.plainsight.sink.exchange;

import io.netty.buffer.ByteBuf;
import io.netty.util.collection.LongObjectHashMap;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.plainsight.http.ConnectionDecoder;
import io.plainsight.http.DecodeListener;
import io.plainsight.http.Exchange;
import io.plainsight.http.WebSocketMessage;
import java.io.IOException;
import java.util.List;
import java.util.function.BiPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes HTTP/1, HTTP/2 and WebSocket from the captured bytes, off the I/O threads, and hands
 * each exchange to the outputs (HAR, flow log, console). Keeps state only for open connections,
 * so memory stays flat however many exchanges pass.
 */
public final class ExchangeSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final DecoderFactory decoders;
    private final List<ExchangeOutput> outputs;
    private final BiPredicate<ConnectionMeta, Exchange> filter;
    private final ExchangeRules rules;
    private final LongObjectHashMap<State> open = new LongObjectHashMap<>(); // no boxing per data event

    private final class State implements DecodeListener {
        final ConnectionMeta meta;
        ConnectionDecoder decoder;
        boolean chosen;
        String undecodable;

        State(ConnectionMeta meta) {
            this.meta = meta;
        }

        @Override
        public void exchange(Exchange exchange) {
            meta.exchanges++;
            if (rules != null) {
                try {
                    rules.apply(meta, exchange);
                } catch (RuntimeException e) {
                    // fail closed: an exchange the rules could not redact reaches no output
                    log.warn("#{} capture rules failed on an exchange, which is left out of the outputs: {}", meta.id(),
                            e.toString());
                    return;
                }
            }
            if (!filter.test(meta, exchange)) {
                return;
            }
            for (ExchangeOutput o : outputs) {
                try {
                    o.exchange(meta, exchange);
                } catch (IOException | RuntimeException e) {
                    failed(o, e);
                }
            }
        }

        @Override
        public void webSocket(WebSocketMessage message) {
            meta.exchanges++;
            if (!filter.test(meta, null)) {
                return;
            }
            for (ExchangeOutput o : outputs) {
                try {
                    o.webSocket(meta, message);
                } catch (IOException | RuntimeException e) {
                    failed(o, e);
                }
            }
        }

        @Override
        public void undecodable(long connectionId, Direction direction, long offset, String reason) {
            String what = (direction == Direction.CLIENT_TO_SERVER ? "client" : "server") + " bytes from offset " + offset
                    + ": " + reason;
            undecodable = undecodable == null ? what : undecodable + "; " + what;
            log.debug("#{} not decodable: {}", connectionId, what);
        }
    }

    /**
     * @param filter which exchanges reach the outputs (the exchange is null for WebSocket messages
     *     and for connection summaries)
     */
    public ExchangeSink(DecoderFactory decoders, List<ExchangeOutput> outputs, BiPredicate<ConnectionMeta, Exchange> filter) {
        this(decoders, outputs, filter, null);
    }

    /**
     * @param rules the capture rules applied to every exchange before the filter and the outputs
     *     see it (sets its verdict, redacts it), or null; with rules response bodies are always
     *     kept (a rule may redact them, or ask for them in an output)
     */
    public ExchangeSink(DecoderFactory decoders, List<ExchangeOutput> outputs, BiPredicate<ConnectionMeta, Exchange> filter,
            ExchangeRules rules) {
        // response bodies are the bulk of the bytes: copy them only when something reads them
        boolean responseBodies = rules != null || outputs.stream().anyMatch(ExchangeOutput::readsResponseBodies);
        this.decoders = responseBodies ? decoders : decoders.withoutResponseBodies();
        this.outputs = List.copyOf(outputs);
        this.filter = filter;
        this.rules = rules;
    }

    @Override
    public String name() {
        return "exchanges";
    }

    @Override
    public void accept(CaptureEvent event) {
        switch (event) {
            case ConnectionOpened o -> open.put(o.connectionId(), new State(new ConnectionMeta(o)));
            case TlsEstablished t -> {
                State s = open.get(t.connectionId());
                if (s != null) {
                    s.meta.tls(t);
                }
            }
            case DataChunk d -> data(d);
            case TlsSecrets s -> {}
            case WireChunk w -> {}
            case CapturedPacket p -> { }
            case ConnectionClosed c -> closed(c);
        }
    }

    private void data(DataChunk d) {
        State s = open.get(d.connectionId());
        if (s == null) {
            return;
        }
        ByteBuf buf = d.data();
        s.meta.bytesSeen += buf.readableBytes();
        if (!s.chosen) {
            s.chosen = true;
            try {
                s.decoder = decoders.create(s.meta, d.direction(), buf, s);
            } catch (RuntimeException e) {
                s.undecodable(d.connectionId(), d.direction(), 0, "no decoder: " + e);
            }
        }
        if (s.decoder != null) {
            try {
                s.decoder.data(d.direction(), d.timestampMicros(), buf);
            } catch (RuntimeException e) {
                // decoders report bad input themselves; anything escaping is our bug: stop decoding this connection
                s.undecodable(d.connectionId(), d.direction(), -1, "decoder failed: " + e);
                s.decoder = null;
                log.warn("#{} HTTP decoding stopped: {}", d.connectionId(), e.toString());
            }
        }
    }

    private void closed(ConnectionClosed c) {
        State s = open.remove(c.connectionId());
        if (s == null) {
            return;
        }
        s.meta.closed = c;
        if (s.decoder != null) {
            try {
                s.decoder.end(c.timestampMicros());
            } catch (RuntimeException e) {
                log.warn("#{} HTTP decoding failed at the end: {}", c.connectionId(), e.toString());
            }
        }
        if (!filter.test(s.meta, null)) {
            return;
        }
        for (ExchangeOutput o : outputs) {
            try {
                o.connectionClosed(s.meta, s.undecodable);
            } catch (IOException | RuntimeException e) {
                failed(o, e);
            }
        }
    }

    private void failed(ExchangeOutput o, Exception e) {
        log.warn("exchange output {} failed: {}", o, e.toString());
    }

    /** Connections currently tracked (for tests and memory checks). */
    public int openConnections() {
        return open.size();
    }

    @Override
    public boolean acceptsData() {
        return true;
    }

    @Override
    public void flush() throws IOException {
        for (ExchangeOutput o : outputs) {
            o.flush();
        }
    }

    @Override
    public void close() throws IOException {
        for (State s : open.values()) {
            if (s.decoder != null) {
                try {
                    s.decoder.end(io.plainsight.event.Clock.nowMicros());
                } catch (RuntimeException e) {
                    log.debug("decoder end failed: {}", e.toString());
                }
            }
        }
        open.clear();
        IOException first = null;
        for (ExchangeOutput o : outputs) {
            try {
                o.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

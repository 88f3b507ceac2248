package io.plainsight.sink.jsonl;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.event.Direction;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.console.ConsoleFormat;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.JsonArrays;
import io.plainsight.sink.exchange.DisplayBody;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.exchange.OutputFile;
import io.plainsight.sink.exchange.PendingBytes;
import io.plainsight.sink.exchange.Timestamps;
import java.io.IOException;
import java.util.Base64;
import java.util.List;

/**
 * The flow log: JSON Lines, one line per HTTP exchange, per WebSocket message, and per connection
 * that carried no HTTP. Field names are stable and documented in the README.
 */
public final class FlowLogOutput implements ExchangeOutput {
    private final OutputFile file;
    private final int maxBody;
    private final JsonFactory json = new JsonFactory();
    private final PendingBytes pending = new PendingBytes();

    public FlowLogOutput(OutputFile file, int maxBody) {
        this.file = file;
        this.maxBody = maxBody;
    }

    @Override
    public void exchange(ConnectionMeta c, Exchange x) throws IOException {
        try (JsonGenerator g = generator()) {
            g.writeStartObject();
            common(g, "http", x.request.startMicros, c);
            g.writeNumberField("stream", x.streamId);
            message(g, "request", c, x.request);
            if (x.response != null) {
                message(g, "response", c, x.response);
            } else {
                g.writeNullField("response");
            }
            if (!x.interim.isEmpty()) {
                g.writeArrayFieldStart("interim");
                for (HttpMessage m : x.interim) {
                    g.writeNumber(m.status);
                }
                g.writeEndArray();
            }
            long end = x.response != null && x.response.endMicros > 0 ? x.response.endMicros : x.request.endMicros;
            g.writeNumberField("duration_ms", Timestamps.millis(x.request.startMicros, end));
            g.writeBooleanField("complete", x.request.complete && x.response != null && x.response.complete);
            if (x.pushed) {
                g.writeBooleanField("pushed", true);
            }
            JsonArrays.strings(g, "notes", x.notes);
            verdict(g, x.verdict);
            g.writeEndObject();
        }
        endLine();
    }

    /** What the capture rules decided: the ids of the matching rules, the sticky window's end, what was redacted. */
    private static void verdict(JsonGenerator g, io.plainsight.policy.RuleVerdict v) throws IOException {
        if (!v.matches().isEmpty()) {
            g.writeArrayFieldStart("rules");
            for (io.plainsight.policy.RuleMatch m : v.matches()) {
                g.writeString(m.id());
            }
            g.writeEndArray();
        }
        if (v.sticky()) {
            g.writeStringField("sticky_until", Timestamps.iso(v.stickyUntilMicros()));
        }
        JsonArrays.strings(g, "sanitised", v.sanitised());
    }

    @Override
    public void webSocket(ConnectionMeta c, WebSocketMessage m) throws IOException {
        try (JsonGenerator g = generator()) {
            g.writeStartObject();
            common(g, "websocket", m.timestampMicros(), c);
            g.writeStringField("direction", m.direction() == Direction.CLIENT_TO_SERVER ? "client" : "server");
            g.writeStringField("opcode", m.type().name().toLowerCase(java.util.Locale.ROOT));
            g.writeNumberField("size", m.size());
            g.writeNumberField("wire_size", m.wireSize());
            g.writeBooleanField("compressed", m.compressed());
            if (m.type() == WebSocketMessage.Type.TEXT) {
                g.writeStringField("payload", new String(m.payload(), java.nio.charset.StandardCharsets.UTF_8));
            } else if (m.payload().length > 0) {
                g.writeStringField("payload", Base64.getEncoder().encodeToString(m.payload()));
                g.writeStringField("payload_encoding", "base64");
            }
            g.writeBooleanField("truncated", m.truncated());
            if (m.note() != null) {
                g.writeStringField("note", m.note());
            }
            if (m.type() == WebSocketMessage.Type.CLOSE) {
                g.writeNumberField("close_code", m.closeCode());
                if (m.closeReason() != null) {
                    g.writeStringField("close_reason", m.closeReason());
                }
            }
            g.writeEndObject();
        }
        endLine();
    }

    @Override
    public void connectionClosed(ConnectionMeta c, String undecodable) throws IOException {
        if (c.exchanges > 0 && undecodable == null) {
            return; // its exchanges are in the log already
        }
        try (JsonGenerator g = generator()) {
            g.writeStartObject();
            common(g, "connection", c.opened.timestampMicros(), c);
            g.writeStringField("interception", c.opened.interception().label());
            if (c.closed != null) {
                g.writeNumberField("bytes_up", c.closed.bytesClientToServer());
                g.writeNumberField("bytes_down", c.closed.bytesServerToClient());
                g.writeNumberField("duration_ms", Timestamps.millis(c.opened.timestampMicros(), c.closed.timestampMicros()));
                g.writeStringField("end", c.closed.how().name());
                if (c.closed.closedBy() != null) {
                    g.writeStringField("closed_by", c.closed.closedBy() == Direction.CLIENT_TO_SERVER ? "client" : "server");
                }
                if (c.closed.error() != null) {
                    g.writeStringField("error", c.closed.error());
                }
            }
            g.writeNumberField("exchanges", c.exchanges);
            if (undecodable != null) {
                g.writeStringField("undecodable", undecodable);
            }
            g.writeEndObject();
        }
        endLine();
    }

    private JsonGenerator generator() throws IOException {
        JsonGenerator g = json.createGenerator(pending);
        g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
        return g;
    }

    private void common(JsonGenerator g, String type, long micros, ConnectionMeta c) throws IOException {
        g.writeStringField("type", type);
        g.writeStringField("time", Timestamps.iso(micros));
        g.writeNumberField("connection", c.id());
        g.writeStringField("mode", c.mode().label());
        if (c.client() != null) {
            g.writeStringField("client", ConsoleFormat.address(c.client()));
        }
        if (c.server() != null) {
            g.writeStringField("server", ConsoleFormat.address(c.server()));
        }
        if (c.sni() != null) {
            g.writeStringField("sni", c.sni());
        }
        if (c.tls() != null) {
            g.writeObjectFieldStart("tls");
            g.writeStringField("version", c.tls().protocol());
            g.writeStringField("cipher", c.tls().cipher());
            if (c.alpn() != null) {
                g.writeStringField("alpn", c.alpn());
            }
            g.writeEndObject();
        }
    }

    private void message(JsonGenerator g, String field, ConnectionMeta c, HttpMessage m) throws IOException {
        g.writeObjectFieldStart(field);
        if (m.kind == HttpMessage.Kind.REQUEST) {
            g.writeStringField("method", m.method);
            g.writeStringField("url", io.plainsight.sink.har.HarUrls.url(c, m));
        } else {
            g.writeNumberField("status", m.status);
            g.writeStringField("reason", m.reason == null ? "" : m.reason);
        }
        g.writeStringField("version", m.version);
        headers(g, "headers", m.headers);
        if (!m.trailers.isEmpty()) {
            headers(g, "trailers", m.trailers);
        }
        g.writeNumberField("header_bytes", m.headerBytes);
        g.writeNumberField("body_bytes", m.body.size());
        g.writeNumberField("wire_body_bytes", m.wireBodyBytes);
        if (m.body.size() > 0) {
            DisplayBody b = DisplayBody.of(m, maxBody);
            g.writeStringField("body", b.text());
            g.writeStringField("body_encoding", b.base64() ? "base64" : "utf-8");
            g.writeBooleanField("body_truncated", b.truncated());
            if (b.note() != null) {
                g.writeStringField("body_note", b.note());
            }
        }
        g.writeNumberField("start_us", m.startMicros);
        g.writeNumberField("end_us", m.endMicros);
        g.writeBooleanField("complete", m.complete);
        g.writeEndObject();
    }

    private static void headers(JsonGenerator g, String field, List<Http1Header> headers) throws IOException {
        g.writeArrayFieldStart(field);
        for (Http1Header h : headers) {
            g.writeStartArray();
            g.writeString(h.name());
            g.writeString(h.value());
            g.writeEndArray();
        }
        g.writeEndArray();
    }

    private void endLine() {
        pending.write('\n');
        if (pending.full()) {
            flush();
        }
    }

    @Override
    public void flush() {
        pending.flushTo(file);
    }

    @Override
    public void close() {
        flush();
        file.close();
    }

    @Override
    public String toString() {
        return "flows " + file.describe();
    }
}

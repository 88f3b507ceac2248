package io.plainsight.sink.connlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.sink.console.ConsoleFormat;
import io.plainsight.sink.exchange.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;

/**
 * Writes one connection as one JSON object (no newline): the fields the README's "Connection log"
 * section lists, in a fixed order. Pure formatting, so a line is tested byte for byte.
 */
final class ConnectionLogLine {
    private final JsonFactory json = new JsonFactory();

    /**
     * @param closed how it ended, or null for a connection still open when plainsight stopped
     *     (then {@code "open": true} and no end, counts or duration)
     */
    void write(OutputStream out, ConnectionRecord r, ConnectionClosed closed) throws IOException {
        ConnectionOpened o = r.opened;
        try (JsonGenerator g = json.createGenerator(out)) {
            g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeStringField("time", IsoMicros.format(o.timestampMicros()));
            if (closed != null) {
                g.writeStringField("end_time", IsoMicros.format(closed.timestampMicros()));
                g.writeNumberField("duration_ms", Timestamps.millis(o.timestampMicros(), closed.timestampMicros()));
            } else {
                g.writeBooleanField("open", true);
            }
            g.writeNumberField("connection", o.connectionId());
            g.writeStringField("mode", o.mode().label());
            g.writeStringField("interception", o.interception().label());
            address(g, "client", o.client());
            address(g, "server", o.server());
            address(g, "listener", o.listener());
            address(g, "upstream_local", o.upstreamLocal());
            String sni = o.sni() != null ? o.sni() : r.upstreamTls != null ? r.upstreamTls.sni() : null;
            if (sni != null) {
                g.writeStringField("sni", sni);
            }
            leg(g, "client_tls", r.clientTls);
            leg(g, "upstream_tls", r.upstreamTls);
            if (r.ja3 != null) {
                g.writeStringField("ja3", r.ja3.md5());
                g.writeStringField("ja3_string", r.ja3.text());
            }
            if (r.ja4 != null) {
                g.writeStringField("ja4", r.ja4);
            }
            if (r.ja3s != null) {
                g.writeStringField("ja3s", r.ja3s.md5());
                g.writeStringField("ja3s_string", r.ja3s.text());
            }
            if (r.ja4s != null) {
                g.writeStringField("ja4s", r.ja4s);
            }
            if (closed != null) {
                g.writeNumberField("bytes_up", closed.bytesClientToServer());
                g.writeNumberField("bytes_down", closed.bytesServerToClient());
                g.writeNumberField("packets_up", closed.chunksClientToServer());
                g.writeNumberField("packets_down", closed.chunksServerToClient());
                g.writeStringField("end", closed.how().name());
                if (closed.closedBy() != null) {
                    g.writeStringField("closed_by", closed.closedBy() == Direction.CLIENT_TO_SERVER ? "client" : "server");
                }
                if (closed.error() != null) {
                    g.writeStringField("error", closed.error());
                }
            }
            g.writeEndObject();
        }
    }

    private static void address(JsonGenerator g, String field, InetSocketAddress a) throws IOException {
        if (a != null) {
            g.writeStringField(field, ConsoleFormat.address(a));
        }
    }

    private static void leg(JsonGenerator g, String field, ConnectionRecord.LegTls t) throws IOException {
        if (t == null) {
            return;
        }
        g.writeObjectFieldStart(field);
        g.writeStringField("version", t.version());
        g.writeStringField("cipher", t.cipher());
        if (t.alpn() != null) {
            g.writeStringField("alpn", t.alpn());
        }
        if (t.certificateSha256() != null) {
            g.writeStringField("certificate_sha256", t.certificateSha256());
        }
        if (t.certificateSubject() != null) {
            g.writeStringField("certificate_subject", t.certificateSubject());
        }
        g.writeEndObject();
    }
}

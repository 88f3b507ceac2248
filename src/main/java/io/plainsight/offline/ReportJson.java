package io.plainsight.offline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.sink.console.ConsoleFormat;
import io.plainsight.sink.exchange.Timestamps;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The decryption report as one JSON object, written as it goes: every connection's row when it
 * closes (so the report of a huge capture needs no memory), then the inputs, the summary and the
 * problems at the end:
 *
 * <pre>{@code
 * {"connections":[{"id":0,"client":"10.0.0.1:51234","server":"10.0.0.2:443","sni":"example.com",
 *   "version":"TLS 1.3","cipher":"TLS_AES_128_GCM_SHA256","alpn":"h2","status":"decrypted",
 *   "decrypted":true,"reason":null,...}, ...],
 *  "inputs":[{"name":"a.pcapng","format":"pcapng","packets":123,...}],
 *  "summary":{"connections":..,"decrypted":..,"partly_decrypted":..,"not_decrypted":..,"plain":..},
 *  "warnings":[...],"exit_code":0}
 * }</pre>
 */
public final class ReportJson implements AutoCloseable {
    private final JsonGenerator g;

    /** Starts the object on {@code out}, which stays open (the caller closes it). */
    public ReportJson(OutputStream out) {
        try {
            g = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            g.writeStartObject();
            g.writeArrayFieldStart("connections");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes one connection's row. */
    public void connection(ConnectionOutcome o) {
        if (o.status() == ConnectionOutcome.Status.FILTERED) {
            return;
        }
        try {
            g.writeStartObject();
            g.writeNumberField("id", o.id());
            g.writeStringField("input", o.input());
            g.writeNumberField("first_packet", o.firstPacket());
            g.writeStringField("start", Timestamps.iso(o.firstMicros()));
            g.writeStringField("end", Timestamps.iso(o.lastMicros()));
            g.writeStringField("client", ConsoleFormat.address(o.client()));
            g.writeStringField("server", ConsoleFormat.address(o.server()));
            g.writeStringField("sni", o.sni());
            g.writeStringField("version", o.version());
            g.writeStringField("cipher", o.cipher());
            g.writeStringField("alpn", o.alpn());
            g.writeStringField("resumption", o.resumption());
            g.writeNumberField("handshakes", o.handshakes());
            g.writeStringField("status", o.status().label());
            g.writeBooleanField("decrypted", o.status() == ConnectionOutcome.Status.DECRYPTED);
            g.writeStringField("reason", o.reason());
            g.writeArrayFieldStart("notes");
            for (String n : o.notes()) {
                g.writeString(n);
            }
            g.writeEndArray();
            g.writeNumberField("bytes_client_to_server", o.plaintextClientToServer());
            g.writeNumberField("bytes_server_to_client", o.plaintextServerToClient());
            g.writeStringField("ended", o.ended());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes the inputs, the summary and the problems, and ends the object. */
    public void finish(DecryptionReport r) {
        try {
            g.writeEndArray();
            g.writeArrayFieldStart("inputs");
            for (DecryptionReport.Input in : r.inputs) {
                g.writeStartObject();
                g.writeStringField("name", in.name);
                g.writeStringField("format", in.format);
                g.writeNumberField("packets", in.packets);
                g.writeNumberField("tcp_segments", in.segments);
                g.writeNumberField("problems", in.problems);
                g.writeObjectFieldStart("skipped");
                for (Map.Entry<String, Long> e : in.skipped.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("summary");
            g.writeNumberField("connections", r.connections());
            for (ConnectionOutcome.Status s : ConnectionOutcome.Status.values()) {
                g.writeNumberField(s.label().replace(' ', '_'), r.count(s));
            }
            if (!r.filteredByRule.isEmpty()) {
                g.writeObjectFieldStart("filtered_out_by_rule");
                for (var e : r.filteredByRule.entrySet()) {
                    g.writeNumberField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeNumberField("plaintext_bytes", r.plaintextBytes);
            g.writeNumberField("decryption_secrets_blocks", r.secretsBlocks);
            g.writeEndObject();
            g.writeArrayFieldStart("unreadable_inputs");
            for (String u : r.unreadable) {
                g.writeString(u);
            }
            g.writeEndArray();
            g.writeNumberField("warning_count", r.warningCount);
            g.writeArrayFieldStart("warnings");
            for (String w : r.warnings) {
                g.writeString(w);
            }
            g.writeEndArray();
            g.writeNumberField("exit_code", r.exitCode());
            g.writeEndObject();
            g.writeRaw('\n');
            g.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            g.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

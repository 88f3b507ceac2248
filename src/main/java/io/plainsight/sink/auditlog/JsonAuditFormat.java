package io.plainsight.sink.auditlog;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.http.Http1Header;
import io.plainsight.policy.RuleMatch;
import io.plainsight.sink.exchange.JsonArrays;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * libmodsecurity 3's JSON audit log ({@code Transaction::toJSON}): one object per line,
 * {@code {"transaction":{"client_ip", "time_stamp", "server_id", "client_port", "host_ip",
 * "host_port", "unique_id", "request":{"method", "http_version", "uri", "body", "headers"},
 * "response":{"body", "http_code", "headers"}, "producer":{...}, "messages":[...]}}}, the keys in
 * that order and present by part as libmodsecurity writes them (B: request headers, C: request
 * body, E: response body, F: response headers, H: producer and messages).
 *
 * <p>Where plainsight differs: a header sent more than once is one key with the values joined by
 * {@code ", "} (libmodsecurity repeats the key, which strict JSON readers such as Elasticsearch
 * refuse); bodies and header values are UTF-8 text when they are valid UTF-8, else one character
 * per byte (ISO-8859-1); part I puts the multipart body without its files in
 * {@code request.body}; and what libmodsecurity 3 has no field for (J's uploads, K's rules, the
 * sticky capture, redactions, truncation, notes) is under {@code transaction.plainsight}. Pure.
 */
public final class JsonAuditFormat {
    private final JsonFactory json = new JsonFactory();
    private final AuditTime time;
    private final String producer;
    private final String serverId;

    /**
     * @param producer the {@code producer.modsecurity} value, e.g. {@code plainsight/1.0}
     * @param serverId the {@code server_id}: libmodsecurity writes a hash identifying the machine
     */
    JsonAuditFormat(AuditTime time, String producer, String serverId) {
        this.time = time;
        this.producer = producer;
        this.serverId = serverId;
    }

    /** The entry: one JSON object and a line feed. */
    byte[] entry(AuditRecord r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
        try (JsonGenerator g = json.createGenerator(out)) {
            write(g, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        out.write('\n');
        return out.toByteArray();
    }

    private void write(JsonGenerator g, AuditRecord r) throws IOException {
        AuditParts parts = r.parts();
        g.writeStartObject();
        g.writeObjectFieldStart("transaction");
        g.writeStringField("client_ip", r.clientIp());
        g.writeStringField("time_stamp", time.ascTime(r.startMicros()));
        g.writeStringField("server_id", serverId);
        g.writeNumberField("client_port", r.clientPort());
        g.writeStringField("host_ip", r.hostIp());
        g.writeNumberField("host_port", r.hostPort());
        g.writeStringField("unique_id", r.uniqueId());

        g.writeObjectFieldStart("request");
        g.writeStringField("method", text(r.method()));
        String version = r.protocol().substring(r.protocol().indexOf('/') + 1);
        if (version.matches("\\d{1,3}(\\.\\d{1,3})?")) {
            g.writeFieldName("http_version");
            g.writeNumber(version); // 1.1, 2.0: a number, as libmodsecurity writes it
        } else {
            g.writeStringField("http_version", text(version)); // not a version number: never invalid JSON
        }
        g.writeStringField("uri", text(r.uri()));
        if (parts.has('C') || parts.has('I')) {
            g.writeStringField("body", requestBody(r));
        }
        if (parts.has('B')) {
            headers(g, r.requestHeaders());
        }
        g.writeEndObject();

        AuditRecord.Response resp = r.response();
        g.writeObjectFieldStart("response");
        if (parts.has('E')) {
            g.writeStringField("body", resp == null || resp.body() == null ? "" : text(resp.body().bytes()));
        }
        g.writeNumberField("http_code", resp == null ? 0 : resp.status());
        if (parts.has('F')) {
            headers(g, resp == null ? List.of() : resp.headers());
        }
        g.writeEndObject();

        if (parts.has('H')) {
            g.writeObjectFieldStart("producer");
            g.writeStringField("modsecurity", producer);
            g.writeStringField("connector", "plainsight " + r.mode().label());
            g.writeStringField("secrules_engine", "DetectionOnly"); // plainsight's rules log, they never block
            g.writeArrayFieldStart("components");
            g.writeEndArray();
            g.writeEndObject();
            g.writeArrayFieldStart("messages");
            for (RuleMatch m : r.verdict().matches()) {
                message(g, m);
            }
            g.writeEndArray();
        }
        plainsight(g, r);
        g.writeEndObject();
        g.writeEndObject();
    }

    private static String requestBody(AuditRecord r) {
        if (r.requestBody() == null) {
            return "";
        }
        if (!r.parts().has('C') && r.multipart() != null) {
            return r.multipart().reducedBody();
        }
        return text(r.requestBody().bytes());
    }

    private static void message(JsonGenerator g, RuleMatch m) throws IOException {
        g.writeStartObject();
        g.writeStringField("message", m.msg() == null ? "" : m.msg());
        g.writeObjectFieldStart("details");
        g.writeStringField("match", "Matched plainsight rule");
        g.writeStringField("reference", "");
        g.writeStringField("ruleId", m.id());
        g.writeStringField("file", "");
        g.writeStringField("lineNumber", "0");
        g.writeStringField("data", "");
        g.writeStringField("severity", "0");
        g.writeStringField("ver", "");
        g.writeStringField("rev", "");
        g.writeArrayFieldStart("tags");
        g.writeEndArray();
        g.writeStringField("maturity", "0");
        g.writeStringField("accuracy", "0");
        g.writeEndObject();
        g.writeEndObject();
    }

    /** Fields libmodsecurity 3 has no place for. */
    private void plainsight(JsonGenerator g, AuditRecord r) throws IOException {
        AuditParts parts = r.parts();
        g.writeObjectFieldStart("plainsight");
        g.writeStringField("mode", r.mode().label());
        g.writeStringField("parts", parts.toString());
        g.writeNumberField("start_us", r.startMicros());
        g.writeNumberField("duration_us", r.durationMicros());
        if (parts.has('J') && r.multipart() != null) {
            g.writeObjectFieldStart("uploads");
            g.writeArrayFieldStart("files");
            long total = 0;
            for (MultipartBody.Part f : r.multipart().files()) {
                g.writeStartObject();
                g.writeNumberField("index", f.index());
                g.writeNumberField("size", f.size());
                g.writeStringField("filename", text(f.filename()));
                if (f.contentType() != null) {
                    g.writeStringField("content_type", text(f.contentType()));
                }
                g.writeEndObject();
                total += f.size();
            }
            g.writeEndArray();
            g.writeNumberField("total", total);
            g.writeEndObject();
        }
        if (parts.has('K')) {
            g.writeArrayFieldStart("matched_rules");
            for (RuleMatch m : r.verdict().matches()) {
                g.writeString(m.rule());
            }
            g.writeEndArray();
        }
        if (r.verdict().sticky()) {
            g.writeStringField("sticky_until", time.logTime(r.verdict().stickyUntilMicros()));
        }
        JsonArrays.strings(g, "sanitised", r.verdict().sanitised());
        if ((parts.has('C') || parts.has('I')) && r.requestBody() != null && r.requestBody().truncated()) {
            g.writeNumberField("request_body_truncated_at", r.requestBody().bytes().length);
        }
        AuditRecord.Response resp = r.response();
        if (parts.has('E') && resp != null && resp.body() != null && resp.body().truncated()) {
            g.writeNumberField("response_body_truncated_at", resp.body().bytes().length);
        }
        JsonArrays.strings(g, "notes", r.notes());
        g.writeEndObject();
    }

    /** Header fields as one object; a name sent more than once gets its values joined by ", ". */
    private static void headers(JsonGenerator g, List<Http1Header> headers) throws IOException {
        Map<String, String[]> merged = new LinkedHashMap<>();
        for (Http1Header h : headers) {
            String key = h.name().toLowerCase(Locale.ROOT);
            String[] seen = merged.get(key);
            if (seen == null) {
                merged.put(key, new String[] {h.name(), h.value()});
            } else {
                seen[1] = seen[1] + ", " + h.value();
            }
        }
        g.writeObjectFieldStart("headers");
        for (String[] h : merged.values()) {
            g.writeStringField(text(h[0]), text(h[1]));
        }
        g.writeEndObject();
    }

    /** Bytes held as ISO-8859-1 characters, as text: UTF-8 when they are valid UTF-8. */
    static String text(String latin1) {
        return text(latin1.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** Bytes as text: UTF-8 when valid, else one character per byte. */
    static String text(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return new String(bytes, StandardCharsets.ISO_8859_1);
        }
    }
}

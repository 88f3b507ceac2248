package io.plainsight.sink.har;

import com.fasterxml.jackson.core.JsonGenerator;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.DisplayBody;
import io.plainsight.sink.exchange.Timestamps;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes one exchange as a HAR 1.2 entry (the {@code log.entries[]} object). */
final class HarEntryWriter {
    private HarEntryWriter() {}

    static void write(JsonGenerator g, ConnectionMeta c, Exchange x, int maxBody) throws IOException {
        HttpMessage req = x.request;
        HttpMessage resp = x.response;
        long reqStart = req.startMicros;
        long reqEnd = req.endMicros > 0 ? req.endMicros : reqStart;
        long respStart = resp != null && resp.startMicros > 0 ? Math.max(resp.startMicros, reqEnd) : reqEnd;
        long respEnd = resp != null && resp.endMicros > 0 ? Math.max(resp.endMicros, respStart) : respStart;
        double send = Timestamps.millis(reqStart, reqEnd);
        double wait = Timestamps.millis(reqEnd, respStart);
        double receive = Timestamps.millis(respStart, respEnd);

        g.writeStartObject();
        g.writeStringField("startedDateTime", Timestamps.iso(reqStart));
        g.writeNumberField("time", round(send + wait + receive));
        request(g, c, req, maxBody);
        response(g, resp, maxBody);
        g.writeObjectFieldStart("cache");
        g.writeEndObject();
        g.writeObjectFieldStart("timings");
        g.writeNumberField("blocked", -1);
        g.writeNumberField("dns", -1);
        g.writeNumberField("connect", -1);
        g.writeNumberField("ssl", -1);
        g.writeNumberField("send", round(send));
        g.writeNumberField("wait", round(wait));
        g.writeNumberField("receive", round(receive));
        g.writeEndObject();
        if (c.server() != null && c.server().getAddress() != null) {
            g.writeStringField("serverIPAddress", c.server().getAddress().getHostAddress());
        }
        g.writeStringField("connection", Long.toString(c.id()));
        g.writeObjectFieldStart("_plainsight");
        g.writeNumberField("connection", c.id());
        g.writeNumberField("stream", x.streamId);
        g.writeStringField("mode", c.mode().label());
        if (c.client() != null) {
            g.writeStringField("client", io.plainsight.sink.console.ConsoleFormat.address(c.client()));
        }
        if (c.sni() != null) {
            g.writeStringField("sni", c.sni());
        }
        if (c.tls() != null) {
            g.writeStringField("tls", c.tls().protocol() + "/" + c.tls().cipher());
        }
        if (c.alpn() != null) {
            g.writeStringField("alpn", c.alpn());
        }
        g.writeBooleanField("complete", req.complete && resp != null && resp.complete);
        if (x.pushed) {
            g.writeBooleanField("pushed", true);
        }
        if (!x.notes.isEmpty()) {
            g.writeArrayFieldStart("notes");
            for (String n : x.notes) {
                g.writeString(n);
            }
            g.writeEndArray();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void request(JsonGenerator g, ConnectionMeta c, HttpMessage m, int maxBody) throws IOException {
        String url = HarUrls.url(c, m);
        g.writeObjectFieldStart("request");
        g.writeStringField("method", m.method == null ? "" : m.method);
        g.writeStringField("url", url);
        g.writeStringField("httpVersion", m.version == null ? "" : m.version);
        cookies(g, m.headers, "Cookie");
        headers(g, m.headers);
        g.writeArrayFieldStart("queryString");
        int q = url.indexOf('?');
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                g.writeStartObject();
                g.writeStringField("name", decode(eq < 0 ? pair : pair.substring(0, eq)));
                g.writeStringField("value", eq < 0 ? "" : decode(pair.substring(eq + 1)));
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        if (m.body.size() > 0) {
            DisplayBody b = DisplayBody.of(m, maxBody);
            g.writeObjectFieldStart("postData");
            String type = m.header("Content-Type");
            g.writeStringField("mimeType", type == null ? "" : type);
            g.writeArrayFieldStart("params");
            g.writeEndArray();
            g.writeStringField("text", b.text());
            if (b.base64()) {
                g.writeStringField("_encoding", "base64");
            }
            if (b.truncated()) {
                g.writeBooleanField("_truncated", true);
            }
            g.writeEndObject();
        }
        g.writeNumberField("headersSize", m.headerBytes > 0 ? m.headerBytes : -1);
        g.writeNumberField("bodySize", m.body.size());
        g.writeEndObject();
    }

    private static void response(JsonGenerator g, HttpMessage m, int maxBody) throws IOException {
        g.writeObjectFieldStart("response");
        if (m == null) {
            // no response: HAR has no way to say so but status 0 (as browsers write aborted requests)
            g.writeNumberField("status", 0);
            g.writeStringField("statusText", "");
            g.writeStringField("httpVersion", "");
            g.writeArrayFieldStart("cookies");
            g.writeEndArray();
            g.writeArrayFieldStart("headers");
            g.writeEndArray();
            g.writeObjectFieldStart("content");
            g.writeNumberField("size", 0);
            g.writeStringField("mimeType", "x-unknown");
            g.writeEndObject();
            g.writeStringField("redirectURL", "");
            g.writeNumberField("headersSize", -1);
            g.writeNumberField("bodySize", -1);
            g.writeEndObject();
            return;
        }
        g.writeNumberField("status", m.status);
        g.writeStringField("statusText", m.reason == null ? "" : m.reason);
        g.writeStringField("httpVersion", m.version == null ? "" : m.version);
        cookies(g, m.headers, "Set-Cookie");
        headers(g, m.headers);
        DisplayBody b = DisplayBody.of(m, maxBody);
        g.writeObjectFieldStart("content");
        g.writeNumberField("size", b.size() >= 0 ? b.size() : m.body.size());
        if (b.size() > m.body.size()) {
            g.writeNumberField("compression", b.size() - m.body.size());
        }
        String type = m.header("Content-Type");
        g.writeStringField("mimeType", type == null ? "x-unknown" : type);
        if (m.body.size() > 0) {
            g.writeStringField("text", b.text());
            if (b.base64()) {
                g.writeStringField("encoding", "base64");
            }
        }
        if (b.truncated()) {
            g.writeBooleanField("_truncated", true);
        }
        if (b.note() != null) {
            g.writeStringField("comment", b.note());
        }
        g.writeEndObject();
        String location = m.header("Location");
        g.writeStringField("redirectURL", location == null ? "" : location);
        g.writeNumberField("headersSize", m.headerBytes > 0 ? m.headerBytes : -1);
        g.writeNumberField("bodySize", m.body.size());
        g.writeEndObject();
    }

    private static void headers(JsonGenerator g, List<Http1Header> headers) throws IOException {
        g.writeArrayFieldStart("headers");
        for (Http1Header h : headers) {
            g.writeStartObject();
            g.writeStringField("name", h.name());
            g.writeStringField("value", h.value());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void cookies(JsonGenerator g, List<Http1Header> headers, String header) throws IOException {
        g.writeArrayFieldStart("cookies");
        for (Http1Header h : headers) {
            if (!h.name().equalsIgnoreCase(header)) {
                continue;
            }
            String[] parts = header.equals("Cookie") ? h.value().split(";") : new String[] {h.value().split(";", 2)[0]};
            for (String p : parts) {
                int eq = p.indexOf('=');
                if (eq <= 0) {
                    continue;
                }
                g.writeStartObject();
                g.writeStringField("name", p.substring(0, eq).trim());
                g.writeStringField("value", p.substring(eq + 1).trim());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    private static double round(double ms) {
        return Math.round(ms * 1000) / 1000.0;
    }
}

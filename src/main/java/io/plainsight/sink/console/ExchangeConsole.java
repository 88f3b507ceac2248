package io.plainsight.sink.console;

import io.plainsight.event.Direction;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.http.WebSocketMessage;
import io.plainsight.sink.exchange.ConnectionMeta;
import io.plainsight.sink.exchange.ExchangeOutput;
import io.plainsight.sink.har.HarUrls;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * One console line per exchange, like mitmdump: {@code 14:02:11.532 127.0.0.1:50412  GET
 * https://api.test/v1/users  200  1.5KiB  12ms}; with verbose, the request and response headers
 * below it. WebSocket messages get a line each.
 */
public final class ExchangeConsole implements ExchangeOutput {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("HH:mm:ss.SSS", Locale.ROOT).withZone(ZoneId.systemDefault());

    private final PrintStream out;
    private final boolean verbose;

    public ExchangeConsole(PrintStream out, boolean verbose) {
        this.out = out;
        this.verbose = verbose;
    }

    @Override
    public void exchange(ConnectionMeta c, Exchange x) {
        StringBuilder sb = new StringBuilder(160);
        line(sb, c, x);
        if (verbose) {
            headers(sb, "> ", x.request);
            if (x.response != null) {
                headers(sb, "< ", x.response);
            }
        }
        out.println(sb);
    }

    /** The one-line summary (pure, for tests). */
    static void line(StringBuilder sb, ConnectionMeta c, Exchange x) {
        HttpMessage req = x.request;
        HttpMessage resp = x.response;
        sb.append(TIME.format(Instant.ofEpochSecond(0, req.startMicros * 1000)));
        sb.append(' ').append(ConsoleFormat.address(c.client())).append("  ");
        sb.append(req.method == null ? "-" : req.method).append(' ').append(req.method == null ? "-" : HarUrls.url(c, req));
        if (req.version != null && !req.version.equals("HTTP/1.1")) {
            sb.append(' ').append(req.version);
        }
        sb.append("  ");
        if (resp == null) {
            sb.append("-  -");
        } else {
            sb.append(resp.status).append("  ").append(ConsoleFormat.bytes(resp.body.size()));
        }
        long end = resp != null && resp.endMicros > 0 ? resp.endMicros : req.endMicros;
        sb.append("  ").append(ConsoleFormat.duration(Math.max(0, end - req.startMicros)));
        if (!req.complete || resp == null || !resp.complete) {
            sb.append("  [incomplete]");
        }
        for (String n : x.notes) {
            sb.append("  (").append(n).append(')');
        }
        if (!x.verdict.matches().isEmpty()) {
            sb.append("  [rule");
            for (int i = 0; i < x.verdict.matches().size(); i++) {
                sb.append(i == 0 ? " " : ",").append(x.verdict.matches().get(i).id());
            }
            sb.append(']');
        }
        if (x.verdict.sticky()) {
            sb.append("  [full capture until ").append(TIME.format(Instant.ofEpochSecond(0, x.verdict.stickyUntilMicros() * 1000)))
                    .append(']');
        }
    }

    private static void headers(StringBuilder sb, String prefix, HttpMessage m) {
        sb.append('\n').append("    ").append(prefix);
        if (m.kind == HttpMessage.Kind.REQUEST) {
            sb.append(m.method).append(' ').append(m.target).append(' ').append(m.version);
        } else {
            sb.append(m.version).append(' ').append(m.status);
            if (m.reason != null && !m.reason.isEmpty()) {
                sb.append(' ').append(m.reason);
            }
        }
        for (Http1Header h : m.headers) {
            sb.append('\n').append("    ").append(prefix).append(h.name()).append(": ").append(h.value());
        }
        for (Http1Header h : m.trailers) {
            sb.append('\n').append("    ").append(prefix).append("(trailer) ").append(h.name()).append(": ").append(h.value());
        }
    }

    @Override
    public void webSocket(ConnectionMeta c, WebSocketMessage m) {
        StringBuilder sb = new StringBuilder(120);
        sb.append(TIME.format(Instant.ofEpochSecond(0, m.timestampMicros() * 1000)));
        sb.append(' ').append(ConsoleFormat.address(c.client())).append("  websocket ");
        sb.append(m.direction() == Direction.CLIENT_TO_SERVER ? "client -> server " : "server -> client ");
        sb.append(m.type().name().toLowerCase(Locale.ROOT)).append(' ').append(ConsoleFormat.bytes(m.size()));
        if (m.type() == WebSocketMessage.Type.TEXT) {
            String text = new String(m.payload(), StandardCharsets.UTF_8).replace('\n', ' ');
            sb.append("  \"").append(text.length() > 80 ? text.substring(0, 80) + "..." : text).append('"');
        } else if (m.type() == WebSocketMessage.Type.CLOSE) {
            sb.append("  code=").append(m.closeCode());
            if (m.closeReason() != null) {
                sb.append(" reason=\"").append(m.closeReason()).append('"');
            }
        }
        out.println(sb);
    }

    @Override
    public void connectionClosed(ConnectionMeta connection, String undecodable) {
        // the connection line comes from ConsoleSink
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public void close() {
        out.flush();
    }

    @Override
    public String toString() {
        return "console";
    }
}

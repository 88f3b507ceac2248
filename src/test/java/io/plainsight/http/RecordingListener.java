package io.plainsight.http;

import io.plainsight.event.Direction;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** A {@link DecodeListener} that keeps what it is told, and renders it as text for comparisons. */
final class RecordingListener implements DecodeListener {
    record Undecodable(long connectionId, Direction direction, long offset, String reason) {}

    final List<Exchange> exchanges = new ArrayList<>();
    final List<WebSocketMessage> webSockets = new ArrayList<>();
    final List<Undecodable> undecodable = new ArrayList<>();

    @Override
    public void exchange(Exchange exchange) {
        exchanges.add(exchange);
    }

    @Override
    public void webSocket(WebSocketMessage message) {
        webSockets.add(message);
    }

    @Override
    public void undecodable(long connectionId, Direction direction, long offset, String reason) {
        undecodable.add(new Undecodable(connectionId, direction, offset, reason));
    }

    /** The exchange of a stream (fails if there is not exactly one). */
    Exchange stream(int id) {
        List<Exchange> found = exchanges.stream().filter(e -> e.streamId == id).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " exchanges for stream " + id + " in\n" + describe());
        }
        return found.get(0);
    }

    /** Everything reported, in order, as text: equal texts mean equal results. */
    String describe() {
        StringBuilder s = new StringBuilder();
        for (Exchange e : exchanges) {
            s.append("exchange connection=").append(e.connectionId).append(" stream=").append(e.streamId)
                    .append(" pushed=").append(e.pushed).append('\n');
            s.append("  request ").append(describe(e.request)).append('\n');
            for (HttpMessage m : e.interim) {
                s.append("  interim ").append(describe(m)).append('\n');
            }
            s.append("  response ").append(e.response == null ? "none" : describe(e.response)).append('\n');
            for (String n : e.notes) {
                s.append("  note ").append(n).append('\n');
            }
        }
        for (Undecodable u : undecodable) {
            s.append("undecodable ").append(u).append('\n');
        }
        return s.toString();
    }

    static String describe(HttpMessage m) {
        return m.kind + " " + m.method + " " + m.target + " " + m.scheme + " " + m.authority + " " + m.status + " "
                + m.reason + " " + m.version + " headers=" + m.headers + " trailers=" + m.trailers + " body="
                + m.body.size() + (m.body.truncated() ? "(truncated)" : "") + ":" + digest(m.body.bytes())
                + " headerBytes=" + m.headerBytes + " wireBodyBytes=" + m.wireBodyBytes + " complete=" + m.complete
                + " micros=" + m.startMicros + ".." + m.endMicros;
    }

    private static String digest(byte[] b) {
        if (b.length <= 32) {
            return HexFormat.of().formatHex(b);
        }
        try {
            return "sha256-" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b)).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}

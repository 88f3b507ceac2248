package io.plainsight.sink.har;

import io.plainsight.http.HttpMessage;
import io.plainsight.sink.exchange.ConnectionMeta;

/** The full URL of a request as the client meant it (scheme from the connection, authority from Host). */
public final class HarUrls {
    private HarUrls() {}

    public static String url(ConnectionMeta c, HttpMessage m) {
        String scheme = m.scheme != null ? m.scheme : c.scheme();
        String authority = m.authority != null ? m.authority : m.header("Host");
        if (m.target == null) {
            return "";
        }
        if (m.target.contains("://") || "CONNECT".equals(m.method)) {
            return m.target;
        }
        if (authority == null) {
            authority = c.sni() != null ? c.sni() : (c.server() == null ? "" : ConsoleAddress.of(c));
        }
        return scheme + "://" + authority + (m.target.startsWith("/") ? m.target : "/" + m.target);
    }

    private static final class ConsoleAddress {
        static String of(ConnectionMeta c) {
            return io.plainsight.sink.console.ConsoleFormat.address(c.server());
        }
    }
}

package io.plainsight.http;

/**
 * Exchanges as text, for exact comparison in tests: every field of both messages, headers and
 * trailers in order, and bodies byte for byte (quoted, non-printable bytes as \xNN; bodies over
 * {@link #MAX_SHOWN} bytes only by size).
 */
final class ExchangeText {
    static final int MAX_SHOWN = 300;

    private ExchangeText() {}

    static String render(Exchange e) {
        StringBuilder sb = new StringBuilder("exchange\n");
        HttpMessage q = e.request;
        if (q.method == null) {
            sb.append("  request none");
        } else {
            sb.append("  request ").append(q.method).append(' ').append(q.target).append(' ').append(q.version)
                    .append(" url=").append(q.url());
        }
        message(sb, q);
        for (HttpMessage i : e.interim) {
            sb.append("  interim");
            statusLine(sb, i);
            message(sb, i);
        }
        if (e.response != null) {
            sb.append("  response");
            statusLine(sb, e.response);
            message(sb, e.response);
        }
        for (String n : e.notes) {
            sb.append("  note ").append(n).append('\n');
        }
        return sb.toString();
    }

    private static void statusLine(StringBuilder sb, HttpMessage m) {
        sb.append(' ').append(m.status).append(' ').append(quote(m.reason)).append(' ').append(m.version);
    }

    private static void message(StringBuilder sb, HttpMessage m) {
        sb.append(" @").append(m.startMicros).append('-').append(m.endMicros)
                .append(" head=").append(m.headerBytes).append(" body=").append(m.wireBodyBytes)
                .append('/').append(m.body.size()).append(m.body.truncated() ? " truncated" : "")
                .append(m.complete ? "" : " INCOMPLETE").append('\n');
        for (Http1Header h : m.headers) {
            sb.append("    ").append(field(h)).append('\n');
        }
        byte[] body = m.body.bytes();
        if (body.length > MAX_SHOWN) {
            sb.append("    body (").append(body.length).append(" bytes kept)\n");
        } else if (body.length > 0) {
            sb.append("    body ").append(quote(new String(body, java.nio.charset.StandardCharsets.ISO_8859_1))).append('\n');
        }
        for (Http1Header h : m.trailers) {
            sb.append("    trailer ").append(field(h)).append('\n');
        }
    }

    private static String field(Http1Header h) {
        String v = h.value();
        if (v.length() > MAX_SHOWN) {
            v = v.substring(0, 40) + "... (" + v.length() + " chars)";
        }
        return v.isEmpty() ? h.name() + ":" : h.name() + ": " + v;
    }

    /** A string quoted, printable ASCII as is and other chars as \xNN (\r and \n as such). */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02X", (int) c & 0xff));
            }
        }
        return sb.append('"').toString();
    }
}

package io.plainsight.http;

import java.util.ArrayList;
import java.util.List;

/**
 * The start line and header fields of an HTTP/1.x request or response, as parsed by
 * {@link Http1HeadParser}. Strings are ISO-8859-1 decoded: one char per wire byte.
 *
 * @param request true for a request, false for a response
 * @param method the request method (case-sensitive, as sent); null for a response
 * @param target the request-target as sent (origin, absolute, authority or asterisk form); null
 *     for a response
 * @param version the HTTP-version as sent, e.g. {@code HTTP/1.1}; any {@code HTTP/d.d} is
 *     accepted, the caller decides what it supports
 * @param status the status code (100..999) of a response; 0 for a request
 * @param reason the reason phrase of a response, empty when the status line has none; null for a
 *     request
 * @param headers the header fields in wire order
 * @param length bytes of the head on the wire: leading empty lines (requests), the start line,
 *     the header lines and the empty line that ends the head
 */
public record Http1Head(boolean request, String method, String target, String version,
        int status, String reason, List<Http1Header> headers, int length) {

    public Http1Head {
        headers = List.copyOf(headers);
    }

    /** The first value of the field {@code name} (case-insensitive), or null if absent. */
    public String header(String name) {
        for (Http1Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /** All values of the field {@code name} (case-insensitive) in wire order; empty if absent. */
    public List<String> values(String name) {
        List<String> out = new ArrayList<>(2);
        for (Http1Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                out.add(h.value());
            }
        }
        return out;
    }

    /**
     * The elements of the comma-separated list made of all values of {@code name}, in order,
     * trimmed of whitespace, empty elements dropped (RFC 9110 5.6.1). Commas inside quoted strings
     * are not special-cased: use this for token lists (Connection, Transfer-Encoding, Upgrade).
     */
    public List<String> tokens(String name) {
        List<String> out = new ArrayList<>(2);
        for (Http1Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                splitList(h.value(), out);
            }
        }
        return out;
    }

    /** Whether the comma-separated list over all values of {@code name} holds {@code token} (case-insensitive). */
    public boolean hasToken(String name, String token) {
        for (String t : tokens(name)) {
            if (t.equalsIgnoreCase(token)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the connection stays open after this message by default (RFC 9112 9.3): HTTP/1.1
     * and later unless {@code Connection: close}, HTTP/1.0 only with {@code Connection:
     * keep-alive}. Body framing (until close) may still end the connection.
     */
    public boolean persistent() {
        if (hasToken("Connection", "close")) {
            return false;
        }
        if ("HTTP/1.0".equals(version) || "HTTP/0.9".equals(version)) {
            return hasToken("Connection", "keep-alive");
        }
        return true;
    }

    static void splitList(String value, List<String> out) {
        int start = 0;
        int n = value.length();
        while (start <= n) {
            int comma = value.indexOf(',', start);
            int end = comma < 0 ? n : comma;
            int a = start;
            int b = end;
            while (a < b && isOws(value.charAt(a))) {
                a++;
            }
            while (b > a && isOws(value.charAt(b - 1))) {
                b--;
            }
            if (a < b) {
                out.add(value.substring(a, b));
            }
            if (comma < 0) {
                break;
            }
            start = comma + 1;
        }
    }

    private static boolean isOws(char c) {
        return c == ' ' || c == '\t';
    }
}

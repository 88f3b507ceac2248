package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;

/**
 * Decides from the first client-to-server bytes whether a conversation is HTTP: an HTTP/1 request
 * line (a known method and a space, or any token of uppercase letters, a space, a request target
 * and " HTTP/") or the HTTP/2 connection preface ("PRI * HTTP/2.0").
 */
public final class HttpDetector {
    private HttpDetector() {}

    private static final String[] METHODS = {
        "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT ", "TRACE "
    };
    private static final byte[] H2_PREFACE = "PRI * HTTP/2.0".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HTTP_SLASH = " HTTP/".getBytes(StandardCharsets.US_ASCII);
    /** How far into the first bytes a request line is looked for. */
    private static final int MAX_LINE = 8192;

    /** Whether the readable bytes of {@code first} (indices unchanged) start an HTTP request. */
    public static boolean looksLikeHttp(ByteBuf first) {
        int start = first.readerIndex();
        int length = Math.min(first.readableBytes(), MAX_LINE);
        if (startsWith(first, start, length, H2_PREFACE)) {
            return true;
        }
        for (String m : METHODS) {
            if (startsWith(first, start, length, m.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        // generic: TOKEN SP target SP "HTTP/"
        int i = start;
        int end = start + length;
        while (i < end && isUpper(first.getByte(i))) {
            i++;
        }
        if (i == start || i >= end || first.getByte(i) != ' ') {
            return false;
        }
        int targetStart = ++i;
        while (i < end) {
            byte b = first.getByte(i);
            if (b == ' ' || b == '\r' || b == '\n') {
                break;
            }
            i++;
        }
        if (i == targetStart) {
            return false;
        }
        return startsWith(first, i, end - i, HTTP_SLASH);
    }

    private static boolean isUpper(byte b) {
        return b >= 'A' && b <= 'Z';
    }

    private static boolean startsWith(ByteBuf buf, int index, int length, byte[] prefix) {
        if (length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (buf.getByte(index + i) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    /** True for the ALPN identifiers of HTTP (RFC 7301 registry): h2, http/1.1, http/1.0. */
    public static boolean isHttpAlpn(String alpn) {
        return "h2".equals(alpn) || "http/1.1".equals(alpn) || "http/1.0".equals(alpn);
    }
}

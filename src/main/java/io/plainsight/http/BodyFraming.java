package io.plainsight.http;

import java.util.List;

/**
 * How the body of an HTTP/1.x message is delimited (RFC 9112 section 6.3).
 *
 * @param kind the framing
 * @param length the body length for {@link Kind#LENGTH}, 0 for {@link Kind#NONE}, -1 otherwise
 */
public record BodyFraming(Kind kind, long length) {
    public enum Kind {
        /** No body: the next message starts right after the head. */
        NONE,
        /** Exactly {@code length} bytes (Content-Length). */
        LENGTH,
        /** Transfer-Encoding with chunked as the final coding. */
        CHUNKED,
        /** A response body that ends when the server closes the connection. */
        UNTIL_CLOSE,
        /** The connection stops carrying HTTP/1 (101 Switching Protocols, 2xx to CONNECT). */
        TUNNEL
    }

    private static final BodyFraming NONE = new BodyFraming(Kind.NONE, 0);
    private static final BodyFraming CHUNKED = new BodyFraming(Kind.CHUNKED, -1);
    private static final BodyFraming UNTIL_CLOSE = new BodyFraming(Kind.UNTIL_CLOSE, -1);
    private static final BodyFraming TUNNEL = new BodyFraming(Kind.TUNNEL, -1);

    public BodyFraming {
        if (kind == null) {
            throw new NullPointerException("kind");
        }
        long expected = switch (kind) {
            case NONE -> 0;
            case LENGTH -> length;
            default -> -1;
        };
        if (length != expected || (kind == Kind.LENGTH && length < 0)) {
            throw new IllegalArgumentException(kind + " with length " + length);
        }
    }

    public static BodyFraming none() {
        return NONE;
    }

    public static BodyFraming ofLength(long length) {
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        return new BodyFraming(Kind.LENGTH, length);
    }

    public static BodyFraming chunked() {
        return CHUNKED;
    }

    public static BodyFraming untilClose() {
        return UNTIL_CLOSE;
    }

    public static BodyFraming tunnel() {
        return TUNNEL;
    }

    /**
     * The framing of a request body. Transfer-Encoding whose final coding is chunked gives
     * CHUNKED, and wins over a Content-Length that is also present (RFC 9112 6.3 rule 3: the
     * message is framed as chunked; forwarding both is the caller's choice). Then Content-Length
     * gives LENGTH, and no framing header gives NONE.
     *
     * @throws Http1ParseException for Transfer-Encoding without chunked as its final coding
     *     (the length cannot be determined, RFC 9112 6.3 rule 4), or a Content-Length that is not
     *     a decimal number or whose several values differ
     */
    public static BodyFraming forRequest(Http1Head request) throws Http1ParseException {
        if (request.header("Transfer-Encoding") != null) {
            if (finalCodingIsChunked(request)) {
                return CHUNKED;
            }
            List<String> te = request.values("Transfer-Encoding");
            throw new Http1ParseException("request Transfer-Encoding " + quoted(String.join(", ", te))
                    + " does not end with chunked: the body length cannot be determined", -1);
        }
        long length = contentLength(request);
        return length < 0 ? NONE : ofLength(length);
    }

    /**
     * The framing of a response body, given the method of the request it answers (null if
     * unknown). In order: 101 gives TUNNEL; a response to HEAD, another 1xx (interim: the final
     * response follows, for the same request), 204 and 304 give NONE; 2xx to CONNECT gives
     * TUNNEL; Transfer-Encoding ending with chunked gives CHUNKED, other Transfer-Encoding
     * UNTIL_CLOSE; Content-Length gives LENGTH; else UNTIL_CLOSE.
     *
     * @throws Http1ParseException for an invalid Content-Length (RFC 9112 6.3 rule 5)
     */
    public static BodyFraming forResponse(Http1Head response, String requestMethod) throws Http1ParseException {
        int status = response.status();
        if (status == 101) {
            return TUNNEL;
        }
        if ("HEAD".equals(requestMethod) || (status >= 100 && status < 200) || status == 204 || status == 304) {
            return NONE;
        }
        if ("CONNECT".equals(requestMethod) && status >= 200 && status < 300) {
            return TUNNEL;
        }
        if (response.header("Transfer-Encoding") != null) {
            return finalCodingIsChunked(response) ? CHUNKED : UNTIL_CLOSE;
        }
        long length = contentLength(response);
        return length < 0 ? UNTIL_CLOSE : ofLength(length);
    }

    private static boolean finalCodingIsChunked(Http1Head head) {
        List<String> codings = head.tokens("Transfer-Encoding");
        return !codings.isEmpty() && codings.get(codings.size() - 1).equalsIgnoreCase("chunked");
    }

    /** The Content-Length, or -1 if absent. */
    static long contentLength(Http1Head head) throws Http1ParseException {
        long length = -1;
        for (Http1Header h : head.headers()) {
            if (!h.name().equalsIgnoreCase("Content-Length")) {
                continue;
            }
            String value = h.value();
            int start = 0;
            while (true) {
                int comma = value.indexOf(',', start);
                String element = trimOws(value.substring(start, comma < 0 ? value.length() : comma));
                long n = decimal(element, value);
                if (length >= 0 && n != length) {
                    throw new Http1ParseException("conflicting Content-Length values "
                            + String.join(", ", head.values("Content-Length").stream().map(BodyFraming::quoted).toList()), -1);
                }
                length = n;
                if (comma < 0) {
                    break;
                }
                start = comma + 1;
            }
        }
        return length;
    }

    private static long decimal(String element, String value) throws Http1ParseException {
        if (element.isEmpty()) {
            throw new Http1ParseException("invalid Content-Length " + quoted(value) + ": empty", -1);
        }
        long n = 0;
        for (int i = 0; i < element.length(); i++) {
            char c = element.charAt(i);
            if (c < '0' || c > '9') {
                throw new Http1ParseException("invalid Content-Length " + quoted(value) + ": not a decimal number", -1);
            }
            if (n > (Long.MAX_VALUE - (c - '0')) / 10) {
                throw new Http1ParseException("invalid Content-Length " + quoted(value) + ": too large", -1);
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    private static String trimOws(String s) {
        int a = 0;
        int z = s.length();
        while (a < z && (s.charAt(a) == ' ' || s.charAt(a) == '\t')) {
            a++;
        }
        while (z > a && (s.charAt(z - 1) == ' ' || s.charAt(z - 1) == '\t')) {
            z--;
        }
        return s.substring(a, z);
    }

    /** A header value quoted for a message, control and non-ASCII characters as \xNN. */
    static String quoted(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
                sb.append(c);
            } else {
                sb.append(String.format("\\x%02X", (int) c & 0xff));
            }
        }
        if (s.length() > 64) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}

package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Parses the head (start line and header fields) of an HTTP/1.x request or response, RFC 9112
 * sections 2-5. Pure code: reads the buffer from its reader index without consuming it, returns
 * null while the head is incomplete, and is meant to be called again with more bytes.
 *
 * <p>Accepted: CRLF or bare LF line ends; empty lines before a request line (counted in
 * {@link Http1Head#length()}); control characters other than NUL and CR in field values
 * (RFC 9110 5.5 lets recipients keep them); bytes 0x80-0xFF in the request target, reason phrase
 * and field values. Rejected with an {@link Http1ParseException} naming the line and offset: a
 * start line that is not {@code METHOD SP target SP HTTP/d.d} or {@code HTTP/d.d SP 3DIGIT [SP
 * reason]}, obs-fold (a header line starting with whitespace), whitespace between a field name and
 * its colon, a field name that is not a token, NUL or bare CR in a field value, and a head longer
 * than {@code maxHead} bytes. A request line whose method already holds a non-token byte is
 * rejected before the line is complete, so that non-HTTP clients (a TLS ClientHello, say) are
 * told at once; likewise a status line that does not start with {@code HTTP/}. The result for a
 * given message is the same however its bytes are split across calls, whether they are on the heap
 * or off it (read through a heap copy of the head), and with or without an {@link Http1LineCache}.
 */
public final class Http1HeadParser {
    public static final int DEFAULT_MAX_HEAD = 64 * 1024;

    private static final byte[] HTTP_SLASH = {'H', 'T', 'T', 'P', '/'};
    private static final boolean[] TCHAR = new boolean[256];

    static {
        for (int c = '0'; c <= '9'; c++) {
            TCHAR[c] = true;
        }
        for (int c = 'A'; c <= 'Z'; c++) {
            TCHAR[c] = true;
            TCHAR[c + 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TCHAR[c] = true;
        }
    }

    private Http1HeadParser() {}

    /**
     * Parses the request head starting at {@code buf.readerIndex()} without consuming anything.
     *
     * @param maxHead the largest head accepted, in bytes (leading empty lines included)
     * @return the head, or null while it is incomplete (the caller waits for more bytes)
     * @throws Http1ParseException if the bytes cannot start a valid request head
     */
    public static Http1Head parseRequest(ByteBuf buf, int maxHead) throws Http1ParseException {
        return parse(buf, maxHead, true, null);
    }

    /** As {@link #parseRequest}, for a response head (no leading empty lines are skipped). */
    public static Http1Head parseResponse(ByteBuf buf, int maxHead) throws Http1ParseException {
        return parse(buf, maxHead, false, null);
    }

    /**
     * As {@link #parseRequest(ByteBuf, int)}, taking lines parsed before from {@code cache} (and
     * adding those it parses): the result is the same, made faster when lines repeat.
     */
    public static Http1Head parseRequest(ByteBuf buf, int maxHead, Http1LineCache cache) throws Http1ParseException {
        return parse(buf, maxHead, true, cache);
    }

    /** As {@link #parseResponse(ByteBuf, int)}, with a cache as {@link #parseRequest(ByteBuf, int, Http1LineCache)}. */
    public static Http1Head parseResponse(ByteBuf buf, int maxHead, Http1LineCache cache) throws Http1ParseException {
        return parse(buf, maxHead, false, cache);
    }

    /** Whether {@code b} (0..255) is a tchar of RFC 9110 5.6.2. */
    static boolean isTchar(int b) {
        return TCHAR[b & 0xff];
    }

    private static Http1Head parse(ByteBuf buf, int maxHead, boolean request, Http1LineCache cache)
            throws Http1ParseException {
        if (maxHead <= 0) {
            throw new IllegalArgumentException("maxHead must be positive: " + maxHead);
        }
        int readable = buf.readableBytes();
        if (buf.hasArray()) {
            return parse(buf.array(), buf.arrayOffset() + buf.readerIndex(), readable, maxHead, request, cache);
        }
        // Off-heap bytes (as the proxy taps them) are read through a heap copy: a block first, more
        // while the head is not complete in it, all of them (up to maxHead) at most. A head parsed
        // whole from a shorter copy is the one all the bytes give (its lines come first); anything
        // else (incomplete, invalid) is decided on all the bytes.
        int available = Math.min(readable, maxHead);
        int n = Math.min(available, COPY_BLOCK);
        while (true) {
            byte[] copy = cache != null ? cache.scratch(n) : new byte[n];
            buf.getBytes(buf.readerIndex(), copy, 0, n);
            if (n == available) {
                return parse(copy, 0, n, maxHead, request, cache);
            }
            try {
                Http1Head head = parse(copy, 0, n, maxHead, request, cache);
                if (head != null) {
                    return head;
                }
            } catch (Http1ParseException e) {
                // perhaps only because the copy ends inside a line: decide on more bytes
            }
            n = (int) Math.min(available, 4L * n);
        }
    }

    /** Bytes copied first from an off-heap buffer: a usual head fits. */
    private static final int COPY_BLOCK = 512;

    /**
     * The parser over {@code a[base, base + length)}: offsets in exceptions and the head's length
     * count from {@code base}.
     */
    private static Http1Head parse(byte[] a, int base, int length, int maxHead, boolean request, Http1LineCache cache)
            throws Http1ParseException {
        final int end = base + length;
        final int limit = (int) Math.min(end, (long) base + maxHead);
        int pos = base;
        Http1Head start = null;
        List<Http1Header> headers = new ArrayList<>();
        while (true) {
            int lf = pos < limit ? indexOfLf(a, pos, limit) : -1;
            if (lf < 0) {
                if (start == null) {
                    checkPartialStartLine(a, base, pos, limit, request);
                }
                if (end - base >= maxHead) {
                    throw new Http1ParseException("head larger than " + maxHead + " bytes", maxHead);
                }
                return null;
            }
            int lineEnd = lf > pos && a[lf - 1] == '\r' ? lf - 1 : lf;
            if (start == null) {
                if (lineEnd == pos && request) {
                    pos = lf + 1; // RFC 9112 2.2: empty lines before the request line
                    continue;
                }
                start = startLine(a, base, pos, lineEnd, request, cache);
            } else if (lineEnd == pos) {
                return new Http1Head(start.request(), start.method(), start.target(), start.version(),
                        start.status(), start.reason(), headers, lf + 1 - base);
            } else {
                headers.add(headerLine(a, base, pos, lineEnd, headers.size() + 1, cache));
            }
            pos = lf + 1;
        }
    }

    /** The bytes of a {@code byte[]} eight at a time, the first one lowest. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The index of the first LF in {@code a[from, to)}, or -1: eight bytes at a time (a byte of
     * {@code x} is zero where the byte is LF; {@code (x - ONES) & ~x & HIGHS} flags every zero byte,
     * and perhaps bytes above one through the borrow, never below: the lowest flag is the first LF).
     */
    static int indexOfLf(byte[] a, int from, int to) {
        int i = from;
        for (; i <= to - Long.BYTES; i += Long.BYTES) {
            long x = (long) LONGS.get(a, i) ^ (ONES * '\n');
            long zeros = (x - ONES) & ~x & HIGHS;
            if (zeros != 0) {
                return i + (Long.numberOfTrailingZeros(zeros) >>> 3);
            }
        }
        for (; i < to; i++) {
            if (a[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Rejects, before its end arrives, a start line that cannot become valid. */
    private static void checkPartialStartLine(byte[] a, int base, int from, int to, boolean request)
            throws Http1ParseException {
        if (request) {
            for (int i = from; i < to; i++) {
                int b = a[i] & 0xff;
                if (b == ' ') {
                    return;
                }
                if (!TCHAR[b] && !(b == '\r' && i == to - 1)) {
                    throw new Http1ParseException("request line: invalid character " + hex(b) + " in method", i - base);
                }
            }
        } else {
            for (int i = 0; i < HTTP_SLASH.length && from + i < to; i++) {
                if (a[from + i] != HTTP_SLASH[i]) {
                    throw new Http1ParseException("status line: does not start with HTTP/", from + i - base);
                }
            }
        }
    }

    /** The start line {@code a[from, to)}: the request or status line's fields (a head without fields). */
    private static Http1Head startLine(byte[] a, int base, int from, int to, boolean request, Http1LineCache cache)
            throws Http1ParseException {
        if (cache == null || to - from > Http1LineCache.MAX_LINE) {
            return request ? requestLine(a, base, from, to) : statusLine(a, base, from, to);
        }
        int slot = Http1LineCache.slot(a, from, to);
        if (cache.get(slot, a, from, to) instanceof Http1Head h && h.request() == request) {
            return h;
        }
        Http1Head h = request ? requestLine(a, base, from, to) : statusLine(a, base, from, to);
        cache.put(slot, a, from, to, h);
        return h;
    }

    /** The header line {@code a[from, to)}, the {@code lineNo}th. */
    private static Http1Header headerLine(byte[] a, int base, int from, int to, int lineNo, Http1LineCache cache)
            throws Http1ParseException {
        if (cache == null || to - from > Http1LineCache.MAX_LINE) {
            return headerLine(a, base, from, to, lineNo);
        }
        int slot = Http1LineCache.slot(a, from, to);
        if (cache.get(slot, a, from, to) instanceof Http1Header h) {
            return h;
        }
        Http1Header h = headerLine(a, base, from, to, lineNo);
        cache.put(slot, a, from, to, h);
        return h;
    }

    private static Http1Head requestLine(byte[] a, int base, int from, int to) throws Http1ParseException {
        int i = from;
        while (i < to && a[i] != ' ') {
            int b = a[i] & 0xff;
            if (!TCHAR[b]) {
                throw new Http1ParseException("request line: invalid character " + hex(b) + " in method", i - base);
            }
            i++;
        }
        if (i == from) {
            throw new Http1ParseException("request line: empty method", i - base);
        }
        if (i == to) {
            throw new Http1ParseException("request line: missing request target", i - base);
        }
        String method = ascii(a, from, i);
        int targetStart = ++i;
        while (i < to && a[i] != ' ') {
            int b = a[i] & 0xff;
            if (b < 0x21 || b == 0x7f) {
                throw new Http1ParseException("request line: invalid character " + hex(b) + " in request target", i - base);
            }
            i++;
        }
        if (i == targetStart) {
            throw new Http1ParseException("request line: empty request target", i - base);
        }
        if (i == to) {
            throw new Http1ParseException("request line: missing HTTP version", i - base);
        }
        String target = ascii(a, targetStart, i);
        int versionStart = i + 1;
        if (!isVersion(a, versionStart, to)) {
            throw new Http1ParseException("request line: invalid HTTP version " + quote(a, versionStart, to), versionStart - base);
        }
        String version = ascii(a, versionStart, to);
        return new Http1Head(true, method, target, version, 0, null, List.of(), 0);
    }

    private static Http1Head statusLine(byte[] a, int base, int from, int to) throws Http1ParseException {
        for (int i = 0; i < HTTP_SLASH.length; i++) {
            if (from + i >= to || a[from + i] != HTTP_SLASH[i]) {
                throw new Http1ParseException("status line: does not start with HTTP/", from + i - base);
            }
        }
        int sp = from;
        while (sp < to && a[sp] != ' ') {
            sp++;
        }
        if (!isVersion(a, from, sp)) {
            throw new Http1ParseException("status line: invalid HTTP version " + quote(a, from, sp), from - base);
        }
        String version = ascii(a, from, sp);
        if (sp == to) {
            throw new Http1ParseException("status line: missing status code", sp - base);
        }
        int codeStart = sp + 1;
        int codeEnd = statusEnd(a, codeStart, to);
        int status = 0;
        for (int i = codeStart; i < codeEnd; i++) {
            byte b = a[i];
            if (!isDigit(b) || codeEnd - codeStart != 3) {
                throw new Http1ParseException("status line: invalid status code " + quote(a, codeStart, codeEnd), codeStart - base);
            }
            status = status * 10 + (b - '0');
        }
        if (codeEnd == codeStart) {
            throw new Http1ParseException("status line: invalid status code \"\"", codeStart - base);
        }
        if (status < 100) {
            throw new Http1ParseException("status line: status code " + ascii(a, codeStart, codeEnd) + " out of range", codeStart - base);
        }
        int i = codeEnd;
        String reason = "";
        if (i < to) { // a[i] is the SP after the code
            for (int r = i + 1; r < to; r++) {
                int b = a[r] & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    throw new Http1ParseException("status line: invalid character " + hex(b) + " in reason phrase", r - base);
                }
            }
            reason = ascii(a, i + 1, to);
        }
        return new Http1Head(false, null, null, version, status, reason, List.of(), 0);
    }

    private static int statusEnd(byte[] a, int from, int to) {
        int i = from;
        while (i < to && a[i] != ' ') {
            i++;
        }
        return i;
    }

    private static Http1Header headerLine(byte[] a, int base, int from, int to, int lineNo) throws Http1ParseException {
        int first = a[from];
        if (first == ' ' || first == '\t') {
            throw new Http1ParseException(where(lineNo) + "starts with whitespace (obs-fold continuation line)", from - base);
        }
        int i = from;
        while (i < to) {
            int b = a[i] & 0xff;
            if (b == ':') {
                break;
            }
            if (b == ' ' || b == '\t') {
                int j = i;
                while (j < to && (a[j] == ' ' || a[j] == '\t')) {
                    j++;
                }
                if (j < to && a[j] == ':') {
                    throw new Http1ParseException(where(lineNo) + "space before colon", i - base);
                }
            }
            if (!TCHAR[b]) {
                throw new Http1ParseException(where(lineNo) + "invalid character " + hex(b) + " in field name", i - base);
            }
            i++;
        }
        if (i == to) {
            throw new Http1ParseException(where(lineNo) + "missing colon", i - base);
        }
        if (i == from) {
            throw new Http1ParseException(where(lineNo) + "empty field name", i - base);
        }
        String name = ascii(a, from, i);
        int v = i + 1;
        for (int k = v; k < to; k++) {
            byte b = a[k];
            if (b == 0) {
                throw new Http1ParseException(where(lineNo) + "NUL in field value", k - base);
            }
            if (b == '\r') {
                throw new Http1ParseException(where(lineNo) + "CR in field value", k - base);
            }
        }
        int s = v;
        int z = to;
        while (s < z && isOws(a[s])) {
            s++;
        }
        while (z > s && isOws(a[z - 1])) {
            z--;
        }
        return new Http1Header(name, ascii(a, s, z));
    }

    private static String where(int lineNo) {
        return "header line " + lineNo + ": ";
    }

    /** {@code HTTP/DIGIT.DIGIT} exactly, over [from, to). */
    private static boolean isVersion(byte[] a, int from, int to) {
        if (to - from != 8) {
            return false;
        }
        for (int i = 0; i < HTTP_SLASH.length; i++) {
            if (a[from + i] != HTTP_SLASH[i]) {
                return false;
            }
        }
        return isDigit(a[from + 5]) && a[from + 6] == '.' && isDigit(a[from + 7]);
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }

    private static boolean isOws(byte b) {
        return b == ' ' || b == '\t';
    }

    private static String ascii(byte[] a, int from, int to) {
        return new String(a, from, to - from, StandardCharsets.ISO_8859_1);
    }

    static String hex(int b) {
        return String.format("0x%02X", b & 0xff);
    }

    /** The bytes quoted for a message: printable ASCII as is, others as \xNN, at most 32 bytes. */
    static String quote(byte[] a, int from, int to) {
        StringBuilder sb = new StringBuilder("\"");
        int n = Math.min(to, from + 32);
        for (int i = from; i < n; i++) {
            int b = a[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02X", b));
            }
        }
        if (to > n) {
            sb.append("...");
        }
        return sb.append('"').toString();
    }
}

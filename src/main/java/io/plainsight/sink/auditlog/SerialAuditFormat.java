package io.plainsight.sink.auditlog;

import io.plainsight.http.Http1Header;
import io.plainsight.policy.RuleMatch;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * ModSecurity 2.9's native audit log format, byte for byte as its {@code sec_audit_logger} lays an
 * entry out: a boundary line {@code --XXXXXXXX-A--}, part A's single line without a line end,
 * then every further part as {@code \n--XXXXXXXX-P--\n} followed by its content, in the order
 * A B C I F E H J K Z. So header parts (B, F) end in a blank line, a body part ends where its bytes
 * end, and the entry ends with {@code --XXXXXXXX-Z--\n} (plus one more {@code \n} in a serial log).
 * Pure: an {@link AuditRecord} in, bytes out (it remembers the bytes of header lines it wrote, to
 * copy them when the same field object comes again). Not thread-safe.
 */
public final class SerialAuditFormat {
    private static final byte[] PART_END = ascii("--\n");
    private static final byte[] CLOSE_BRACKET = ascii("] ");
    private static final byte[] COLON_SPACE = ascii(": ");
    private static final byte[] STOPWATCH = ascii("Stopwatch: ");
    private static final byte[] STOPWATCH_END = ascii(" (- - -)\n");
    private static final byte[] SERVER = ascii("Server: ");

    private final AuditTime time;
    /** {@code \n--BOUNDARY-}: what starts each part after A, for the entry being written. */
    private byte[] mark = new byte[0];
    /** Part H's {@code Producer:} line, with its line end. */
    private final byte[] producerLine;
    // The lines of header fields written before, by the field object: the HTTP/1 decoders hand out
    // the same (immutable) objects for lines that repeat, as keep-alive requests and responses do.
    private static final int LINE_SLOTS = 256;
    private final Http1Header[] lineFields = new Http1Header[LINE_SLOTS];
    private final byte[][] lineBytes = new byte[LINE_SLOTS][];

    /** @param producer what the H part's {@code Producer:} names, e.g. {@code plainsight/1.0} */
    SerialAuditFormat(AuditTime time, String producer) {
        this.time = time;
        this.producerLine = (LogEscape.utf8Bytes("Producer: " + producer + ".") + "\n").getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * The entry's bytes.
     *
     * @param serial true for a serial log (a blank line after the entry), false for a concurrent
     *     layout's entry file
     */
    byte[] entry(AuditRecord r, boolean serial) {
        AuditBytes out = new AuditBytes(4096);
        write(r, serial, out);
        return out.toByteArray();
    }

    /** Appends the entry's bytes (those {@link #entry} returns) to {@code out}. */
    void write(AuditRecord r, boolean serial, AuditBytes out) {
        AuditParts parts = r.parts();
        mark(r.boundary());
        out.bytes(mark, 1, mark.length - 1).ascii('A').bytes(PART_END).ascii('[');
        time.partA(r.startMicros(), out);
        out.bytes(CLOSE_BRACKET).ascii(r.uniqueId()).ascii(' ').ascii(r.clientIp()).ascii(' ').decimal(r.clientPort())
                .ascii(' ').ascii(r.hostIp()).ascii(' ').decimal(r.hostPort());
        if (parts.has('B')) {
            boundary(out, r, 'B');
            out.latin1(r.method()).ascii(' ').latin1(r.uri()).ascii(' ').latin1(r.protocol()).ascii('\n');
            headers(out, r.requestHeaders());
        }
        MultipartBody multipart = r.multipart();
        // like ModSecurity: I asks for C's content unless the body is multipart (which I reduces)
        if (r.requestBody() != null && (parts.has('C') || parts.has('I') && multipart == null)) {
            boundary(out, r, 'C');
            out.bytes(r.requestBody().bytes());
        }
        if (parts.has('I') && multipart != null) {
            boundary(out, r, 'I');
            out.latin1(multipart.reducedBody());
        }
        AuditRecord.Response resp = r.response();
        if (parts.has('F')) {
            boundary(out, r, 'F');
            if (resp != null) {
                out.latin1(resp.protocol()).ascii(' ').decimal(resp.status());
                if (!resp.reason().isEmpty()) {
                    out.ascii(' ').latin1(resp.reason());
                }
                out.ascii('\n');
                headers(out, resp.headers());
            }
        }
        boolean wroteResponseBody = false;
        if (parts.has('E') && resp != null && resp.body() != null) {
            boundary(out, r, 'E');
            out.bytes(resp.body().bytes());
            wroteResponseBody = true;
        }
        if (parts.has('H')) {
            boundary(out, r, 'H');
            trailer(out, r, wroteResponseBody);
        }
        if (parts.has('J') && multipart != null) {
            boundary(out, r, 'J');
            long total = 0;
            for (MultipartBody.Part f : multipart.files()) {
                String type = f.contentType() != null ? f.contentType() : "<Unknown ContentType>";
                out.latin1(f.index() + "," + f.size() + ",\"" + LogEscape.quoted(f.filename()) + "\",\""
                        + LogEscape.quoted(type) + "\"\n");
                total += f.size();
            }
            out.ascii("Total," + total + "\n");
        }
        if (parts.has('K')) {
            boundary(out, r, 'K');
            for (RuleMatch m : r.verdict().matches()) {
                // ModSecurity 2.9: each matched rule's text, then an empty line
                out.latin1(LogEscape.utf8Bytes(oneLine(m.rule())) + "\n\n");
            }
        }
        boundary(out, r, 'Z');
        if (serial) {
            out.ascii('\n');
        }
    }

    private void headers(AuditBytes out, List<Http1Header> headers) {
        for (int i = 0, n = headers.size(); i < n; i++) {
            Http1Header h = headers.get(i);
            int slot = System.identityHashCode(h) & (LINE_SLOTS - 1);
            if (lineFields[slot] == h) {
                out.bytes(lineBytes[slot]);
                continue;
            }
            int start = out.size();
            out.latin1(h.name()).bytes(COLON_SPACE).latin1(h.value()).ascii('\n');
            if (out.size() - start <= 512) {
                lineFields[slot] = h;
                lineBytes[slot] = Arrays.copyOfRange(out.array(), start, out.size());
            }
        }
    }

    private void boundary(AuditBytes out, AuditRecord r, char part) {
        out.bytes(mark).ascii(part).bytes(PART_END);
    }

    /** Sets {@link #mark} to {@code \n--BOUNDARY-} for the entry's boundary. */
    private void mark(String boundary) {
        if (mark.length != boundary.length() + 4) {
            mark = new byte[boundary.length() + 4];
            mark[0] = '\n';
            mark[1] = '-';
            mark[2] = '-';
            mark[mark.length - 1] = '-';
        }
        for (int i = 0; i < boundary.length(); i++) {
            char c = boundary.charAt(i);
            mark[3 + i] = c < 0x80 ? (byte) c : (byte) '?'; // 8 hex digits, written as ASCII
        }
    }

    /** Part H, its lines in ModSecurity 2.9's order, then plainsight's own. */
    private void trailer(AuditBytes out, AuditRecord r, boolean wroteResponseBody) {
        for (RuleMatch m : r.verdict().matches()) {
            out.latin1("Message: Warning. Matched plainsight rule. [id \"" + LogEscape.quoted(LogEscape.utf8Bytes(m.id())) + "\"]"
                    + (m.msg() == null ? "" : " [msg \"" + LogEscape.quoted(LogEscape.utf8Bytes(m.msg())) + "\"]") + "\n");
        }
        out.bytes(STOPWATCH).decimal(r.startMicros()).ascii(' ').decimal(r.durationMicros()).bytes(STOPWATCH_END);
        AuditRecord.Response resp = r.response();
        if (wroteResponseBody) {
            String transformed = transformed(resp.body());
            if (transformed != null) {
                out.ascii("Response-Body-Transformed: " + transformed + "\n");
            }
        }
        out.bytes(producerLine);
        String server = resp == null ? null : resp.header("Server");
        if (server != null) {
            out.bytes(SERVER).latin1(server).ascii('\n');
        }
        for (String line : r.verdict().sanitised()) {
            out.latin1(LogEscape.utf8Bytes(oneLine(line)) + "\n");
        }
        if (r.verdict().sticky()) {
            out.ascii("Sticky-Capture: full capture of this client until " + time.logTime(r.verdict().stickyUntilMicros()) + "\n");
        }
        if (r.requestBody() != null && (r.parts().has('C') || r.parts().has('I'))) {
            String transformed = transformed(r.requestBody());
            if (transformed != null) {
                out.ascii("Request-Body-Transformed: " + transformed + "\n");
            }
            truncation(out, "Request", r.requestBody());
        }
        if (wroteResponseBody) {
            truncation(out, "Response", resp.body());
        }
        for (String note : r.notes()) {
            out.latin1(LogEscape.utf8Bytes("Plainsight-Note: " + oneLine(note)) + "\n");
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** What was undone to show the body: {@code Dechunked}, {@code Decompressed}, both, or null. */
    static String transformed(AuditRecord.Body body) {
        if (body.chunked() && body.decompressed()) {
            return "Dechunked, Decompressed";
        }
        return body.chunked() ? "Dechunked" : body.decompressed() ? "Decompressed" : null;
    }

    private static void truncation(AuditBytes out, String what, AuditRecord.Body body) {
        if (body.truncated()) {
            out.ascii(what + "-Body-Truncated: " + body.bytes().length + " of " + body.size() + " bytes kept (--max-body)\n");
        }
    }

    /** Text on one line: CR and LF as spaces (rule texts and notes never break a part's line structure). */
    static String oneLine(String s) {
        return s == null ? "" : s.replace("\r\n", " ").replace('\r', ' ').replace('\n', ' ');
    }
}

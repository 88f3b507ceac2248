package io.plainsight.sink.auditlog;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A {@code multipart/form-data} request body split into its parts (RFC 7578), for the audit log's
 * I part (the body without the files) and J part (one line per file). Lenient like ModSecurity's
 * parser where it costs nothing: a preamble, LF-only line ends and a body cut short (the last part
 * then has what arrived, marked incomplete) are accepted. Strings hold bytes as ISO-8859-1
 * characters. Pure.
 */
public final class MultipartBody {
    /**
     * One part.
     *
     * @param index its position among all parts, from 1 (the number ModSecurity writes in J)
     * @param name the {@code name} of its Content-Disposition, or null
     * @param filename the {@code filename} parameter, or null when the part is a form field
     * @param contentType its Content-Type, or null
     * @param size the bytes of its content
     * @param value a form field's content (empty for a file, whose bytes are not kept)
     * @param complete false when the body ended before the part's closing boundary
     */
    public record Part(int index, String name, String filename, String contentType, long size, byte[] value,
            boolean complete) {
        public boolean isFile() {
            return filename != null;
        }
    }

    private final List<Part> parts;

    private MultipartBody(List<Part> parts) {
        this.parts = List.copyOf(parts);
    }

    /** All parts in order. */
    public List<Part> parts() {
        return parts;
    }

    /** The file parts (those with a filename) in order. */
    public List<Part> files() {
        return parts.stream().filter(Part::isFile).toList();
    }

    /**
     * The body as ModSecurity's I part shows it: the form fields as
     * {@code application/x-www-form-urlencoded} ({@code name=value&...}), files left out.
     */
    public String reducedBody() {
        StringBuilder out = new StringBuilder();
        for (Part p : parts) {
            if (p.isFile()) {
                continue;
            }
            if (!out.isEmpty()) {
                out.append('&');
            }
            LogEscape.urlEncode(out, p.name == null ? new byte[0] : p.name.getBytes(StandardCharsets.ISO_8859_1));
            out.append('=');
            LogEscape.urlEncode(out, p.value);
        }
        return out.toString();
    }

    /**
     * Parses {@code body} if {@code contentType} is {@code multipart/form-data} with a boundary;
     * null otherwise.
     */
    public static MultipartBody parse(String contentType, byte[] body) {
        String boundary = boundary(contentType);
        if (boundary == null) {
            return null;
        }
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        List<Part> parts = new ArrayList<>();
        int at = findDelimiter(body, delimiter, 0);
        while (at >= 0) {
            int p = at + delimiter.length;
            if (p + 1 < body.length && body[p] == '-' && body[p + 1] == '-') {
                break; // the closing delimiter
            }
            int lineEnd = indexOf(body, (byte) '\n', p);
            if (lineEnd < 0) {
                break; // cut short after a delimiter
            }
            p = lineEnd + 1;
            String disposition = null;
            String type = null;
            while (true) {
                int end = indexOf(body, (byte) '\n', p);
                if (end < 0) {
                    return new MultipartBody(parts); // cut short in the headers: no content seen
                }
                String line = new String(body, p, end - p, StandardCharsets.ISO_8859_1);
                p = end + 1;
                if (line.endsWith("\r")) {
                    line = line.substring(0, line.length() - 1);
                }
                if (line.isEmpty()) {
                    break;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                    String value = line.substring(colon + 1).trim();
                    if (name.equals("content-disposition")) {
                        disposition = value;
                    } else if (name.equals("content-type")) {
                        type = value;
                    }
                }
            }
            int next = findDelimiter(body, delimiter, p);
            int contentEnd = next < 0 ? body.length : next - 1; // the LF before the delimiter
            if (next >= 0 && contentEnd > p && body[contentEnd - 1] == '\r') {
                contentEnd--;
            }
            contentEnd = Math.max(contentEnd, p);
            String name = parameter(disposition, "name");
            String filename = parameter(disposition, "filename");
            byte[] value = filename == null ? Arrays.copyOfRange(body, p, contentEnd) : new byte[0];
            parts.add(new Part(parts.size() + 1, name, filename, type, contentEnd - p, value, next >= 0));
            at = next;
        }
        return new MultipartBody(parts);
    }

    /** The boundary parameter of a multipart/form-data Content-Type, or null. */
    static String boundary(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim();
        if (!type.equalsIgnoreCase("multipart/form-data") || semi < 0) {
            return null;
        }
        String b = parameter(contentType.substring(semi + 1), "boundary");
        return b == null || b.isEmpty() ? null : b;
    }

    /** A parameter of a header value such as {@code form-data; name="a"; filename="b.txt"} (quoted or not), or null. */
    static String parameter(String header, String wanted) {
        if (header == null) {
            return null;
        }
        int i = 0;
        int n = header.length();
        while (i < n) {
            while (i < n && (header.charAt(i) == ';' || header.charAt(i) == ' ' || header.charAt(i) == '\t')) {
                i++;
            }
            int eq = i;
            while (eq < n && header.charAt(eq) != '=' && header.charAt(eq) != ';') {
                eq++;
            }
            String key = header.substring(i, eq).trim();
            if (eq >= n || header.charAt(eq) == ';') {
                i = eq; // a token without a value (the disposition type)
                continue;
            }
            StringBuilder value = new StringBuilder();
            int v = eq + 1;
            while (v < n && header.charAt(v) == ' ') {
                v++;
            }
            if (v < n && header.charAt(v) == '"') {
                v++;
                while (v < n && header.charAt(v) != '"') {
                    char c = header.charAt(v);
                    if (c == '\\' && v + 1 < n) {
                        c = header.charAt(++v);
                    }
                    value.append(c);
                    v++;
                }
                v++; // the closing quote
                while (v < n && header.charAt(v) != ';') {
                    v++;
                }
            } else {
                int end = v;
                while (end < n && header.charAt(end) != ';') {
                    end++;
                }
                value.append(header, v, end);
                v = end;
                value.setLength(value.toString().stripTrailing().length());
            }
            if (key.equalsIgnoreCase(wanted)) {
                return value.toString();
            }
            i = v;
        }
        return null;
    }

    /** The next delimiter at {@code from} or later that starts a line (at 0, or after an LF). */
    private static int findDelimiter(byte[] body, byte[] delimiter, int from) {
        int i = from;
        while (true) {
            int at = indexOf(body, delimiter, i);
            if (at < 0) {
                return -1;
            }
            if (at == 0 || body[at - 1] == '\n') {
                return at;
            }
            i = at + 1;
        }
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) {
            if (a[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static int indexOf(byte[] a, byte[] needle, int from) {
        outer:
        for (int i = from; i <= a.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (a[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}

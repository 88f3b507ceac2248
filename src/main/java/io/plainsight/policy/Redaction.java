package io.plainsight.policy;

import io.plainsight.http.ContentDecoding;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a rule redacts ({@code redact:}), and the redaction itself. Like ModSecurity 2.9's
 * {@code sanitiseRequestHeader}, {@code sanitiseResponseHeader}, {@code sanitiseArg} and
 * {@code sanitiseMatched}, every redacted character becomes one {@code *}: the value keeps its
 * length (bytes, for bodies and headers, which are held one char per byte), so a reader still sees
 * that something was there and how long it was.
 *
 * <ul>
 *   <li>headers: the value of every request, interim, response header and trailer field of that
 *       name (case-insensitive), e.g. Authorization, Cookie, Set-Cookie;</li>
 *   <li>params: the value of each query-string parameter of that name (name URL-decoded,
 *       case-insensitive), of each {@code application/x-www-form-urlencoded} request-body
 *       parameter, of each form field (not file) of a {@code multipart/form-data} request body
 *       (ModSecurity counts those among ARGS too), and of each JSON member of that name
 *       ({@code "password": "..."}) in a JSON request body;</li>
 *   <li>body regexes: every match in a request or response body; when the pattern has groups, only
 *       the groups are replaced ({@code "token":"([^"]*)"} keeps the key visible).</li>
 * </ul>
 * A content-encoded body (gzip, br, ...) is decoded first; when a redaction changes it, the body
 * is kept decoded (and the Content-Encoding field says {@code identity}, with a note), since the
 * redacted bytes cannot be re-encoded as they were sent.
 *
 * @param headers header names
 * @param params parameter names
 * @param bodyRegexes patterns over bodies
 */
public record Redaction(List<String> headers, List<String> params, List<Pattern> bodyRegexes) {
    public static final Redaction NONE = new Redaction(List.of(), List.of(), List.of());

    public Redaction {
        headers = List.copyOf(headers);
        params = List.copyOf(params);
        bodyRegexes = List.copyOf(bodyRegexes);
    }

    public boolean isEmpty() {
        return headers.isEmpty() && params.isEmpty() && bodyRegexes.isEmpty();
    }

    /** Both redactions (for several matching rules). */
    public Redaction plus(Redaction o) {
        if (o.isEmpty()) {
            return this;
        }
        if (isEmpty()) {
            return o;
        }
        List<String> h = new ArrayList<>(headers);
        h.addAll(o.headers);
        List<String> p = new ArrayList<>(params);
        p.addAll(o.params);
        List<Pattern> b = new ArrayList<>(bodyRegexes);
        b.addAll(o.bodyRegexes);
        return new Redaction(h, p, b);
    }

    /**
     * Redacts {@code x} in place and returns ModSecurity-style H-part lines naming what was
     * redacted: {@code Sanitised-Args: "password".}, {@code Sanitised-Request-Headers:
     * "Authorization".}, {@code Sanitised-Response-Headers: "Set-Cookie".}, and (plainsight's own)
     * {@code Sanitised-Request-Body: "body-regex".} / {@code Sanitised-Response-Body: "body-regex".}.
     */
    public List<String> apply(Exchange x) {
        if (isEmpty()) {
            return List.of();
        }
        Set<String> requestHeaders = new LinkedHashSet<>();
        Set<String> responseHeaders = new LinkedHashSet<>();
        Set<String> args = new LinkedHashSet<>();
        boolean requestBody = false;
        boolean responseBody = false;
        HttpMessage req = x.request;
        if (req != null) {
            headers(req.headers, requestHeaders);
            headers(req.trailers, requestHeaders);
            if (req.target != null && !params.isEmpty()) {
                int q = req.target.indexOf('?');
                if (q >= 0) {
                    req.target = req.target.substring(0, q + 1) + urlencoded(req.target.substring(q + 1), args);
                }
            }
            requestBody = body(req, true, args);
        }
        for (HttpMessage m : x.interim) {
            headers(m.headers, responseHeaders);
        }
        if (x.response != null) {
            headers(x.response.headers, responseHeaders);
            headers(x.response.trailers, responseHeaders);
            responseBody = body(x.response, false, args);
        }
        List<String> lines = new ArrayList<>(5);
        line(lines, "Sanitised-Args", args);
        line(lines, "Sanitised-Request-Headers", requestHeaders);
        line(lines, "Sanitised-Response-Headers", responseHeaders);
        if (requestBody) {
            lines.add("Sanitised-Request-Body: \"body-regex\".");
        }
        if (responseBody) {
            lines.add("Sanitised-Response-Body: \"body-regex\".");
        }
        return lines;
    }

    private static void line(List<String> lines, String name, Set<String> names) {
        if (names.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder(name).append(": ");
        int i = 0;
        for (String n : names) {
            sb.append(i++ == 0 ? "" : ", ").append('"').append(n.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
        }
        lines.add(sb.append('.').toString());
    }

    private void headers(List<Http1Header> fields, Set<String> done) {
        for (int i = 0; i < fields.size(); i++) {
            Http1Header h = fields.get(i);
            for (String name : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    fields.set(i, new Http1Header(h.name(), stars(h.value().length())));
                    done.add(name);
                    break;
                }
            }
        }
    }

    /** Redacts a query string or urlencoded body (ISO-8859-1, one char per byte). */
    private String urlencoded(String text, Set<String> done) {
        StringBuilder out = new StringBuilder(text.length());
        int start = 0;
        while (start <= text.length()) {
            int amp = text.indexOf('&', start);
            int end = amp < 0 ? text.length() : amp;
            String pair = text.substring(start, end);
            int eq = pair.indexOf('=');
            String name = eq < 0 ? pair : pair.substring(0, eq);
            String param = param(decode(name));
            if (eq >= 0 && param != null) {
                out.append(name).append('=').append(stars(pair.length() - eq - 1));
                done.add(param);
            } else {
                out.append(pair);
            }
            if (amp < 0) {
                break;
            }
            out.append('&');
            start = amp + 1;
        }
        return out.toString();
    }

    private String param(String name) {
        for (String p : params) {
            if (p.equalsIgnoreCase(name)) {
                return p;
            }
        }
        return null;
    }

    private static String decode(String s) {
        try {
            return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** Redacts one body; returns whether a body regex matched. */
    private boolean body(HttpMessage m, boolean request, Set<String> args) {
        if (m.body == null || m.body.size() == 0) {
            return false;
        }
        String boundary = request ? multipartBoundary(m) : null;
        boolean formOrJson = request && !params.isEmpty() && (isForm(m) || isJson(m) || boundary != null);
        if (bodyRegexes.isEmpty() && !formOrJson) {
            return false;
        }
        byte[] raw = m.body.bytes();
        String coding = m.header("Content-Encoding");
        boolean encoded = coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity");
        byte[] plain = raw;
        if (encoded) {
            if (m.body.truncated()) {
                return false; // cannot be decoded; outputs show it base64-encoded as captured
            }
            ContentDecoding.Decoded d = ContentDecoding.decode(coding, raw, Math.max(raw.length * 20, 1 << 20));
            if (d.error() != null || d.truncated()) {
                return false;
            }
            plain = d.bytes();
        }
        String text = new String(plain, StandardCharsets.ISO_8859_1);
        String redacted = text;
        if (formOrJson) {
            redacted = isForm(m) ? urlencoded(redacted, args)
                    : boundary != null ? multipart(redacted, boundary, args) : json(redacted, args);
        }
        boolean matched = false;
        for (Pattern p : bodyRegexes) {
            String r = regex(p, redacted);
            if (!r.equals(redacted)) {
                matched = true;
                redacted = r;
            }
        }
        if (redacted.equals(text)) {
            return false;
        }
        byte[] out = redacted.getBytes(StandardCharsets.ISO_8859_1);
        if (encoded) {
            m.body.replaceKept(out, out.length);
            for (int i = 0; i < m.headers.size(); i++) {
                if (m.headers.get(i).name().equalsIgnoreCase("Content-Encoding")) {
                    m.headers.set(i, new Http1Header(m.headers.get(i).name(), "identity"));
                }
            }
        } else {
            m.body.replaceKept(out, -1);
        }
        return matched;
    }

    private static boolean isForm(HttpMessage m) {
        String t = m.header("Content-Type");
        return t != null && t.toLowerCase(Locale.ROOT).contains("application/x-www-form-urlencoded");
    }

    private static boolean isJson(HttpMessage m) {
        String t = m.header("Content-Type");
        return t != null && t.toLowerCase(Locale.ROOT).contains("json");
    }

    private static final Pattern BOUNDARY = Pattern.compile("(?i)\\bboundary\\s*=\\s*(?:\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern FIELD_NAME = Pattern.compile("(?i)(?:^|;)\\s*name\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^;\\s]+))");

    /** The boundary of a multipart/form-data body, or null when it is not one. */
    private static String multipartBoundary(HttpMessage m) {
        String t = m.header("Content-Type");
        if (t == null || !t.toLowerCase(Locale.ROOT).contains("multipart/form-data")) {
            return null;
        }
        Matcher b = BOUNDARY.matcher(t);
        return b.find() ? (b.group(1) != null ? b.group(1) : b.group(2)) : null;
    }

    /**
     * Redacts the values of the form fields named by {@code params} in a multipart/form-data body
     * (ISO-8859-1, one char per byte). Files (parts with a filename) are not arguments and stay.
     * A part cut off by --max-body is redacted to the end of what was kept.
     */
    private String multipart(String text, String boundary, Set<String> done) {
        String dash = "--" + boundary;
        String delimiter = "\r\n" + dash;
        int pos = text.startsWith(dash) ? dash.length() : text.indexOf(delimiter); // a preamble may come first
        if (pos < 0) {
            return text;
        }
        if (!text.startsWith(dash)) {
            pos += delimiter.length();
        }
        StringBuilder out = null;
        int copied = 0;
        while (!text.startsWith("--", pos)) { // "--" after a delimiter closes the body
            int headers = text.indexOf("\r\n", pos);
            int headersEnd = headers < 0 ? -1 : text.indexOf("\r\n\r\n", headers);
            if (headersEnd < 0) {
                break;
            }
            int start = headersEnd + 4;
            int end = text.indexOf(delimiter, start);
            String param = formField(text.substring(headers, headersEnd));
            if (param != null && (end < 0 ? text.length() : end) > start) {
                out = out == null ? new StringBuilder(text.length()) : out;
                out.append(text, copied, start).append(stars((end < 0 ? text.length() : end) - start));
                copied = end < 0 ? text.length() : end;
                done.add(param);
            }
            if (end < 0) {
                break;
            }
            pos = end + delimiter.length();
        }
        return out == null ? text : out.append(text, copied, text.length()).toString();
    }

    /** The redacted param a part's header block names as its form field, or null (a file, or no such param). */
    private String formField(String headers) {
        for (String line : headers.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).trim().equalsIgnoreCase("Content-Disposition")) {
                continue;
            }
            String value = line.substring(colon + 1);
            if (value.toLowerCase(Locale.ROOT).matches("(?s).*;\\s*filename\\*?\\s*=.*")) {
                return null;
            }
            Matcher n = FIELD_NAME.matcher(value);
            return n.find() ? param(n.group(1) != null ? n.group(1) : n.group(2)) : null;
        }
        return null;
    }

    private String json(String text, Set<String> done) {
        String out = text;
        for (String p : params) {
            Pattern member = Pattern.compile("\"" + Pattern.quote(p) + "\"\\s*:\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|(-?[0-9][0-9.eE+-]*|true|false))",
                    Pattern.CASE_INSENSITIVE);
            String r = regex(member, out);
            if (!r.equals(out)) {
                done.add(p);
                out = r;
            }
        }
        return out;
    }

    /** Each match (or each group of it) replaced by as many '*'. */
    static String regex(Pattern p, String text) {
        Matcher m = p.matcher(text);
        StringBuilder out = null;
        int copied = 0;
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (out == null) {
                out = new StringBuilder(text.length());
            }
            if (m.groupCount() == 0) {
                out.append(text, copied, m.start()).append(stars(m.end() - m.start()));
                copied = m.end();
            } else {
                for (int g = 1; g <= m.groupCount(); g++) {
                    if (m.start(g) < 0 || m.start(g) < copied) {
                        continue;
                    }
                    out.append(text, copied, m.start(g)).append(stars(m.end(g) - m.start(g)));
                    copied = m.end(g);
                }
            }
        }
        if (out == null) {
            return text;
        }
        return out.append(text, copied, text.length()).toString();
    }

    static String stars(int n) {
        return "*".repeat(Math.max(0, n));
    }
}

package io.plainsight.policy;

import io.plainsight.event.Mode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fields a filter expression can name, with their types and descriptions: looked up at parse
 * time (an unknown field is a syntax error) and listed in {@code --help}.
 *
 * <p>"src" is the client end of a conversation and "dst" the server end, as the capture shows them
 * (the backend in reverse mode, the origin in proxy mode). Besides the fixed fields there are two
 * families named by a header: {@code http.header.<name>} (request header fields) and
 * {@code http.response.header.<name>} (response header fields); the name is case-insensitive and
 * each field line is one value.
 */
public final class Fields {
    /** Prefix of the request header fields: {@code http.header.user-agent}. */
    public static final String REQUEST_HEADER = "http.header.";
    /** Prefix of the response header fields: {@code http.response.header.server}. */
    public static final String RESPONSE_HEADER = "http.response.header.";

    private static final long PORT_MAX = 65535;
    private static final long UNSIGNED_MAX = Long.MAX_VALUE;

    private static final Map<String, Field> FIXED = new LinkedHashMap<>();
    /** Source keys with a fixed name and the type of their values. */
    private static final Map<String, FieldType> KEYS = new LinkedHashMap<>();

    static {
        List<String> modes = Arrays.stream(Mode.values()).map(Mode::label).toList();
        Field.Layer conn = Field.Layer.CONNECTION;
        Field.Layer tls = Field.Layer.TLS;
        Field.Layer http = Field.Layer.HTTP;

        address("ip.addr", false, "client or server address (ip.src or ip.dst), IPv4 or IPv6", "ip.src", "ip.dst");
        address("ip.src", false, "client address (the end that opened the connection)", "ip.src");
        address("ip.dst", false, "server address (the backend or origin the capture shows)", "ip.dst");
        address("client.ip", false, "the client's address (as ip.src)", "ip.src");
        address("ipv6.addr", true, "as ip.addr, IPv6 addresses only", "ip.src", "ip.dst");
        address("ipv6.src", true, "as ip.src, IPv6 addresses only", "ip.src");
        address("ipv6.dst", true, "as ip.dst, IPv6 addresses only", "ip.dst");
        integer("tcp.port", conn, PORT_MAX, "client or server port (tcp.srcport or tcp.dstport)",
                "tcp.srcport", "tcp.dstport");
        integer("tcp.srcport", conn, PORT_MAX, "client port", "tcp.srcport");
        integer("tcp.dstport", conn, PORT_MAX, "server port", "tcp.dstport");
        integer("tcp.stream", conn, UNSIGNED_MAX, "connection id", "tcp.stream");
        integer("flow.bytes", conn, UNSIGNED_MAX, "bytes seen so far on the connection, both ways", "flow.bytes");
        add(new Field("plainsight.mode", FieldType.STRING, conn, new String[] {"plainsight.mode"}, 0, false,
                modes, "how the connection reached plainsight: " + String.join(", ", modes)));

        presence("tls", tls, "TLS was used on either leg (tls.version is present)", "tls.version");
        string("tls.sni", tls, "server name the client asked for (SNI)", "tls.sni");
        string("tls.version", tls, "negotiated protocol of either TLS leg, e.g. \"TLSv1.3\"", "tls.version");
        string("tls.cipher", tls, "negotiated cipher suite of either TLS leg, e.g. \"TLS_AES_128_GCM_SHA256\"",
                "tls.cipher");
        string("tls.alpn", tls, "negotiated application protocol, e.g. \"h2\", \"http/1.1\"", "tls.alpn");
        string("tls.ja3", tls, "JA3 (MD5, lower-case hex) of the client's ClientHello", "tls.ja3");
        string("tls.ja4", tls, "JA4 of the client's ClientHello, e.g. \"t13d1516h2_8daaf6152771_e5627efa2ab1\"",
                "tls.ja4");

        presence("http", http, "an HTTP request or response (http.request or http.response)",
                "http.request", "http.response");
        presence("http.request", http, "an HTTP request", "http.request");
        presence("http.response", http, "an HTTP response", "http.response");
        string("http.host", http, "request Host header or HTTP/2 :authority", "http.host");
        string("http.request.method", http, "request method, e.g. \"GET\"", "http.request.method");
        string("http.request.uri", http, "request-target as sent, e.g. \"/a?b=1\"", "http.request.uri");
        string("http.request.full_uri", http, "the URL the client meant: scheme://host/target",
                "http.request.full_uri");
        string("http.request.version", http, "request version: \"HTTP/1.0\", \"HTTP/1.1\", \"HTTP/2\"",
                "http.request.version");
        integer("http.response.code", http, 999, "response status code", "http.response.code");
        string("http.response.phrase", http, "response reason phrase (HTTP/1)", "http.response.phrase");
        string("http.response.version", http, "response version: \"HTTP/1.1\", \"HTTP/2\", ...",
                "http.response.version");
        integer("http.duration", http, UNSIGNED_MAX,
                "milliseconds from the request's first byte to the response's last", "http.duration");
        string("http.user_agent", http, "request User-Agent header", REQUEST_HEADER + "user-agent");
        string("http.content_type", http, "Content-Type header of the request or the response",
                REQUEST_HEADER + "content-type", RESPONSE_HEADER + "content-type");
        integer("http.content_length", http, UNSIGNED_MAX,
                "Content-Length of the request or the response", "http.content_length");
        string("http.server", http, "response Server header", RESPONSE_HEADER + "server");
        string("http.cookie", http, "request Cookie header (one value per field line)", REQUEST_HEADER + "cookie");
        string("http.set_cookie", http, "response Set-Cookie header (one value per field line)",
                RESPONSE_HEADER + "set-cookie");
        string("http.referer", http, "request Referer header", REQUEST_HEADER + "referer");
        presence("websocket", Field.Layer.WEBSOCKET, "the connection was upgraded to WebSocket", "websocket");
    }

    private Fields() {}

    private static void add(Field f) {
        FIXED.put(f.name(), f);
        for (String key : f.keyArray()) {
            if (key.startsWith(REQUEST_HEADER) || key.startsWith(RESPONSE_HEADER)) {
                continue;
            }
            if (f.type() == FieldType.PRESENCE) {
                KEYS.putIfAbsent(key, f.type()); // tls reads tls.version: that key is a string
            } else {
                KEYS.put(key, f.type());
            }
        }
    }

    private static void address(String name, boolean ipv6Only, String description, String... keys) {
        add(new Field(name, FieldType.ADDRESS, Field.Layer.CONNECTION, keys, 0, ipv6Only, List.of(), description));
    }

    private static void integer(String name, Field.Layer layer, long max, String description, String... keys) {
        add(new Field(name, FieldType.INTEGER, layer, keys, max, false, List.of(), description));
    }

    private static void string(String name, Field.Layer layer, String description, String... keys) {
        add(new Field(name, FieldType.STRING, layer, keys, 0, false, List.of(), description));
    }

    private static void presence(String name, Field.Layer layer, String description, String... keys) {
        add(new Field(name, FieldType.PRESENCE, layer, keys, 0, false, List.of(), description));
    }

    /** The fixed fields in help order (the header families are not listed; see the class comment). */
    public static List<Field> all() {
        return List.copyOf(FIXED.values());
    }

    /**
     * The field named {@code name} (field names are case-sensitive, header names are not:
     * {@code http.header.User-Agent} is {@code http.header.user-agent}), or null when there is none.
     */
    public static Field lookup(String name) {
        Field f = FIXED.get(name);
        if (f != null) {
            return f;
        }
        if (name.startsWith(RESPONSE_HEADER)) {
            return header(name, RESPONSE_HEADER, "response header ");
        }
        if (name.startsWith(REQUEST_HEADER)) {
            return header(name, REQUEST_HEADER, "request header ");
        }
        return null;
    }

    private static Field header(String name, String prefix, String what) {
        String header = name.substring(prefix.length());
        if (!isToken(header)) {
            return null;
        }
        String key = prefix + header.toLowerCase(Locale.ROOT);
        return new Field(key, FieldType.STRING, Field.Layer.HTTP, new String[] {key}, 0, false, List.of(),
                what + header.toLowerCase(Locale.ROOT));
    }

    /** Whether {@code s} is a header field name (RFC 9110 token). */
    static boolean isToken(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /**
     * The type of the values a {@link FieldSource} gives for {@code key}, or null when no field reads
     * that key ({@code ip.addr} is not a key: it is read from ip.src and ip.dst).
     */
    public static FieldType keyType(String key) {
        FieldType t = KEYS.get(key);
        if (t != null) {
            return t;
        }
        for (String prefix : new String[] {RESPONSE_HEADER, REQUEST_HEADER}) {
            if (key.startsWith(prefix)) {
                String header = key.substring(prefix.length());
                return isToken(header) && header.equals(header.toLowerCase(Locale.ROOT)) ? FieldType.STRING : null;
            }
        }
        return null;
    }

    /** The fixed source keys and their value types, in help order (plus the two header families). */
    public static Map<String, FieldType> keys() {
        return Collections.unmodifiableMap(KEYS);
    }

    /** The known field nearest to an unknown name (edit distance at most 2), or null. */
    static String suggest(String unknown) {
        String best = null;
        int bestDistance = 3;
        List<String> candidates = new ArrayList<>(FIXED.keySet());
        candidates.add("http.header.<name>");
        candidates.add("http.response.header.<name>");
        for (String name : candidates) {
            int d = distance(unknown.toLowerCase(Locale.ROOT), name);
            if (d < bestDistance) {
                best = name;
                bestDistance = d;
            }
        }
        return best;
    }

    /** Optimal string alignment distance (Levenshtein plus adjacent transpositions). */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** The field table for {@code --help}: name, type, description, one field per line. */
    public static String help() {
        StringBuilder out = new StringBuilder();
        int width = "http.response.header.<name>".length();
        for (Field f : FIXED.values()) {
            row(out, width, f.name(), f.type().label(), f.description());
        }
        row(out, width, "http.header.<name>", "string", "any request header field, e.g. http.header.x-api-key");
        row(out, width, "http.response.header.<name>", "string", "any response header field");
        return out.toString();
    }

    private static void row(StringBuilder out, int width, String name, String type, String description) {
        out.append("  ").append(name).append(" ".repeat(width - name.length() + 2));
        out.append(type).append(" ".repeat(10 - type.length())).append(description).append('\n');
    }
}

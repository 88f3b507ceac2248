package io.plainsight.sink.auditlog;

import io.netty.util.NetUtil;
import io.plainsight.event.Mode;
import io.plainsight.http.ContentDecoding;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.policy.RuleVerdict;
import io.plainsight.sink.exchange.ConnectionMeta;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * One audit log entry's content, taken from an exchange: what both formats write. Built once per
 * logged exchange; the formats are pure functions of it.
 *
 * @param uniqueId the transaction's unique id
 * @param boundary the serial format's 8 hex digits
 * @param parts the parts this entry holds (after the rules' changes)
 * @param startMicros when the request's first byte was seen
 * @param durationMicros until the response's last byte (or the request's, without a response)
 * @param clientIp the client's address, {@code clientPort} its port
 * @param hostIp the server address the client connected to, {@code hostPort} its port
 * @param hostName the Host header (or HTTP/2 :authority) without its port, or null
 * @param mode how plainsight saw the traffic
 * @param method the request method; {@code uri} the request-target as sent
 * @param protocol {@code HTTP/1.0}, {@code HTTP/1.1} or {@code HTTP/2.0}
 * @param requestHeaders the request header fields in wire order (HTTP/2: Host from :authority added when absent)
 * @param requestBody the request body, or null when it had none
 * @param multipart the request body's parts when it is multipart/form-data, else null
 * @param response the response, or null when none came
 * @param verdict what the capture rules decided
 * @param notes what the decoder noted about the exchange ("response missing: ...")
 */
public record AuditRecord(String uniqueId, String boundary, AuditParts parts, long startMicros, long durationMicros,
        String clientIp, int clientPort, String hostIp, int hostPort, String hostName, Mode mode, String method, String uri,
        String protocol, List<Http1Header> requestHeaders, Body requestBody, MultipartBody multipart, Response response,
        RuleVerdict verdict, List<String> notes) {

    private static final byte[] NO_BYTES = new byte[0];

    /**
     * A message body as the audit log shows it: de-chunked and, when its Content-Encoding could be
     * undone, decompressed (ModSecurity logs bodies "after dechunking and decompression").
     *
     * @param bytes the bytes to write (at most {@code --max-body} were kept); for a response body
     *     when the entry's parts do not include E, none (only the size is given then)
     * @param size the body's size after de-chunking, whether kept or not
     * @param truncated whether {@code bytes} are not the whole body
     * @param chunked whether it came with chunked transfer coding
     * @param decompressed whether a content coding was undone
     */
    public record Body(byte[] bytes, long size, boolean truncated, boolean chunked, boolean decompressed) {}

    /**
     * @param status the status code; {@code reason} the reason phrase (empty for HTTP/2)
     * @param protocol {@code HTTP/1.1} etc. ({@code HTTP/2.0} for HTTP/2)
     * @param headers the response header fields in wire order
     * @param body the body, or null when it had none
     */
    public record Response(int status, String reason, String protocol, List<Http1Header> headers, Body body) {
        /** The first value of a header (case-insensitive), or null. */
        public String header(String name) {
            return AuditRecord.header(headers, name);
        }
    }

    /** The first value of a request header (case-insensitive), or null. */
    public String requestHeader(String name) {
        return header(requestHeaders, name);
    }

    /** The request line: {@code GET /a?b HTTP/1.1}. */
    public String requestLine() {
        return method + " " + uri + " " + protocol;
    }

    private static String header(List<Http1Header> headers, String name) {
        for (Http1Header h : headers) {
            if (h.name().equalsIgnoreCase(name)) {
                return h.value();
            }
        }
        return null;
    }

    /**
     * The entry for one exchange.
     *
     * @param maxBody the most bytes a decompressed body may grow to ({@code --max-body})
     */
    public static AuditRecord of(ConnectionMeta c, Exchange x, AuditParts parts, String uniqueId, String boundary,
            int maxBody) {
        HttpMessage req = x.request;
        HttpMessage resp = x.response;
        long end = resp != null && resp.endMicros > 0 ? resp.endMicros : req.endMicros;
        long duration = Math.max(0, end - req.startMicros);
        InetSocketAddress client = c.client();
        InetSocketAddress host = hostAddress(c);
        // the lists are read-only views of the exchange's (which no one changes once it is reported)
        List<Http1Header> requestHeaders = Collections.unmodifiableList(req.headers);
        boolean http2 = "HTTP/2".equals(req.version);
        if (http2 && req.authority != null && header(requestHeaders, "Host") == null) {
            List<Http1Header> withHost = new ArrayList<>(req.headers.size() + 1);
            withHost.add(new Http1Header("Host", req.authority));
            withHost.addAll(req.headers);
            requestHeaders = Collections.unmodifiableList(withHost);
        }
        Body requestBody = body(req, maxBody, true);
        MultipartBody multipart = requestBody == null ? null
                : MultipartBody.parse(header(requestHeaders, "Content-Type"), requestBody.bytes());
        Response response = null;
        if (resp != null) {
            response = new Response(resp.status, resp.reason == null ? "" : resp.reason, protocol(resp.version),
                    Collections.unmodifiableList(resp.headers), body(resp, maxBody, parts.has('E')));
        }
        String authority = req.authority != null ? req.authority : header(requestHeaders, "Host");
        return new AuditRecord(uniqueId, boundary, parts, req.startMicros, duration, ip(client), port(client), ip(host),
                port(host), hostName(authority), c.mode(), req.method == null ? "-" : req.method,
                req.target == null ? "" : req.target, protocol(req.version), requestHeaders, requestBody,
                multipart, response, x.verdict, Collections.unmodifiableList(x.notes));
    }

    /**
     * The address the client connected to, as ModSecurity's {@code local_addr}: plainsight's
     * listener when it is the server the client talks to (reverse, terminate, originate), the
     * origin server otherwise (forward proxy, transparent, offline).
     */
    static InetSocketAddress hostAddress(ConnectionMeta c) {
        InetSocketAddress listener = c.opened.listener();
        return switch (c.mode()) {
            case REVERSE, TERMINATE, ORIGINATE -> listener != null ? listener : c.server();
            case PROXY, TRANSPARENT, OFFLINE -> c.server() != null ? c.server() : listener;
        };
    }

    private static String ip(InetSocketAddress a) {
        if (a == null) {
            return "0.0.0.0";
        }
        return a.getAddress() != null ? NetUtil.toAddressString(a.getAddress()) : a.getHostString();
    }

    private static int port(InetSocketAddress a) {
        return a == null ? 0 : a.getPort();
    }

    private static String protocol(String version) {
        if (version == null) {
            return "HTTP/1.1";
        }
        return "HTTP/2".equals(version) ? "HTTP/2.0" : version;
    }

    /** Host without its port (and without IPv6 brackets' port), or null. */
    static String hostName(String authority) {
        if (authority == null || authority.isBlank()) {
            return null;
        }
        String a = authority.trim();
        if (a.startsWith("[")) {
            int close = a.indexOf(']');
            return close > 0 ? a.substring(0, close + 1) : a;
        }
        int colon = a.lastIndexOf(':');
        return colon >= 0 && a.indexOf(':') == colon ? a.substring(0, colon) : a;
    }

    /**
     * @param written whether the entry writes the body's bytes; when not, only its
     *     {@link Body#size()} is given (no bytes, nothing undone)
     */
    static Body body(HttpMessage m, int maxBody, boolean written) {
        if (m.body.size() == 0) {
            return null;
        }
        if (!written) {
            return new Body(NO_BYTES, m.body.size(), true, false, false);
        }
        String te = m.header("Transfer-Encoding");
        boolean chunked = te != null && te.toLowerCase(Locale.ROOT).contains("chunked");
        byte[] bytes = m.body.bytes();
        boolean truncated = m.body.truncated();
        boolean decompressed = false;
        String coding = m.header("Content-Encoding");
        if (coding != null && !coding.isBlank() && !coding.trim().equalsIgnoreCase("identity") && !truncated) {
            ContentDecoding.Decoded d = ContentDecoding.decode(coding, bytes, maxBody);
            if (d.error() == null) {
                bytes = d.bytes();
                truncated = d.truncated();
                decompressed = true;
            }
        }
        return new Body(bytes, m.body.size(), truncated, chunked, decompressed);
    }
}

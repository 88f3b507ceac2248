package io.plainsight.sink.auditlog;

import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Mode;
import io.plainsight.http.Exchange;
import io.plainsight.http.Http1Header;
import io.plainsight.http.HttpMessage;
import io.plainsight.policy.RuleMatch;
import io.plainsight.policy.RuleVerdict;
import io.plainsight.sink.exchange.ConnectionMeta;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.List;
import java.util.zip.GZIPOutputStream;

/** Hand-built connections, exchanges and verdicts for the audit log tests. */
final class AuditFixtures {
    /** 2025-11-21T16:00:00Z: 17:00 in Berlin (+0100). */
    static final long T0 = 1_763_740_800_000_000L;
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final String PRODUCER = "plainsight/test";
    static final String SERVER_ID = "0123456789abcdef0123456789abcdef01234567";
    static final String BOUNDARY = "----plainsightFormBoundary7MA4YWxk";

    private AuditFixtures() {}

    /** A reverse-proxy connection: client 127.0.0.1:50412, listener 127.0.0.2:8443, backend 127.0.0.3:443. */
    static ConnectionMeta reverse() {
        return new ConnectionMeta(new ConnectionOpened(7, T0, Mode.REVERSE, new InetSocketAddress("127.0.0.1", 50412),
                new InetSocketAddress("127.0.0.3", 443), new InetSocketAddress("127.0.0.2", 8443), "api.test", true));
    }

    /** A forward-proxy connection over IPv6 loopback: client [::1]:40000, origin [::1]:8080, listener [::1]:3128. */
    static ConnectionMeta proxyIpv6() {
        return new ConnectionMeta(new ConnectionOpened(8, T0, Mode.PROXY, new InetSocketAddress("::1", 40000),
                new InetSocketAddress("::1", 8080), new InetSocketAddress("::1", 3128), null, false));
    }

    static HttpMessage request(String method, String target, String version, long start) {
        HttpMessage m = new HttpMessage(HttpMessage.Kind.REQUEST, 1 << 20);
        m.method = method;
        m.target = target;
        m.version = version;
        m.startMicros = start;
        m.endMicros = start + 500;
        m.complete = true;
        return m;
    }

    static HttpMessage response(int status, String reason, long start) {
        HttpMessage m = new HttpMessage(HttpMessage.Kind.RESPONSE, 1 << 20);
        m.status = status;
        m.reason = reason;
        m.version = "HTTP/1.1";
        m.startMicros = start;
        m.endMicros = start + 1500;
        m.complete = true;
        return m;
    }

    static void body(HttpMessage m, byte[] bytes) {
        m.body.append(bytes, 0, bytes.length);
    }

    static byte[] gzip(String text) {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        byte[] b = gz.toByteArray();
        b[9] = 3; // the OS byte: the same on every platform
        return b;
    }

    /** The multipart/form-data body: a field, a text file, a file with a quote in its name and no type. */
    static byte[] multipartBody() {
        String b = "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"title\"\r\n\r\n"
                + "Hello world & more*\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n"
                + "Content-Type: text/plain\r\n\r\n"
                + "file content\nline two\n\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"img\"; filename=\"a\\\"b.png\"\r\n\r\n"
                + "\u0089PNG\r\n"
                + "--" + BOUNDARY + "\r\n"
                + "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
                + "x=y\r\n"
                + "--" + BOUNDARY + "--\r\n";
        return b.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * POST /upload with a multipart body; 201 with a chunked, gzip-compressed body and a Server
     * header; a rule matched.
     */
    static Exchange upload() {
        HttpMessage req = request("POST", "/upload?x=1&y=a%20b", "HTTP/1.1", T0 + 1000);
        req.headers.add(new Http1Header("Host", "api.test:8443"));
        req.headers.add(new Http1Header("User-Agent", "curl/8.5.0"));
        req.headers.add(new Http1Header("Authorization", "********"));
        req.headers.add(new Http1Header("Content-Type", "multipart/form-data; boundary=" + BOUNDARY));
        byte[] body = multipartBody();
        req.headers.add(new Http1Header("Content-Length", Integer.toString(body.length)));
        body(req, body);
        HttpMessage resp = response(201, "Created", T0 + 4000);
        resp.headers.add(new Http1Header("Server", "nginx"));
        resp.headers.add(new Http1Header("Content-Type", "text/plain"));
        resp.headers.add(new Http1Header("Transfer-Encoding", "chunked"));
        resp.headers.add(new Http1Header("Content-Encoding", "gzip"));
        resp.headers.add(new Http1Header("Set-Cookie", "a=1; Path=/"));
        resp.headers.add(new Http1Header("Set-Cookie", "b=2; Path=/"));
        body(resp, gzip("stored 2 files\n"));
        Exchange x = new Exchange(7, 0, req);
        x.response = resp;
        x.verdict = new RuleVerdict(List.of(new RuleMatch("1001", "Upload with \"quotes\"",
                "http.request.method == \"POST\" => parts: +EIJ")), List.of(), null, 0,
                List.of("Sanitised-Request-Headers: \"Authorization\"."));
        return x;
    }

    /** GET /hello, 200 with a 6-byte body; no rule matched. */
    static Exchange hello() {
        HttpMessage req = request("GET", "/hello", "HTTP/1.1", T0 + 2_000_000);
        req.headers.add(new Http1Header("Host", "api.test"));
        req.headers.add(new Http1Header("Accept", "*/*"));
        HttpMessage resp = response(200, "OK", T0 + 2_001_000);
        resp.headers.add(new Http1Header("Content-Type", "text/plain"));
        resp.headers.add(new Http1Header("Content-Length", "6"));
        body(resp, "hello\n".getBytes(StandardCharsets.US_ASCII));
        Exchange x = new Exchange(7, 0, req);
        x.response = resp;
        return x;
    }

    /** A urlencoded POST answered with {@code status}. */
    static Exchange form(int status) {
        HttpMessage req = request("POST", "/login", "HTTP/1.1", T0 + 3_000_000);
        req.headers.add(new Http1Header("Host", "api.test"));
        req.headers.add(new Http1Header("Content-Type", "application/x-www-form-urlencoded"));
        body(req, "user=alice&password=secret".getBytes(StandardCharsets.US_ASCII));
        HttpMessage resp = response(status, status == 500 ? "Internal Server Error" : "OK", T0 + 3_002_000);
        resp.headers.add(new Http1Header("Content-Length", "0"));
        Exchange x = new Exchange(7, 0, req);
        x.response = resp;
        return x;
    }

    /** An HTTP/2 GET (no Host header, :authority only) answered 404 without a reason phrase. */
    static Exchange http2NotFound() {
        HttpMessage req = request("GET", "/missing", "HTTP/2", T0 + 4_000_000);
        req.authority = "api.test";
        req.scheme = "https";
        req.headers.add(new Http1Header("user-agent", "curl/8.5.0"));
        HttpMessage resp = response(404, "", T0 + 4_001_000);
        resp.version = "HTTP/2";
        resp.headers.add(new Http1Header("content-type", "text/html"));
        body(resp, "<html>not found</html>".getBytes(StandardCharsets.US_ASCII));
        Exchange x = new Exchange(7, 1, req);
        x.response = resp;
        return x;
    }

    /** A request whose response never came. */
    static Exchange noResponse() {
        HttpMessage req = request("GET", "/slow", "HTTP/1.1", T0 + 5_000_000);
        req.headers.add(new Http1Header("Host", "api.test"));
        Exchange x = new Exchange(7, 0, req);
        x.notes.add("response missing: the connection closed");
        return x;
    }
}

package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/** Wire bytes used by the HTTP/1 tests. Strings are ISO-8859-1: one char per byte. */
final class Fixtures {
    private Fixtures() {}

    /** curl 7.88.1 through an HTTP proxy: {@code curl -x ... http://example.test/a?b=1 -d x=1 -H 'X-Empty;'}, captured. */
    static final String CURL_PROXY_POST = "POST http://example.test/a?b=1 HTTP/1.1\r\n"
            + "Host: example.test\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "Accept: */*\r\n"
            + "Proxy-Connection: Keep-Alive\r\n"
            + "X-Empty:\r\n"
            + "Content-Length: 3\r\n"
            + "Content-Type: application/x-www-form-urlencoded\r\n"
            + "\r\n";

    /** curl 7.88.1 opening a tunnel through an HTTP proxy. */
    static final String CURL_CONNECT = "CONNECT example.test:443 HTTP/1.1\r\n"
            + "Host: example.test:443\r\n"
            + "User-Agent: curl/7.88.1\r\n"
            + "Proxy-Connection: Keep-Alive\r\n"
            + "\r\n";

    static final String NGINX_CHUNKED_HEAD = "HTTP/1.1 200 OK\r\n"
            + "Server: nginx/1.22.1\r\n"
            + "Date: Mon, 06 Jan 2025 10:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\n"
            + "Transfer-Encoding: chunked\r\n"
            + "Connection: keep-alive\r\n"
            + "\r\n";

    /** RFC 9112 7.1-style chunked body with an extension and a trailer field. */
    static final String CHUNKED_BODY = "4;name=value\r\n"
            + "Wiki\r\n"
            + "6\r\n"
            + "pedia \r\n"
            + "E\r\n"
            + "in \r\n\r\nchunks.\r\n"
            + "0\r\n"
            + "Expires: Wed, 21 Oct 2015 07:28:00 GMT\r\n"
            + "\r\n";
    static final String CHUNKED_DATA = "Wikipedia in \r\n\r\nchunks.";

    static ByteBuf buf(String s) {
        return Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The bytes of {@code s} placed after {@code junk} bytes that the reader index skips. */
    static ByteBuf bufAt(String junk, String s) {
        ByteBuf b = buf(junk + s);
        b.readerIndex(junk.length());
        return b;
    }
}

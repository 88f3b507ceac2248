package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.http.Http1Head;
import io.plainsight.http.Http1HeadParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestRewriteTest {
    static String rewrite(String request) throws Exception {
        ByteBuf in = Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1);
        Http1Head head = Http1HeadParser.parseRequest(in, Http1HeadParser.DEFAULT_MAX_HEAD);
        ByteBuf out = HttpForwardHandler.rewrite(head, AbsoluteUrl.parse(head.target()));
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void theOriginSeesOriginFormWithoutTheProxyHeadersAndEverythingElseInOrder() throws Exception {
        assertThat(rewrite("GET http://h.test:8080/a?b HTTP/1.1\r\nHost: h.test:8080\r\nProxy-Connection: keep-alive\r\n"
                + "Proxy-Authorization: Basic eDp5\r\nX-Dup: 1\r\nx-dup: 2\r\nAccept: */*\r\n\r\n"))
                .isEqualTo("GET /a?b HTTP/1.1\r\nHost: h.test:8080\r\nX-Dup: 1\r\nx-dup: 2\r\nAccept: */*\r\n\r\n");
    }

    @Test
    void aMissingHostIsAdded() throws Exception {
        assertThat(rewrite("GET http://h.test/ HTTP/1.0\r\n\r\n")).isEqualTo("GET / HTTP/1.0\r\nHost: h.test\r\n\r\n");
    }

    @Test
    void bodyFramingHeadersPassThroughUnchanged() throws Exception {
        assertThat(rewrite("POST http://h.test/ HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .isEqualTo("POST / HTTP/1.1\r\nHost: h.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n");
    }
}

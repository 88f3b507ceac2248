package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class FailuresTest {
    @Test
    void notTlsShowsTheFirstBytes() {
        String hex = ByteBufUtil.hexDump(Unpooled.copiedBuffer("HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n", StandardCharsets.US_ASCII));
        var e = new DecoderException(new NotSslRecordException("not an SSL/TLS record: " + hex));
        assertThat(Failures.notTls(e)).isEqualTo("did not speak TLS (first bytes: \"HTTP/1.1 400 Bad Request\")");
        assertThat(Failures.notTls(new SSLHandshakeException("x"))).isNull();
    }

    @Test
    void connectAndHandshakeReasons() {
        assertThat(Failures.connect(new ConnectException("Connection refused: /127.0.0.1:9"))).isEqualTo("connection refused");
        var h = new SSLHandshakeException("General SSLEngine problem");
        h.initCause(new java.security.cert.CertPathValidatorException("unable to find valid certification path to requested target"));
        assertThat(Failures.handshake(h)).isEqualTo("unable to find valid certification path to requested target");
        assertThat(Failures.preview(Unpooled.copiedBuffer("GET /\r\n", StandardCharsets.US_ASCII))).isEqualTo("GET /\\r\\n");
    }
}

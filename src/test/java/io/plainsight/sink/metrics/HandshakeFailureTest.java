package io.plainsight.sink.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.plainsight.proxy.ClientHelloParser;
import io.plainsight.proxy.Failures;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/**
 * The handshake failure classifier against the error lines plainsight writes: some recorded from
 * real runs (curl, openssl s_client and nginx against the reverse proxy, see MetricsTest), the
 * others built from real exception types through {@code proxy/Failures} the way
 * {@code proxy/Conversation.failed} words them.
 */
class HandshakeFailureTest {
    static HandshakeFailure client(String reason) {
        return new HandshakeFailure("client", reason);
    }

    static HandshakeFailure upstream(String reason) {
        return new HandshakeFailure("upstream", reason);
    }

    /** How Conversation.failed words a handshake exception on the client leg of the reverse proxy. */
    static String clientFailed(Throwable cause) {
        return "client TLS handshake failed: " + Failures.handshake(cause);
    }

    /** ... and on the upstream leg, in the relay modes ("backend") and the forwarding ones ("server"). */
    static String upstreamFailed(String who, Throwable cause) {
        return who + " 127.0.0.1:8443 TLS handshake failed: " + Failures.handshake(cause);
    }

    @Test
    void errorLinesRecordedFromRealPeers() {
        // curl --tls-max 1.2 trusting another CA; openssl s_client -verify_return_error likewise
        assertThat(HandshakeFailure.classify(
                "client TLS handshake failed: error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA"))
                .isEqualTo(client("unknown_ca"));
        // openssl s_client -tls1
        assertThat(HandshakeFailure.classify(
                "client TLS handshake failed: error:100000f0:SSL routines:OPENSSL_internal:UNSUPPORTED_PROTOCOL"))
                .isEqualTo(client("protocol_version"));
        // openssl s_client -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256 (our certificates are EC)
        assertThat(HandshakeFailure.classify(
                "client TLS handshake failed: error:100000b8:SSL routines:OPENSSL_internal:NO_SHARED_CIPHER"))
                .isEqualTo(client("no_shared_cipher"));
        // curl over TLS 1.3 trusting another CA: BoringSSL reports the record of its alert, not the alert
        assertThat(HandshakeFailure.classify(
                "client TLS handshake failed: error:10000070:SSL routines:OPENSSL_internal:BAD_PACKET_LENGTH"))
                .isEqualTo(client("other"));
        // plain HTTP to the TLS port
        assertThat(HandshakeFailure.classify("client did not speak TLS (first bytes: \"GET / HTTP/1.1\\r\\n\\r\\n\")"))
                .isEqualTo(client("not_tls"));
        // the backend's certificate from a CA plainsight does not trust; a backend without TLS
        assertThat(HandshakeFailure.classify(
                "backend 127.0.0.1:46567 TLS handshake failed: unable to find valid certification path to requested target"))
                .isEqualTo(upstream("unknown_ca"));
        assertThat(HandshakeFailure.classify("backend 127.0.0.1:51103 did not speak TLS (first bytes: \"HTTP/1.1 400 Bad Request\")"))
                .isEqualTo(upstream("not_tls"));
    }

    @Test
    void linesBuiltFromExceptionsThroughFailures() {
        assertThat(HandshakeFailure.classify(clientFailed(
                new SSLHandshakeException("error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE"))))
                .isEqualTo(client("bad_certificate"));
        assertThat(HandshakeFailure.classify(clientFailed(
                new SSLHandshakeException("error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE"))))
                .isEqualTo(client("handshake_failure"));
        assertThat(HandshakeFailure.classify(clientFailed(
                new SSLHandshakeException("error:1000042e:SSL routines:OPENSSL_internal:TLSV1_ALERT_PROTOCOL_VERSION"))))
                .isEqualTo(client("protocol_version"));
        assertThat(HandshakeFailure.classify(clientFailed(new SslHandshakeTimeoutException("handshake timed out after 10000ms"))))
                .isEqualTo(client("timeout"));
        assertThat(HandshakeFailure.classify(clientFailed(new SSLException(new ClosedChannelException()))))
                .isEqualTo(client("closed"));
        assertThat(HandshakeFailure.classify(clientFailed(new SSLException(new IOException("Connection reset by peer")))))
                .isEqualTo(client("closed"));
        // the forward proxy appends a hint to the client's failure
        assertThat(HandshakeFailure.classify(clientFailed(
                new SSLHandshakeException("error:10000416:SSL routines:OPENSSL_internal:SSLV3_ALERT_CERTIFICATE_UNKNOWN"))
                + " (does the client trust the plainsight CA? http://plainsight/ through the proxy has it)"))
                .isEqualTo(client("bad_certificate"));

        var pkix = new SSLHandshakeException("General SSLEngine problem");
        pkix.initCause(new CertPathValidatorException("unable to find valid certification path to requested target"));
        assertThat(HandshakeFailure.classify(upstreamFailed("server", pkix))).isEqualTo(upstream("unknown_ca"));
        var name = new SSLHandshakeException("General SSLEngine problem");
        name.initCause(new CertificateException("No subject alternative DNS name matching shop.example found."));
        assertThat(HandshakeFailure.classify(upstreamFailed("backend", name))).isEqualTo(upstream("hostname_mismatch"));
        var expired = new SSLHandshakeException("General SSLEngine problem");
        expired.initCause(new CertificateExpiredException("NotAfter: Sat Jan 01 00:00:00 UTC 2022"));
        assertThat(HandshakeFailure.classify(upstreamFailed("backend", expired))).isEqualTo(upstream("certificate_expired"));
        assertThat(HandshakeFailure.classify(upstreamFailed("server", new SSLHandshakeException("SSLHandshakeException"))))
                .isEqualTo(upstream("other"));

        String hex = ByteBufUtil.hexDump(Unpooled.copiedBuffer("SSH-2.0-OpenSSH_9.2\r\n", StandardCharsets.US_ASCII));
        var notTls = new DecoderException(new NotSslRecordException("not an SSL/TLS record: " + hex));
        assertThat(HandshakeFailure.classify("client " + Failures.notTls(notTls))).isEqualTo(client("not_tls"));
        assertThat(HandshakeFailure.classify("server 10.0.0.5:443 " + Failures.notTls(notTls))).isEqualTo(upstream("not_tls"));
    }

    @Test
    void theProxysOtherHandshakeLines() {
        String malformed;
        try {
            ClientHelloParser.parse(Unpooled.wrappedBuffer(new byte[] {3, 3, 1, 2}));
            throw new AssertionError("a 4-byte ClientHello parsed");
        } catch (ClientHelloParser.MalformedClientHelloException e) {
            malformed = "client " + e.getMessage();
        }
        assertThat(HandshakeFailure.classify(malformed)).isEqualTo(client("bad_client_hello"));
        assertThat(HandshakeFailure.classify("client sent no TLS ClientHello")).isEqualTo(client("bad_client_hello"));
        assertThat(HandshakeFailure.classify("client closed its side before sending a complete TLS ClientHello"))
                .isEqualTo(client("closed"));
        assertThat(HandshakeFailure.classify("client closed the connection before its TLS ClientHello was complete"))
                .isEqualTo(client("closed"));
        assertThat(HandshakeFailure.classify("client closed the connection during the TLS handshake")).isEqualTo(client("closed"));
        assertThat(HandshakeFailure.classify("server 10.0.0.5:443 closed the connection before the TLS handshake"))
                .isEqualTo(upstream("closed"));
        assertThat(HandshakeFailure.classify("no certificate for 'shop.example': key generation failed"))
                .isEqualTo(client("no_certificate"));
    }

    @Test
    void otherErrorsAreNotHandshakeFailures() {
        assertThat(HandshakeFailure.classify(null)).isNull();
        assertThat(HandshakeFailure.classify("")).isNull();
        assertThat(HandshakeFailure.classify("cannot connect to backend 127.0.0.1:1: connection refused")).isNull();
        assertThat(HandshakeFailure.classify("client: " + Failures.rootMessage(new IOException("Connection timed out")))).isNull();
        assertThat(HandshakeFailure.classify("backend 127.0.0.1:8443: stream closed")).isNull();
        assertThat(HandshakeFailure.classify("server 10.0.0.5:80 sent 12 bytes after its response")).isNull();
        assertThat(HandshakeFailure.classify("client: SOCKS5 authentication failed for user 'bob'")).isNull();
        assertThat(HandshakeFailure.classify("client: 407 Proxy Authentication Required")).isNull();
    }
}

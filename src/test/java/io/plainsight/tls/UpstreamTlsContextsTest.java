package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backend leg against a real openssl s_server whose certificates come from a test CA. */
class UpstreamTlsContextsTest {
    @TempDir
    static Path dir;
    static ExternalProcess server;
    static int port;
    static EventLoopGroup group;
    static Path testCa;

    @BeforeAll
    static void startServer() throws Exception {
        TestPki pki = new TestPki("Upstream Test CA");
        testCa = dir.resolve("test-ca.pem");
        Files.writeString(testCa, Pem.certificates(pki.caCert));
        // default certificate (no or other SNI): default.test and 127.0.0.1
        KeyMaterial def = pki.issue("default.test", "default.test", "127.0.0.1");
        Files.writeString(dir.resolve("default.pem"), Pem.certificates(def.chain()));
        Files.writeString(dir.resolve("default-key.pem"), Pem.privateKey(def.key()));
        // certificate for SNI upstream.test only
        KeyMaterial sni = pki.issue("upstream.test", "upstream.test");
        Files.writeString(dir.resolve("sni.pem"), Pem.certificates(sni.chain()));
        Files.writeString(dir.resolve("sni-key.pem"), Pem.privateKey(sni.key()));
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        server = ExternalProcess.start(dir, List.of("openssl", "s_server", "-accept", "127.0.0.1:" + port,
                "-cert", "default.pem", "-key", "default-key.pem",
                "-servername", "upstream.test", "-cert2", "sni.pem", "-key2", "sni-key.pem",
                "-alpn", "h2,http/1.1", "-quiet"));
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (java.io.IOException e) {
                if (System.nanoTime() > deadline || !server.isAlive()) {
                    throw new AssertionError("openssl s_server did not start", e);
                }
                Thread.sleep(50);
            }
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    }

    @AfterAll
    static void stopServer() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
        if (server != null) {
            server.close();
        }
    }

    /** Connects to the s_server as {@code host} and returns the finished handshake's handler. */
    static SslHandler handshake(UpstreamTlsContexts upstream, String host, List<String> alpn) throws Exception {
        AtomicReference<SslHandler> handler = new AtomicReference<>();
        Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        SslHandler h = upstream.newHandler(c.alloc(), host, port, alpn);
                        handler.set(h);
                        c.pipeline().addLast(h);
                    }
                })
                .connect(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        try {
            var f = handler.get().handshakeFuture();
            assertThat(f.await(30, TimeUnit.SECONDS)).as("handshake finished").isTrue();
            if (!f.isSuccess()) {
                throw UpstreamTlsContexts.explain(f.cause());
            }
            return handler.get();
        } finally {
            ch.close().sync();
        }
    }

    @Test
    void trustedWithTheExtraCaAndSniSelectsTheServersCertificate() throws Exception {
        UpstreamTlsContexts upstream = new UpstreamTlsContexts(List.of(testCa), false);
        SslHandler h = handshake(upstream, "upstream.test", List.of());
        var peer = (java.security.cert.X509Certificate) h.engine().getSession().getPeerCertificates()[0];
        assertThat(peer.getSubjectX500Principal().getName()).contains("CN=upstream.test"); // SNI was sent
        assertThat(h.applicationProtocol()).isNull();
    }

    @Test
    void ipLiteralIsCheckedAgainstIpSansAndSendsNoSni() throws Exception {
        UpstreamTlsContexts upstream = new UpstreamTlsContexts(List.of(testCa), false);
        SslHandler h = handshake(upstream, "127.0.0.1", List.of());
        var peer = (java.security.cert.X509Certificate) h.engine().getSession().getPeerCertificates()[0];
        assertThat(peer.getSubjectX500Principal().getName()).contains("CN=default.test");
        assertThatThrownBy(() -> handshake(upstream, "127.0.0.2", List.of()))
                .hasMessageContaining("No subject alternative names matching IP address 127.0.0.2");
    }

    @Test
    void rejectedWithoutTheCaAndTheMessageNamesTheReason() {
        UpstreamTlsContexts upstream = UpstreamTlsContexts.jdkDefaults();
        assertThatThrownBy(() -> handshake(upstream, "upstream.test", List.of()))
                .isInstanceOf(javax.net.ssl.SSLHandshakeException.class)
                .hasMessageContaining("unable to find valid certification path");
    }

    @Test
    void rejectedForAWrongHostName() {
        UpstreamTlsContexts upstream = new UpstreamTlsContexts(List.of(testCa), false);
        assertThatThrownBy(() -> handshake(upstream, "wrong.test", List.of()))
                .hasMessageContaining("No subject alternative DNS name matching wrong.test");
    }

    @Test
    void insecureAcceptsAnything() throws Exception {
        UpstreamTlsContexts upstream = new UpstreamTlsContexts(List.of(), true);
        assertThat(upstream.insecure()).isTrue();
        assertThat(handshake(upstream, "wrong.test", List.of()).engine().getSession().getProtocol()).startsWith("TLS");
        assertThat(handshake(upstream, "127.0.0.9", List.of()).engine().getSession().getProtocol()).startsWith("TLS");
    }

    @Test
    void alpnOfferIsForwardedAndContextsAreCached() throws Exception {
        UpstreamTlsContexts upstream = new UpstreamTlsContexts(List.of(testCa), false);
        // s_server only answers ALPN on its default (no SNI) certificate: connect by IP
        assertThat(handshake(upstream, "127.0.0.1", List.of("h2", "http/1.1")).applicationProtocol()).isEqualTo("h2");
        assertThat(handshake(upstream, "127.0.0.1", List.of("http/1.1")).applicationProtocol()).isEqualTo("http/1.1");
        assertThat(handshake(upstream, "127.0.0.1", List.of()).applicationProtocol()).isNull();
        assertThat(upstream.forAlpnOffer(List.of("h2"))).isSameAs(upstream.forAlpnOffer(List.of("h2")));
        assertThat(upstream.forAlpnOffer(List.of())).isSameAs(upstream.forAlpnOffer(null));
    }

    @Test
    void badCaFilesAreNamed() throws Exception {
        Path missing = dir.resolve("nope.pem");
        assertThatThrownBy(() -> new UpstreamTlsContexts(List.of(missing), false))
                .isInstanceOf(TlsSetupException.class).hasMessageContaining(missing + " does not exist");
        Path empty = dir.resolve("empty-ca.pem");
        Files.writeString(empty, "nothing here\n");
        assertThatThrownBy(() -> new UpstreamTlsContexts(List.of(empty), false))
                .hasMessageContaining(empty.toString()).hasMessageContaining("no PEM certificate");
    }
}

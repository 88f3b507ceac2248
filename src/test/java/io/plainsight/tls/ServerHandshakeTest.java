package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real handshakes against a Netty/BoringSSL server built from ServerTlsContexts + ServerKeyManager. */
class ServerHandshakeTest {
    @TempDir
    static Path home;
    static CertificateAuthority ca;
    static CertificateForger forger;
    static ForgedCertificateCache cache = new ForgedCertificateCache();
    static ServerKeyManager km = new ServerKeyManager();
    static ServerTlsContexts contexts = new ServerTlsContexts(km);
    static TlsTestServer plain;
    static TlsTestServer h2;

    @BeforeAll
    static void setUp() throws Exception {
        ca = CertificateAuthority.loadOrCreate(home);
        forger = new CertificateForger(ca);
        plain = new TlsTestServer(km, contexts.forAlpn(null), ServerHandshakeTest::forge);
        h2 = new TlsTestServer(km, contexts.forAlpn("h2"), ServerHandshakeTest::forge);
    }

    @AfterAll
    static void tearDown() {
        plain.close();
        h2.close();
    }

    static KeyMaterial forge(String sni) {
        String host = sni == null ? "127.0.0.1" : sni;
        return cache.get(host, () -> forger.forgeFor(host));
    }

    static ExternalProcess sClient(int port, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", "ca.pem", "-verify_return_error"));
        cmd.addAll(List.of(extra));
        return ExternalProcess.start(home, cmd);
    }

    static String subject(String sClientOutput) {
        Matcher m = Pattern.compile("(?m)^subject=(.*)$").matcher(sClientOutput);
        return m.find() ? m.group(1).trim() : null;
    }

    @Test
    void concurrentClientsEachSeeTheCertificateAssignedToTheirConnection() throws Exception {
        String[] names = {"a.test", "b.test", "c.test", "a.test", "b.test", "c.test"};
        List<ExternalProcess> clients = new ArrayList<>();
        for (String n : names) {
            clients.add(sClient(plain.port(), "-servername", n));
        }
        for (int i = 0; i < names.length; i++) {
            try (ExternalProcess p = clients.get(i)) {
                var r = p.await(Duration.ofSeconds(60));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(subject(r.output())).isEqualTo("CN = " + names[i]);
                assertThat(r.output()).contains("Verify return code: 0 (ok)");
            }
        }
        assertThat(plain.handshakes.get()).isGreaterThanOrEqualTo(names.length);
        assertThat(cache.hits()).isPositive();
    }

    @Test
    void tls12AndTls13AndNoSni() throws Exception {
        for (String version : List.of("-tls1_2", "-tls1_3")) {
            try (ExternalProcess p = sClient(plain.port(), "-servername", "v.test", version)) {
                var r = p.await(Duration.ofSeconds(60));
                assertThat(r.exitCode()).as(r.output()).isZero();
                assertThat(subject(r.output())).isEqualTo("CN = v.test");
                assertThat(r.output()).contains(version.equals("-tls1_2") ? "TLSv1.2" : "TLSv1.3");
            }
        }
        try (ExternalProcess p = sClient(plain.port(), "-noservername", "-verify_ip", "127.0.0.1")) {
            var r = p.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(subject(r.output())).isEqualTo("CN = 127.0.0.1");
        }
    }

    @Test
    void curlTrustsTheForgedCertificateWithTheCa() throws Exception {
        int port = plain.port();
        var ok = ExternalProcess.run(home, Duration.ofSeconds(60), "curl", "-sS", "--cacert", "ca.pem",
                "--resolve", "www.curl.test:" + port + ":127.0.0.1", "https://www.curl.test:" + port + "/");
        assertThat(ok.exitCode()).as(ok.output()).isZero();
        assertThat(ok.output()).isEqualTo("ok");
        var untrusted = ExternalProcess.run(home, Duration.ofSeconds(60), "curl", "-sS", "--capath", "/nonexistent",
                "--cacert", "/dev/null", "--resolve", "www.curl.test:" + port + ":127.0.0.1",
                "https://www.curl.test:" + port + "/");
        assertThat(untrusted.exitCode()).as(untrusted.output()).isNotZero();
    }

    @Test
    void alpnIsTheOneTheContextWasBuiltFor() throws Exception {
        try (ExternalProcess p = sClient(h2.port(), "-servername", "h2.test", "-alpn", "h2,http/1.1")) {
            var r = p.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("ALPN protocol: h2");
            assertThat(subject(r.output())).isEqualTo("CN = h2.test");
        }
        try (ExternalProcess p = sClient(plain.port(), "-servername", "h1.test", "-alpn", "h2,http/1.1")) {
            var r = p.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("No ALPN negotiated");
        }
        var list = contexts.forAlpnList(List.of("h2", "http/1.1"));
        try (TlsTestServer s = new TlsTestServer(km, list, ServerHandshakeTest::forge);
             ExternalProcess p = sClient(s.port(), "-servername", "l.test", "-alpn", "http/1.1")) {
            var r = p.await(Duration.ofSeconds(60));
            assertThat(r.exitCode()).as(r.output()).isZero();
            assertThat(r.output()).contains("ALPN protocol: http/1.1");
        }
        assertThat(contexts.forAlpn("h2")).isSameAs(contexts.forAlpn("h2"));
        assertThat(contexts.forAlpn(null)).isSameAs(contexts.forAlpn(null)).isNotSameAs(contexts.forAlpn("h2"));
        assertThat(contexts.forAlpnList(List.of("h2", "http/1.1"))).isSameAs(list);
    }

    /** Two engines of the same context, assigned different certificates, handshaking interleaved. */
    @Test
    void interleavedHandshakesOnOneContextUseTheirOwnAssignments() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca.certificate());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        tmf.init(trust);
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(null, tmf.getTrustManagers(), null);

        KeyMaterial one = forger.forgeFor("one.test");
        KeyMaterial two = forger.forgeFor("two.test");
        SSLEngine s1 = contexts.forAlpn(null).newEngine(ByteBufAllocator.DEFAULT);
        SSLEngine s2 = contexts.forAlpn(null).newEngine(ByteBufAllocator.DEFAULT);
        try {
            km.assign(s1, one);
            km.assign(s2, two);
            SSLEngine c1 = client(jdk, "one.test");
            SSLEngine c2 = client(jdk, "two.test");
            Pump p1 = new Pump(c1, s1);
            Pump p2 = new Pump(c2, s2);
            for (int i = 0; i < 50 && !(p1.done() && p2.done()); i++) {
                p1.step();
                p2.step();
            }
            assertThat(p1.done() && p2.done()).isTrue();
            assertThat(((X509Certificate) c1.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=one.test");
            assertThat(((X509Certificate) c2.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName())
                    .isEqualTo("CN=two.test");
            assertThat(c1.getSession().getPeerCertificates()).hasSize(2);
        } finally {
            km.release(s1);
            km.release(s2);
            ReferenceCountUtil.release(s1);
            ReferenceCountUtil.release(s2);
        }
    }

    static SSLEngine client(SSLContext ctx, String sni) {
        SSLEngine e = ctx.createSSLEngine(sni, 443);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setServerNames(List.of(new SNIHostName(sni)));
        p.setEndpointIdentificationAlgorithm("HTTPS");
        e.setSSLParameters(p);
        return e;
    }

    /** Moves handshake bytes between a client and a server engine in memory. */
    static final class Pump {
        final SSLEngine client;
        final SSLEngine server;
        final ByteBuffer c2s = ByteBuffer.allocate(1 << 17);
        final ByteBuffer s2c = ByteBuffer.allocate(1 << 17);
        final ByteBuffer sink = ByteBuffer.allocate(1 << 17);

        Pump(SSLEngine client, SSLEngine server) throws Exception {
            this.client = client;
            this.server = server;
            client.beginHandshake();
            server.beginHandshake();
        }

        boolean done() {
            return idle(client) && idle(server);
        }

        static boolean idle(SSLEngine e) {
            var s = e.getHandshakeStatus();
            return s == SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING || s == SSLEngineResult.HandshakeStatus.FINISHED;
        }

        void step() throws Exception {
            transfer(client, s2c, c2s);
            transfer(server, c2s, s2c);
        }

        private void transfer(SSLEngine e, ByteBuffer in, ByteBuffer out) throws Exception {
            in.flip();
            sink.clear();
            e.unwrap(in, sink);
            in.compact();
            runTasks(e);
            e.wrap(ByteBuffer.allocate(0), out);
            runTasks(e);
        }

        private static void runTasks(SSLEngine e) {
            for (Runnable t; (t = e.getDelegatedTask()) != null; ) {
                t.run();
            }
        }
    }

    @Test
    void perEngineStateIsReleasedAndCollected() throws Exception {
        ServerKeyManager own = new ServerKeyManager();
        SSLContext jdk = SSLContext.getInstance("TLS");
        jdk.init(null, null, null);
        KeyMaterial m = forger.forgeFor("many.test");
        List<SSLEngine> released = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            SSLEngine e = jdk.createSSLEngine();
            own.assign(e, m);
            released.add(e);
        }
        released.forEach(own::release);
        assertThat(own.assignedCount()).isZero();
        for (int i = 0; i < 50_000; i++) {
            own.assign(jdk.createSSLEngine(), m); // never released: only the weak map forgets them
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (own.assignedCount() > 1000 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(own.assignedCount()).isLessThan(1000);

        // aliases of materials nobody holds any more disappear too
        for (int i = 0; i < 200; i++) {
            SSLEngine e = jdk.createSSLEngine();
            own.assign(e, forger.forgeFor("gone" + i + ".test"));
            own.release(e);
        }
        deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (own.aliasCount() > 50 && System.nanoTime() < deadline) {
            System.gc();
            Thread.sleep(50);
        }
        assertThat(own.aliasCount()).isLessThan(50);
        assertThat(own.getCertificateChain(own.chooseEngineServerAlias("EC", null, released.get(0)))).isNull();
    }

}

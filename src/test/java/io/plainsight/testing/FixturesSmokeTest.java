package io.plainsight.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Proves the fixtures work with each other and with the real tools they wrap. */
class FixturesSmokeTest {

    private static NginxFixture nginx;

    @BeforeAll
    static void startNginx() {
        ExternalProcess.requireTool("nginx");
        ExternalProcess.requireTool("openssl");
        nginx = NginxFixture.builder().tls().http2(true).plain().h2c().start();
    }

    @AfterAll
    static void stopNginx() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void tlsServesFileByteForByteOverH2TrustingOnlyTheTestCa() {
        ExternalProcess.requireTool("curl");
        Curl.Response r = Curl.https(nginx.httpsUrl("/1m.bin"), nginx.pki().caCert(), "--http2");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.httpVersion()).isEqualTo("2");
        assertThat(r.body()).hasSize(1024 * 1024).isEqualTo(Docroot.content("1m.bin")).isEqualTo(nginx.file("1m.bin"));
    }

    @Test
    void tlsOnIpAndWildcardNamesAndHttp11() {
        ExternalProcess.requireTool("curl");
        Path ca = nginx.pki().caCert();
        Curl.Response ip = Curl.https("https://127.0.0.1:" + nginx.tlsPort() + "/1k.bin", ca, "--http1.1", "--tlsv1.2",
                "--tls-max", "1.2");
        assertThat(ip.httpVersion()).isEqualTo("1.1");
        assertThat(ip.body()).isEqualTo(Docroot.content("1k.bin"));
        Curl.Response wildcard = Curl.https("https://api.backend.test:" + nginx.tlsPort() + "/hello", ca,
                "--resolve", "api.backend.test:" + nginx.tlsPort() + ":127.0.0.1", "--tlsv1.3");
        assertThat(wildcard.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
    }

    @Test
    void withoutHttp2OnTlsCurlFallsBackToHttp11() {
        ExternalProcess.requireTool("curl");
        try (NginxFixture h1 = NginxFixture.builder().tls().http2(false).start()) {
            Curl.Response r = Curl.https(h1.httpsUrl("/index.html"), h1.pki().caCert(), "--http2");
            assertThat(r.httpVersion()).isEqualTo("1.1");
            assertThat(r.bodyText()).isEqualTo(Docroot.INDEX_HTML);
        }
    }

    @Test
    void untrustedBackendIsRejectedByCurl() {
        ExternalProcess.requireTool("curl");
        TestPki other = TestPki.shared().otherCa();
        try (NginxFixture untrusted = NginxFixture.builder().tls().pki(other).start()) {
            ExternalProcess.Result r = Curl.run("--cacert", TestPki.shared().caCert().toString(),
                    "-o", "/dev/null", untrusted.httpsUrl("/"));
            assertThat(r.exitCode()).as(r.stderr()).isEqualTo(60); // peer certificate cannot be authenticated
            // ...and accepted when trusting the other CA
            assertThat(Curl.https(untrusted.httpsUrl("/hello"), other.caCert()).bodyText())
                    .isEqualTo(NginxFixture.HELLO_BODY);
        }
    }

    @Test
    void plainAndH2cPortsAndSpecialLocations() {
        ExternalProcess.requireTool("curl");
        assertThat(Curl.http(nginx.httpUrl("/")).bodyText()).isEqualTo(Docroot.INDEX_HTML);
        Curl.Response err = Curl.http(nginx.httpUrl("/error500"));
        assertThat(err.status()).isEqualTo(500);
        assertThat(err.bodyText()).isEqualTo(NginxFixture.ERROR500_BODY);
        assertThat(Curl.http(nginx.httpUrl("/no-such-file")).status()).isEqualTo(404);
        assertThat(Curl.http(nginx.httpUrl("/echo?a=1")).bodyText()).isEqualTo("echo GET /echo?a=1\n");
        assertThat(Curl.http(nginx.httpUrl("/redirect")).status()).isEqualTo(302);
        Curl.Response h2c = Curl.http(nginx.h2cUrl("/1k.bin"), "--http2-prior-knowledge");
        assertThat(h2c.httpVersion()).isEqualTo("2");
        assertThat(h2c.body()).isEqualTo(Docroot.content("1k.bin"));
        assertThat(nginx.accessLogText()).contains("\"GET /error500 HTTP/1.1\" 500");
    }

    @Test
    void javaHttpClientGets10mTrustingTheTestCa() throws Exception {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(nginx.pki().clientSslContext())
                .version(HttpClient.Version.HTTP_2)
                .connectTimeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<byte[]> r = client.send(HttpRequest.newBuilder(URI.create(nginx.httpsUrl("/10m.bin")))
                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
        assertThat(r.body()).hasSize(10_000_000);
        assertThat(Arrays.equals(r.body(), Docroot.content("10m.bin"))).isTrue();
    }

    @Test
    void tcpdumpCaptureOfPlainHttpIsReadByTshark() throws Exception {
        ExternalProcess.requireTool("tcpdump");
        ExternalProcess.requireTool("tshark");
        ExternalProcess.requireTool("curl");
        int port = nginx.plainPort();
        Path dir = TestFiles.newDir("smoke-capture");
        Path pcap;
        Curl.Response r;
        try (Tcpdump dump = Tcpdump.loopbackPort(port, dir.resolve("plain.pcap"))) {
            r = Curl.http(nginx.httpUrl("/1k.bin"), "--http1.1");
            pcap = dump.stop();
        }
        assertThat(r.status()).isEqualTo(200);

        Tshark tshark = new Tshark().withDecodeAs("tcp.port==" + port + ",http");
        tshark.assertReadsCleanly(pcap);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.method", "http.request.uri"))
                .containsExactly("GET\t/1k.bin");
        assertThat(tshark.count(pcap, "http.response.code == 200")).isEqualTo(1);

        byte[] request = tshark.followTcpRaw(pcap, 0, true);
        assertThat(new String(request, StandardCharsets.ISO_8859_1)).startsWith("GET /1k.bin HTTP/1.1\r\n");
        byte[] response = tshark.followTcpRaw(pcap, 0, false);
        String head = new String(response, StandardCharsets.ISO_8859_1);
        assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 1024\r\n");
        int bodyStart = head.indexOf("\r\n\r\n") + 4;
        assertThat(Arrays.copyOfRange(response, bodyStart, response.length)).isEqualTo(Docroot.content("1k.bin"));

        Path objects = tshark.exportHttpObjects(pcap, dir.resolve("objects"));
        try (var files = Files.list(objects)) {
            List<Path> exported = files.toList();
            assertThat(exported).hasSize(1);
            assertThat(Files.readAllBytes(exported.get(0))).isEqualTo(Docroot.content("1k.bin"));
        }
    }

    @Test
    void testPkiFilesAreConsistent() throws Exception {
        TestPki pki = TestPki.shared();
        ExternalProcess.run(Duration.ofSeconds(30), "openssl", "verify", "-CAfile", pki.caCert().toString(),
                pki.serverLeafCert().toString());
        ExternalProcess.Result wrong = ExternalProcess.exec(Duration.ofSeconds(30), "openssl", "verify", "-CAfile",
                pki.otherCa().caCert().toString(), pki.serverLeafCert().toString());
        assertThat(wrong.exitCode()).isNotZero();
        assertThat(Files.readString(pki.serverP12PasswordFile())).isEqualTo(pki.serverP12Password());
        X509Certificate leaf = (X509Certificate) pki.serverKeyStore().getCertificate("server");
        assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=backend.test");
        assertThat(leaf.getSubjectAlternativeNames().stream().map(l -> (Object) l.get(1)).toList())
                .containsExactlyInAnyOrder("localhost", "backend.test", "*.backend.test", "127.0.0.1", "0:0:0:0:0:0:0:1");
        assertThat(pki.serverChain()).hasSize(2);
        assertThat(TestPki.shared()).isSameAs(pki);
    }

    @Test
    void externalProcessReportsFailuresAndKillsOnlyItsTree() {
        assertThatThrownBy(() -> ExternalProcess.run(Duration.ofSeconds(10), "sh", "-c", "echo oops >&2; exit 3"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("exit code 3").hasMessageContaining("oops").hasMessageContaining("sh -c");
        assertThatThrownBy(() -> ExternalProcess.run(Duration.ofMillis(200), "sleep", "30"))
                .isInstanceOf(AssertionError.class).hasMessageContaining("sleep 30");

        ExternalProcess.Result ok = ExternalProcess.builder("sh", "-c", "printf '%s' \"$FOO\"; pwd")
                .env("FOO", "bar").directory(Path.of("/")).start().waitFor(Duration.ofSeconds(10));
        assertThat(ok.stdout()).isEqualTo("bar/\n");

        ProcessHandle child;
        try (ExternalProcess p = ExternalProcess.start(List.of("sh", "-c", "sleep 60 & wait"))) {
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (p.handle().descendants().findAny().isEmpty() && System.nanoTime() < deadline) {
                ExternalProcess.sleep(10);
            }
            child = p.handle().descendants().findFirst().orElseThrow();
        }
        assertThat(child.isAlive()).isFalse();
    }

    @Test
    void followRawParsing() {
        String out = """

                ===================================================================
                Follow: tcp,raw
                Filter: tcp.stream eq 0
                Node 0: 127.0.0.1:40000
                Node 1: 127.0.0.1:8080
                474554
                \t48545450
                0a
                \t2f31
                ===================================================================
                """;
        assertThat(Tshark.parseFollowRaw(out, true)).isEqualTo("GET\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(Tshark.parseFollowRaw(out, false)).isEqualTo("HTTP/1".getBytes(StandardCharsets.US_ASCII));
    }
}

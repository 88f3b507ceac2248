package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * plainsight proxy with curl, openssl and raw sockets as clients and nginx (test CA) as the origin:
 * CONNECT interception, SOCKS, plain HTTP forwarding, pass-through, fail-open, onboarding, errors.
 */
class ForwardProxyTest extends E2eSupport {

    Running proxy(String... extra) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("proxy", "--listen", "127.0.0.1:0",
                "--upstream-ca", nginx.pki().caCert().toString()));
        args.addAll(List.of(extra));
        return plainsight(args.toArray(String[]::new));
    }

    static String proxyUrl(Running r) {
        return "http://127.0.0.1:" + r.port();
    }

    String tlsOrigin(String path) {
        return "https://localhost:" + nginx.tlsPort() + path;
    }

    /** curl options that route through the proxy (Curl.run disables proxies by default). */
    static String[] via(Running r, String... more) {
        List<String> a = new ArrayList<>(List.of("--noproxy", "", "--proxy", proxyUrl(r)));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void connectIsInterceptedWithAForgedCertificateAndTheCaptureShowsPlaintext() throws Exception {
        Running r = proxy();
        Curl.Response resp = Curl.https(tlsOrigin("/index.html"), ourCa(), via(r, "--http1.1"));
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));

        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.method", "http.request.uri", "http.host"))
                .containsExactly("GET\t/index.html\tlocalhost:" + nginx.tlsPort());
        String line = awaitConsoleLine(r, l -> l.contains(" proxy "));
        assertThat(line).contains("sni=localhost").contains("client=TLSv1.").contains("upstream=TLSv1.")
                .contains(":" + nginx.tlsPort());
    }

    @Test
    void h2IsNegotiatedEndToEndThroughConnect() throws Exception {
        Running r = proxy();
        Curl.Response resp = Curl.https(tlsOrigin("/1m.bin"), ourCa(), via(r, "--http2"));
        assertThat(resp.httpVersion()).isEqualTo("2");
        assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http2.type == 1", "http2.headers.path"))
                .anySatisfy(l -> assertThat(l).contains("/1m.bin"));
    }

    @Test
    void theForgedCertificateCopiesSubjectAndEverySanAndAddsTheSni() throws Exception {
        Running r = proxy();
        ExternalProcess.Result s = ExternalProcess.run(Duration.ofSeconds(30), "sh", "-c",
                "echo | openssl s_client -proxy 127.0.0.1:" + r.port() + " -connect 127.0.0.1:" + nginx.tlsPort()
                        + " -servername extra.backend.test -CAfile " + ourCa() + " 2>/dev/null"
                        + " | openssl x509 -noout -subject -issuer -ext subjectAltName");
        assertThat(s.stdout()).contains("plainsight")
                .contains("DNS:localhost").contains("DNS:backend.test").contains("DNS:*.backend.test")
                .contains("IP Address:127.0.0.1").contains("extra.backend.test");
        assertThat(s.stdout().lines().filter(l -> l.startsWith("issuer")).findFirst().orElseThrow()).contains("plainsight");
    }

    @Test
    void plainHttpIsForwardedWithKeepAliveAndCapturedAsTheOriginSawIt() throws Exception {
        Running r = proxy();
        String origin = "http://127.0.0.1:" + nginx.plainPort();
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        ExternalProcess.Result res = Curl.run(via(r, origin + "/index.html", "-o", out.resolve("a").toString(),
                origin + "/1m.bin", "-o", out.resolve("b").toString(), "-w", "%{http_code}/%{num_connects} "));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        assertThat(res.stdout().trim().split(" ")).containsExactly("200/1", "200/0");
        assertThat(Files.readAllBytes(out.resolve("b"))).isEqualTo(Docroot.content("1m.bin"));

        Path pcap = flushedCapture(r);
        // origin-form request lines, one origin connection for both requests, no Proxy-Connection header
        assertThat(tshark.fieldLines(pcap, "http.request", "tcp.stream", "http.request.uri"))
                .containsExactly("0\t/index.html", "0\t/1m.bin");
        assertThat(tshark.fieldLines(pcap, "http.request && http.request.line contains \"Proxy-\"", "http.request.uri")).isEmpty();
        assertThat(tshark.fieldLines(pcap, "http.response", "http.response.code")).containsExactly("200", "200");
    }

    @Test
    void socks5AndSocks4aReachTheOriginAndAreIntercepted() throws Exception {
        Running r = proxy();
        for (String flag : List.of("--socks5-hostname", "--socks4a", "--socks5")) {
            Curl.Response resp = Curl.https(tlsOrigin("/index.html"), ourCa(), "--http1.1", "--noproxy", "", flag, "127.0.0.1:" + r.port());
            assertThat(resp.body()).as(flag).isEqualTo(Docroot.content("index.html"));
        }
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.uri")).hasSize(3).containsOnly("/index.html");
    }

    @Test
    void proxyAuthenticationIsRequiredWhenConfigured() throws Exception {
        Running r = proxy("--proxy-auth", "alice:s3cret:x");
        ExternalProcess.Result denied = Curl.run(via(r, "--cacert", ourCa().toString(), tlsOrigin("/index.html")));
        assertThat(denied.exitCode()).isNotZero();
        assertThat(denied.stderr()).contains("407");

        Curl.Response ok = Curl.https(tlsOrigin("/index.html"), ourCa(), via(r, "--proxy-user", "alice:s3cret:x"));
        assertThat(ok.status()).isEqualTo(200);
        Curl.Response plain = Curl.http("http://127.0.0.1:" + nginx.plainPort() + "/index.html",
                via(r, "--proxy-user", "alice:s3cret:x"));
        assertThat(plain.status()).isEqualTo(200);
        Curl.Response socks = Curl.https(tlsOrigin("/index.html"), ourCa(), "--noproxy", "",
                "--proxy", "socks5h://alice:s3cret:x@127.0.0.1:" + r.port());
        assertThat(socks.status()).isEqualTo(200);
        ExternalProcess.Result badSocks = Curl.run("--noproxy", "", "--proxy", "socks5h://alice:wrong@127.0.0.1:" + r.port(),
                "--cacert", ourCa().toString(), tlsOrigin("/index.html"));
        assertThat(badSocks.exitCode()).isNotZero();
    }

    @Test
    void ignoredHostsArePassedThroughUndecrypted() throws Exception {
        Running r = proxy("--ignore-hosts", "^localhost:");
        // the client must trust the real server's CA: plainsight does not touch the TLS
        Curl.Response resp = Curl.https(tlsOrigin("/index.html"), nginx.pki().caCert(), via(r, "--http1.1"));
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.uri")).isEmpty();
        assertThat(awaitConsoleLine(r, l -> l.contains(" proxy "))).contains("passthrough");
    }

    @Test
    void aDecryptOffRuleRelaysTheHostUntouchedAndACaptureOffRuleKeepsAConnectionOutOfEveryOutput() throws Exception {
        Path rules = tmp.resolve("rules.rules");
        Files.writeString(rules, """
                bank match tls.sni == "localhost" => decrypt off
                quiet match client.ip == 127.0.0.3 => capture off
                """);
        Path flows = tmp.resolve("flows.jsonl");
        Running r = proxy("--rules", rules.toString(), "--flows", flows.toString());
        // decrypt off: the client must trust the real server's CA, as with --ignore-hosts
        Curl.Response resp = Curl.https(tlsOrigin("/index.html"), nginx.pki().caCert(), via(r, "--http1.1"));
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
        assertThat(awaitConsoleLine(r, l -> l.contains(" proxy "))).contains("passthrough");
        // capture off: plain HTTP through the proxy from 127.0.0.3 reaches no output
        ExternalProcess.Result quiet = Curl.run(via(r, "--interface", "127.0.0.3", "-o", "/dev/null", "-w", "%{http_code}",
                "http://localhost:" + nginx.plainPort() + "/hello?from=quiet"));
        assertThat(quiet.stdout()).isEqualTo("200");
        ExternalProcess.Result loud = Curl.run(via(r, "--interface", "127.0.0.2", "-o", "/dev/null", "-w", "%{http_code}",
                "http://localhost:" + nginx.plainPort() + "/hello?from=loud"));
        assertThat(loud.stdout()).isEqualTo("200");
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.uri")).containsExactly("/hello?from=loud");
        assertThat(Files.readString(flows)).contains("from=loud").doesNotContain("from=quiet").doesNotContain("127.0.0.3");
        assertThat(awaitConsoleLine(r, l -> l.contains("from=loud"))).contains("127.0.0.2");
        assertThat(consoleText()).doesNotContain("from=quiet");
    }

    @Test
    void aHostWhoseClientsRejectOurCertificateFailsOpen() throws Exception {
        Running r = proxy("--fail-open", "2:60");
        Path realCa = nginx.pki().caCert();
        for (int i = 0; i < 2; i++) {
            ExternalProcess.Result rejected = Curl.run(via(r, "--cacert", realCa.toString(), tlsOrigin("/index.html")));
            assertThat(rejected.exitCode()).as("attempt %d: %s", i, rejected).isEqualTo(60);
        }
        Curl.Response resp = Curl.https(tlsOrigin("/index.html"), realCa, via(r));
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
        assertThat(awaitConsoleLine(r, l -> l.contains("fail-open"))).contains("localhost");
    }

    @Test
    void theOnboardingPageServesTheCaInEveryFormat() throws Exception {
        Running r = proxy();
        Curl.Response page = Curl.http("http://plainsight/", via(r));
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.bodyText()).contains("/cert/pem").contains("/cert/der").contains("/cert/p12");
        Curl.Response pem = Curl.http("http://plainsight.ca/cert/pem", via(r));
        assertThat(pem.bodyText()).isEqualTo(Files.readString(ourCa()));
        Curl.Response der = Curl.http("http://plainsight/cert/der", via(r));
        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        var fromDer = cf.generateCertificate(new ByteArrayInputStream(der.body()));
        var fromPem = cf.generateCertificate(new ByteArrayInputStream(pem.body()));
        assertThat(fromDer).isEqualTo(fromPem);
        Curl.Response p12 = Curl.http("http://plainsight/cert/p12", via(r));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(new ByteArrayInputStream(p12.body()), new char[0]);
        assertThat(ks.getCertificate(ks.aliases().nextElement())).isEqualTo(fromPem);
    }

    @Test
    void connectErrorsGetHttpAnswersAndTheProxyKeepsServing() throws Exception {
        Running r = proxy();
        assertThat(rawExchange(r, "CONNECT no-port-here HTTP/1.1\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        String unresolvable = rawExchange(r, "CONNECT does-not-exist.invalid:443 HTTP/1.1\r\n\r\n");
        assertThat(unresolvable).startsWith("HTTP/1.1 502 ").contains("does not resolve");
        int closed = io.plainsight.testing.FreePort.tcp();
        assertThat(rawExchange(r, "CONNECT 127.0.0.1:" + closed + " HTTP/1.1\r\n\r\n"))
                .startsWith("HTTP/1.1 502 ").contains("connection refused");
        assertThat(rawExchange(r, "GET /foo HTTP/1.1\r\nHost: example.test\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        assertThat(rawExchange(r, "\u0016\u0003\u0001garbage\r\n\r\n")).startsWith("HTTP/1.1 400 ");
        // still serving
        assertThat(Curl.https(tlsOrigin("/index.html"), ourCa(), via(r)).status()).isEqualTo(200);
    }

    @Test
    void anUntrustedOriginCertificateEndsTheClientHandshakeWithAnAlert() throws Exception {
        Running r = plainsight("proxy", "--listen", "127.0.0.1:0"); // no --upstream-ca: nginx's test CA is unknown
        ExternalProcess.Result res = Curl.run(via(r, "--cacert", ourCa().toString(), tlsOrigin("/index.html")));
        assertThat(res.exitCode()).as(res.toString()).isEqualTo(35);
        assertThat(res.stderr()).containsIgnoringCase("handshake failure");
        String line = awaitConsoleLine(r, l -> l.contains("error="));
        assertThat(line).contains("server localhost:" + nginx.tlsPort()).contains("certification path");
    }

    @Test
    void aRequestWithBothContentLengthAndChunkedIsFramedAsChunkedAndNeverDesynchronises() throws Exception {
        Running r = proxy();
        String origin = "http://127.0.0.1:" + nginx.plainPort();
        String marker = "/smuggled-" + System.nanoTime();
        String smuggle = "POST " + origin + "/index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 40\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"
                + "GET " + origin + marker + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
        String answer = rawExchange(r, smuggle);
        // nginx refuses the ambiguous request and closes; the smuggled GET never reaches it as part of a body
        assertThat(answer).startsWith("HTTP/1.1 400 ");
        // nginx logs a request after answering it: wait (bounded) for the POST's line
        String log = nginx.accessLogText();
        for (int i = 0; i < 50 && !log.contains("\"POST /index.html HTTP/1.1\" 400"); i++) {
            Thread.sleep(100);
            log = nginx.accessLogText();
        }
        assertThat(log).contains("\"POST /index.html HTTP/1.1\" 400").doesNotContain(marker);
    }

    @Test
    void anOpenProxyOnANonLoopbackAddressIsRefused() {
        assertThatThrownBy(() -> plainsight("proxy", "--listen", "0.0.0.0:0"))
                .hasMessageContaining("open proxy").hasMessageContaining("--proxy-auth");
    }

    @Test
    void chunkedUploadsPipelinedRequestsAnd100ContinueKeepTheirFraming() throws Exception {
        Running r = proxy();
        String origin = "http://127.0.0.1:" + nginx.plainPort();
        // a chunked POST (nginx answers 405 for a static file, after reading the body), then two pipelined GETs
        String answer = rawExchange(r, "POST " + origin + "/index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5\r\nhello\r\n0\r\n\r\n"
                + "GET " + origin + "/1k.bin HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
                + "GET " + origin + "/index.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
        assertThat(answer.split("HTTP/1.1 ", -1)).hasSize(4);
        assertThat(answer).startsWith("HTTP/1.1 405 ").contains("HTTP/1.1 200 OK").endsWith(new String(Docroot.content("index.html"), StandardCharsets.ISO_8859_1));
        // curl's Expect: 100-continue upload of 2 MB
        Path upload = tmp.resolve("upload.bin");
        Files.write(upload, new byte[2 * 1024 * 1024]);
        ExternalProcess.Result put = Curl.run(via(r, "-H", "Expect: 100-continue", "--data-binary", "@" + upload,
                origin + "/index.html", "-o", "/dev/null", "-w", "%{http_code}"));
        assertThat(put.stdout()).as(put.toString()).isIn("405", "413");

        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.method", "http.request.uri"))
                .startsWith("POST\t/index.html", "GET\t/1k.bin", "GET\t/index.html");
        assertThat(tshark.fieldLines(pcap, "http.request.method == \"POST\" && http.transfer_encoding", "http.file_data"))
                .containsExactly("hello");
    }

    @Test
    void plainTcpInsideConnectIsRelayedAndCapturedAsItIs() throws Exception {
        Running r = proxy();
        String answer = rawExchange(r, "CONNECT 127.0.0.1:" + nginx.plainPort() + " HTTP/1.1\r\n\r\n"
                + "GET /index.html HTTP/1.1\r\nHost: tunnelled.test\r\nConnection: close\r\n\r\n");
        assertThat(answer).startsWith("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 200 OK");
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.host", "http.request.uri")).containsExactly("tunnelled.test\t/index.html");
    }

    @Test
    void javaHttpClientThroughTheProxy() throws Exception {
        Running r = proxy();
        var trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(ourCa())) {
            trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        try (var client = java.net.http.HttpClient.newBuilder().sslContext(ssl)
                .proxy(java.net.ProxySelector.of(new java.net.InetSocketAddress("127.0.0.1", r.port()))).build()) {
            for (var v : List.of(java.net.http.HttpClient.Version.HTTP_2, java.net.http.HttpClient.Version.HTTP_1_1)) {
                var resp = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(tlsOrigin("/1k.bin"))).version(v).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(resp.version()).isEqualTo(v);
                assertThat(resp.body()).isEqualTo(Docroot.content("1k.bin"));
            }
            var plain = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + nginx.plainPort() + "/1k.bin")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            assertThat(plain.body()).isEqualTo(Docroot.content("1k.bin"));
        }
    }

    @Test
    void aClientThatAbortsItsHandshakeIsLoggedAndTheProxyKeepsServing() throws Exception {
        Running r = proxy();
        try (Socket s = new Socket("127.0.0.1", r.port())) {
            s.getOutputStream().write(("CONNECT localhost:" + nginx.tlsPort() + " HTTP/1.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[64];
            assertThat(new String(buf, 0, s.getInputStream().read(buf), StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
            s.getOutputStream().write(new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00}); // a ClientHello cut short
        }
        assertThat(awaitConsoleLine(r, l -> l.contains(" proxy ") && l.contains("error="))).contains("client");
        assertThat(Curl.https(tlsOrigin("/index.html"), ourCa(), via(r)).status()).isEqualTo(200);
    }

    /** Sends raw bytes to the proxy and returns all it answers until it closes (bounded). */
    static String rawExchange(Running r, String request) throws Exception {
        try (Socket s = new Socket("127.0.0.1", r.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}

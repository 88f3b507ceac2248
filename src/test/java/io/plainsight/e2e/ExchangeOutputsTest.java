package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.HarChecker;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.OpensslServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exchange outputs (HAR, flow log, console lines) through the reverse and forward proxies,
 * checked against what tshark finds in the PCAP of the same traffic.
 */
class ExchangeOutputsTest extends E2eSupport {
    static NginxFixture gzipNginx;

    @BeforeAll
    static void gzipBackend() {
        gzipNginx = NginxFixture.builder().tls().http2(true).plain()
                .httpConfig("gzip on;").httpConfig("gzip_types text/plain;").httpConfig("gzip_min_length 10;")
                .start();
    }

    @AfterAll
    static void stopGzipBackend() {
        if (gzipNginx != null) {
            gzipNginx.close();
        }
    }

    Path har() {
        return tmp.resolve("out.har");
    }

    Path flows() {
        return tmp.resolve("flows.jsonl");
    }

    Running reverse(NginxFixture backend, String... extra) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + backend.tlsPort(),
                "--upstream-ca", backend.pki().caCert().toString(), "--har", har().toString(), "--flows", flows().toString()));
        args.addAll(List.of(extra));
        return plainsight(args.toArray(String[]::new));
    }

    List<JsonNode> flowLines() throws Exception {
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(flows())) {
            out.add(om.readTree(line));
        }
        return out;
    }

    static String path(JsonNode entry) {
        URI u = URI.create(entry.at("/request/url").asText());
        return u.getRawPath() + (u.getRawQuery() == null ? "" : "?" + u.getRawQuery());
    }

    @Test
    void http11KeepAliveChunkedGzipAndAPostAppearInTheHarFlowLogAndConsoleAsTsharkSeesThem() throws Exception {
        Running r = reverse(gzipNginx);
        String u = url(r, "backend.test", "");
        ExternalProcess.Result res = Curl.run("--http1.1", "--compressed", "--cacert", ourCa().toString(),
                "--resolve", resolve(r, "backend.test"),
                u + "/hello", "-o", "/dev/null", u + "/1k.bin", "-o", "/dev/null", u + "/echo?x=1&y=%20z", "-o", "/dev/null",
                "-w", "%{num_connects} ");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        assertThat(res.stdout().trim().split(" ")).containsExactly("1", "0", "0");
        Curl.Response post = Curl.https(u + "/echo", ourCa(), "--http1.1", "--resolve", resolve(r, "backend.test"), "-d", "a=b&c=d");
        assertThat(post.bodyText()).isEqualTo("echo POST /echo\n");

        Path pcap = flushedCapture(r);
        // the HAR is valid while plainsight runs (after a flush)
        List<JsonNode> entries = HarChecker.entries(har());
        assertThat(entries).extracting(ExchangeOutputsTest::path)
                .containsExactly("/hello", "/1k.bin", "/echo?x=1&y=%20z", "/echo")
                .containsExactlyElementsOf(tshark.fieldLines(pcap, "http.request", "http.request.uri"));
        JsonNode hello = entries.get(0);
        assertThat(hello.at("/request/url").asText()).isEqualTo("https://backend.test:" + r.port() + "/hello");
        assertThat(hello.at("/response/status").asInt()).isEqualTo(200);
        assertThat(hello.at("/response/httpVersion").asText()).isEqualTo("HTTP/1.1");
        // gzip + chunked on the wire; the HAR shows the decoded text
        assertThat(hello.at("/response/headers").toString()).contains("gzip").contains("chunked");
        assertThat(hello.at("/response/content/text").asText()).isEqualTo(NginxFixture.HELLO_BODY);
        assertThat(entries.get(1).at("/response/content/encoding").asText()).isEqualTo("base64");
        assertThat(entries.get(1).at("/response/content/size").asLong()).isEqualTo(1024);
        assertThat(entries.get(2).at("/request/queryString").toString()).contains("\"y\"").contains("\" z\"");
        assertThat(entries.get(3).at("/request/postData/text").asText()).isEqualTo("a=b&c=d");
        assertThat(entries.get(3).at("/request/method").asText()).isEqualTo("POST");

        List<JsonNode> lines = flowLines();
        assertThat(lines).filteredOn(l -> l.get("type").asText().equals("http")).hasSize(4)
                .allSatisfy(l -> {
                    assertThat(l.get("mode").asText()).isEqualTo("reverse");
                    assertThat(l.get("sni").asText()).isEqualTo("backend.test");
                    assertThat(l.at("/tls/version").asText()).startsWith("TLSv1.");
                    assertThat(l.get("complete").asBoolean()).isTrue();
                });
        assertThat(lines.get(1).at("/response/body_bytes").asLong()).isEqualTo(1024);

        String console = awaitConsoleLine(r, l -> l.contains("GET https://backend.test:" + r.port() + "/1k.bin"));
        assertThat(console).contains("  200  1.0KiB  ");
    }

    @Test
    void http2StreamsAreExchangesWithTheirStreamIds() throws Exception {
        Running r = reverse(gzipNginx);
        String u = url(r, "backend.test", "");
        ExternalProcess.Result res = Curl.run("--http2", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                u + "/1k.bin", "-o", "/dev/null", u + "/index.html", "-o", "/dev/null");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        Path pcap = flushedCapture(r);
        List<JsonNode> entries = HarChecker.entries(har());
        assertThat(entries).extracting(ExchangeOutputsTest::path).containsExactly("/1k.bin", "/index.html");
        assertThat(entries).allSatisfy(e -> assertThat(e.at("/request/httpVersion").asText()).isEqualTo("HTTP/2"));
        assertThat(entries).extracting(e -> e.at("/_plainsight/stream").asInt()).containsExactly(1, 3);
        assertThat(tshark.fieldLines(pcap, "http2.type == 1 && http2.headers.path", "http2.headers.path"))
                .containsExactly("/1k.bin", "/index.html");
        assertThat(entries.get(1).at("/response/content/text").asText()).isEqualTo(new String(Docroot.content("index.html")));
    }

    @Test
    void forwardProxyExchangesHaveTheUrlsTheClientAskedFor() throws Exception {
        Running r = plainsight("proxy", "--listen", "127.0.0.1:0", "--upstream-ca", gzipNginx.pki().caCert().toString(),
                "--har", har().toString(), "--flows", flows().toString());
        String proxy = "http://127.0.0.1:" + r.port();
        Curl.http("http://127.0.0.1:" + gzipNginx.plainPort() + "/1k.bin", "--noproxy", "", "--proxy", proxy);
        Curl.https("https://localhost:" + gzipNginx.tlsPort() + "/hello", ourCa(), "--noproxy", "", "--proxy", proxy, "--http1.1");
        r.close();
        List<JsonNode> entries = HarChecker.entries(har());
        assertThat(entries).extracting(e -> e.at("/request/url").asText()).containsExactly(
                "http://127.0.0.1:" + gzipNginx.plainPort() + "/1k.bin", "https://localhost:" + gzipNginx.tlsPort() + "/hello");
        assertThat(flowLines()).filteredOn(l -> l.get("type").asText().equals("http"))
                .extracting(l -> l.get("mode").asText()).containsOnly("proxy");
    }

    @Test
    void aConnectionWithoutHttpIsOneFlowLine() throws Exception {
        try (OpensslServer rev = OpensslServer.start(nginx.pki(), "-rev")) {
            Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + rev.port(),
                    "--upstream-ca", nginx.pki().caCert().toString(), "--flows", flows().toString());
            ExternalProcess.Result s = ExternalProcess.run(java.time.Duration.ofSeconds(30), "sh", "-c",
                    "(printf 'hello\\n'; sleep 1) | openssl s_client -quiet -no_ign_eof -connect 127.0.0.1:" + r.port()
                            + " -servername localhost -CAfile " + ourCa() + " 2>/dev/null");
            assertThat(s.stdout()).contains("olleh");
            r.close();
        }
        List<JsonNode> lines = flowLines();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("type").asText()).isEqualTo("connection");
        assertThat(lines.get(0).get("bytes_up").asLong()).isEqualTo(6);
        assertThat(lines.get(0).get("interception").asText()).isEqualTo("decrypted");
    }

    @Test
    void aWebSocketEchoIsTheUpgradeExchangeThenOneFlowLinePerMessage() throws Exception {
        try (io.plainsight.testing.WebSocketEchoServer echo = new io.plainsight.testing.WebSocketEchoServer()) {
            Running r = plainsight("reverse", "--terminate", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + echo.port(),
                    "--sni-default", "localhost", "--har", har().toString(), "--flows", flows().toString());
            var trust = java.security.KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            try (var in = Files.newInputStream(ourCa())) {
                trust.setCertificateEntry("ca", java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
            }
            var tmf = javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            var ssl = javax.net.ssl.SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            var received = new java.util.concurrent.LinkedBlockingQueue<String>();
            try (var client = java.net.http.HttpClient.newBuilder().sslContext(ssl).build()) {
                var ws = client.newWebSocketBuilder().buildAsync(URI.create("wss://localhost:" + r.port() + "/ws"),
                        new java.net.http.WebSocket.Listener() {
                            @Override
                            public java.util.concurrent.CompletionStage<?> onText(java.net.http.WebSocket w, CharSequence data, boolean last) {
                                received.add(data.toString());
                                w.request(1);
                                return null;
                            }
                        }).get(20, java.util.concurrent.TimeUnit.SECONDS);
                ws.sendText("hello through plainsight", true).get(10, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(received.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("hello through plainsight");
                ws.sendClose(1000, "bye").get(10, java.util.concurrent.TimeUnit.SECONDS);
                Thread.sleep(300);
            }
            r.close();
        }
        List<JsonNode> entries = HarChecker.entries(har());
        assertThat(entries).hasSize(1);
        assertThat(entries.get(0).at("/response/status").asInt()).isEqualTo(101);
        List<JsonNode> ws = flowLines().stream().filter(l -> l.get("type").asText().equals("websocket")).toList();
        assertThat(ws).filteredOn(l -> l.get("opcode").asText().equals("text"))
                .extracting(l -> l.get("direction").asText() + ":" + l.get("payload").asText())
                .containsExactly("client:hello through plainsight", "server:hello through plainsight");
        assertThat(ws).filteredOn(l -> l.get("opcode").asText().equals("close")).isNotEmpty()
                .first().satisfies(l -> assertThat(l.get("close_code").asInt()).isEqualTo(1000));
    }

    @Test
    void theFilterSelectsWhatTheOutputsShowAndABadOneIsRefusedWithItsPosition() throws Exception {
        Running r = reverse(gzipNginx, "--filter", "http.request.uri contains \"1k\" || http.response.code >= 500");
        String u = url(r, "backend.test", "");
        ExternalProcess.Result res = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                u + "/hello", "-o", "/dev/null", u + "/1k.bin", "-o", "/dev/null", u + "/error500", "-o", "/dev/null");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        r.close();
        assertThat(HarChecker.entries(har())).extracting(ExchangeOutputsTest::path).containsExactly("/1k.bin", "/error500");
        assertThat(consoleText()).doesNotContain("/hello");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> reverse(gzipNginx, "--filter", "htp.host contains \"x\""))
                .hasMessageContaining("unknown field 'htp.host' at position 1");
    }
}

package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Tcpdump;
import io.plainsight.testing.TsharkHellos;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --connections FILE} through the reverse proxy with curl and nginx: the line's addresses,
 * SNI, both legs' TLS, the certificate we presented (the one curl saw) and nginx's, bytes each way
 * (curl's own counts), FIN; a client that does not trust our CA ends in ERROR with the reason; a
 * capture rule on {@code tls.ja3} keeps one client out; and, read from a tcpdump of both legs, JA3
 * and JA4 of curl's ClientHello and JA3S/JA4S of nginx's ServerHello as tshark sees them.
 */
class ConnectionLogTest extends E2eSupport {

    Path log() {
        return tmp.resolve("connections.jsonl");
    }

    List<JsonNode> lines(Running r) throws IOException {
        assertThat(r.drain()).isTrue();
        List<JsonNode> out = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(log())) {
            out.add(json.readTree(line));
        }
        return out;
    }

    /** Waits (bounded) until the log has {@code n} lines: a line is written when its connection closes. */
    List<JsonNode> awaitLines(Running r, int n) throws Exception {
        List<JsonNode> l = List.of();
        for (int i = 0; i < 100; i++) {
            r.drain();
            l = Files.exists(log()) ? lines(r) : List.of();
            if (l.size() >= n) {
                return l;
            }
            Thread.sleep(50);
        }
        throw new AssertionError("expected " + n + " lines in the connection log, got " + l);
    }

    static String sha256(byte[] der) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    }

    static X509Certificate pemCertificate(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    @Test
    void aReverseConnectionWithBothLegsTheCertificatesAndCurlsByteCounts() throws Exception {
        Running r = reverseToNginx("--connections", log().toString());
        ExternalProcess.Result res = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                "-o", "/dev/null", "-w", "%{size_request} %{size_header} %{size_download} %{local_port}\n%{certs}",
                url(r, "backend.test", "/index.html"));
        assertThat(res.exitCode()).as("%s", res).isZero();
        String[] counts = res.stdout().lines().findFirst().orElseThrow().split(" ");
        X509Certificate presented = ReverseProxyTest.firstCertificate(res.stdout());

        JsonNode l = awaitLines(r, 1).get(0);
        String what = l.toString();
        assertThat(l.get("mode").asText()).isEqualTo("reverse");
        assertThat(l.get("interception").asText()).isEqualTo("decrypted");
        assertThat(l.get("client").asText()).as(what).isEqualTo("127.0.0.1:" + counts[3]);
        assertThat(l.get("server").asText()).as(what).isEqualTo("127.0.0.1:" + nginx.tlsPort());
        assertThat(l.get("listener").asText()).as(what).isEqualTo("127.0.0.1:" + r.port());
        assertThat(l.get("upstream_local").asText()).as(what).startsWith("127.0.0.1:");
        assertThat(l.get("sni").asText()).as(what).isEqualTo("backend.test");
        assertThat(l.at("/client_tls/version").asText()).as(what).isEqualTo("TLSv1.3");
        assertThat(l.at("/client_tls/cipher").asText()).as(what).startsWith("TLS_");
        assertThat(l.at("/client_tls/alpn").asText()).as(what).isEqualTo("http/1.1");
        assertThat(l.at("/upstream_tls/version").asText()).as(what).isEqualTo("TLSv1.3");
        assertThat(l.at("/upstream_tls/cipher").asText()).as(what).startsWith("TLS_");
        // the certificate we presented is the one curl saw; the upstream one is nginx's
        assertThat(l.at("/client_tls/certificate_sha256").asText()).as(what).isEqualTo(sha256(presented.getEncoded()));
        assertThat(l.at("/upstream_tls/certificate_sha256").asText()).as(what)
                .isEqualTo(sha256(pemCertificate(nginx.pki().serverLeafCert()).getEncoded()));
        assertThat(l.get("bytes_up").asLong()).as(what).isEqualTo(Long.parseLong(counts[0]));
        assertThat(l.get("bytes_down").asLong()).as(what).isEqualTo(Long.parseLong(counts[1]) + Long.parseLong(counts[2]));
        assertThat(l.get("packets_up").asLong()).as(what).isPositive();
        assertThat(l.get("packets_down").asLong()).as(what).isPositive();
        assertThat(l.get("end").asText()).as(what).isEqualTo("FIN");
        assertThat(l.has("closed_by")).as(what).isTrue();
        assertThat(l.has("error")).as(what).isFalse();
        Instant start = Instant.parse(l.get("time").asText());
        Instant end = Instant.parse(l.get("end_time").asText());
        assertThat(Duration.between(start, end).toNanos() / 1e6).isCloseTo(l.get("duration_ms").asDouble(),
                org.assertj.core.data.Offset.offset(0.002));
        assertThat(l.get("time").asText()).matches(".*\\.\\d{6}Z");
    }

    @Test
    void theSubjectsOfBothCertificates() throws Exception {
        Running r = reverseToNginx("--connections", log().toString());
        Curl.https(url(r, "backend.test", "/index.html"), ourCa(), "--resolve", resolve(r, "backend.test"));
        JsonNode l = awaitLines(r, 1).get(0);
        assertThat(l.at("/upstream_tls/certificate_subject").asText()).as("%s", l)
                .isEqualTo(pemCertificate(nginx.pki().serverLeafCert()).getSubjectX500Principal().getName());
        // ours copies the backend's subject CN
        assertThat(l.at("/client_tls/certificate_subject").asText()).as("%s", l).contains("CN=backend.test");
    }

    @Test
    void aClientThatDoesNotTrustOurCaEndsInErrorWithTheReason() throws Exception {
        Running r = reverseToNginx("--connections", log().toString());
        ExternalProcess.Result res = Curl.run("--cacert", nginx.pki().caCert().toString(), "--resolve", resolve(r, "backend.test"),
                url(r, "backend.test", "/index.html"));
        assertThat(res.exitCode()).as("%s", res).isEqualTo(60); // peer certificate cannot be authenticated
        JsonNode l = awaitLines(r, 1).get(0);
        assertThat(l.get("end").asText()).as("%s", l).isEqualTo("ERROR");
        assertThat(l.get("error").asText()).as("%s", l).containsIgnoringCase("handshake").containsIgnoringCase("client");
        assertThat(l.get("sni").asText()).isEqualTo("backend.test");
        assertThat(l.has("client_tls")).as("no client handshake completed: %s", l).isFalse();
        assertThat(l.get("bytes_up").asLong()).isZero();
    }

    @Test
    void aCaptureOffRuleOnTlsJa3KeepsThatClientOutOfTheLog() throws Exception {
        String curlJa3 = ja3OfCurl();
        Path rules = Files.writeString(tmp.resolve("rules.conf"), "quiet match tls.ja3 == \"" + curlJa3 + "\" => capture off\n");
        Path flows = tmp.resolve("flows.jsonl");
        Running r = reverseToNginx("--connections", log().toString(), "--rules", rules.toString(), "--flows", flows.toString());
        ExternalProcess.Result quiet = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                "-o", "/dev/null", "-w", "%{http_code}", url(r, "backend.test", "/hello?from=curl"));
        assertThat(quiet.stdout()).as("%s", quiet).isEqualTo("200");
        try (HttpClient client = HttpClient.newBuilder().sslContext(ReverseProxyTest.trusting(ourCa()))
                .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build()) {
            HttpResponse<String> resp = client.send(HttpRequest.newBuilder(
                    URI.create("https://127.0.0.1:" + r.port() + "/hello?from=java")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(resp.statusCode()).isEqualTo(200);
        }
        Thread.sleep(200);
        assertThat(r.drain()).isTrue();
        assertThat(Files.readString(flows)).contains("from=java").doesNotContain("from=curl");
        // only Java's connection (to 127.0.0.1: no SNI) is in the log; curl's (SNI backend.test) is not
        List<JsonNode> lines = awaitLines(r, 1);
        Thread.sleep(200);
        assertThat(lines(r)).singleElement().satisfies(l -> {
            assertThat(l.has("sni")).as("%s", l).isFalse();
            assertThat(l.get("end").asText()).isEqualTo("FIN");
        });
    }

    /**
     * curl's JA3 for these options, from its ClientHello read here by a plain socket (the rule must match
     * what plainsight computes from the same hello; that JA3 is right is checked against tshark elsewhere).
     */
    private String ja3OfCurl() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CompletableFuture<byte[]> hello = CompletableFuture.supplyAsync(() -> {
                try (Socket s = server.accept()) {
                    InputStream in = s.getInputStream();
                    byte[] header = in.readNBytes(5);
                    int len = ((header[3] & 0xff) << 8) | (header[4] & 0xff);
                    return in.readNBytes(len);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            Curl.run("--http1.1", "--max-time", "5", "--cacert", ourCa().toString(), "--resolve",
                    "backend.test:" + server.getLocalPort() + ":127.0.0.1", "https://backend.test:" + server.getLocalPort() + "/");
            return io.plainsight.tls.Ja3.ofClientHello(hello.get(10, TimeUnit.SECONDS)).md5();
        }
    }

    @Test
    void ja3Ja4OfTheClientAndJa3sJa4sOfTheServerAreTsharks() throws Exception {
        Running r = reverseToNginx("--connections", log().toString());
        Path capture;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("legs.pcap"), "tcp", "port", "" + r.port(), "or", "tcp", "port",
                "" + nginx.tlsPort())) {
            Curl.https(url(r, "backend.test", "/index.html"), ourCa(), "--resolve", resolve(r, "backend.test"), "--http2");
            awaitLines(r, 1);
            capture = dump.stop();
        }
        JsonNode l = lines(r).get(0);
        TsharkHellos hellos = TsharkHellos.read(tshark, capture);
        // tcp.stream 0 is curl to plainsight (the client leg), 1 plainsight to nginx (the upstream leg)
        TsharkHellos.Client curls = hellos.clients.get(0);
        TsharkHellos.Server nginxs = hellos.servers.get(1);
        assertThat(l.get("ja3").asText()).as("%s", l).isEqualTo(curls.ja3());
        assertThat(l.get("ja3_string").asText()).isEqualTo(curls.ja3Full());
        assertThat(l.get("ja4").asText()).isEqualTo(TsharkHellos.expectedJa4(curls));
        assertThat(l.get("ja3s").asText()).isEqualTo(nginxs.ja3s());
        assertThat(l.get("ja3s_string").asText()).isEqualTo(nginxs.ja3sFull());
        assertThat(l.get("ja4s").asText()).isEqualTo(TsharkHellos.expectedJa4s(nginxs));
        // plainsight's own hellos are not the ones logged
        assertThat(l.get("ja3").asText()).isNotEqualTo(hellos.clients.get(1).ja3());
        assertThat(l.get("ja3s").asText()).isNotEqualTo(hellos.servers.get(0).ja3s());
    }
}

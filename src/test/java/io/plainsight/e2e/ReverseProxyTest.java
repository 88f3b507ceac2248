package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** plainsight reverse (re-encrypting) in front of nginx, with curl, Java's HttpClient and openssl as clients. */
class ReverseProxyTest extends E2eSupport {

    @Test
    void h2IsNegotiatedEndToEndAndTheCaptureShowsHttp2() throws Exception {
        Running r = reverseToNginx();
        Curl.Response resp = Curl.https(url(r, "backend.test", "/1m.bin"), ourCa(), "--http2",
                "--resolve", resolve(r, "backend.test"));
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.httpVersion()).isEqualTo("2");
        assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));

        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http2.type == 1", "http2.headers.path", "http2.headers.status"))
                .anySatisfy(l -> assertThat(l).contains("/1m.bin"))
                .anySatisfy(l -> assertThat(l).contains("200"));
        assertThat(tshark.fields(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.dstport").trim()).isEqualTo("80");
        String line = awaitConsoleLine(r, l -> l.contains(" reverse "));
        assertThat(line).contains("sni=backend.test").contains("alpn=h2").contains("client=TLSv1.").contains("upstream=TLSv1.");
    }

    @Test
    void keepAliveRequestsAndBodiesAreExtractedFromTheCaptureByteForByte() throws Exception {
        Running r = reverseToNginx();
        String u = url(r, "backend.test", "");
        Path out = tmp.resolve("out");
        Files.createDirectories(out);
        // one curl, one connection, four requests on it (HTTP/1.1 keep-alive), including a 10 MB body
        ExternalProcess.Result res = Curl.run("--http1.1", "--cacert", ourCa().toString(), "--resolve", resolve(r, "backend.test"),
                u + "/index.html", "-o", out.resolve("a").toString(),
                u + "/1k.bin", "-o", out.resolve("b").toString(),
                u + "/1m.bin", "-o", out.resolve("c").toString(),
                u + "/10m.bin", "-o", out.resolve("d").toString(),
                "-w", "%{num_connects} ");
        assertThat(res.exitCode()).as(res.toString()).isZero();
        assertThat(res.stdout().trim().split(" ")).containsExactly("1", "0", "0", "0");
        assertThat(Files.readAllBytes(out.resolve("d"))).isEqualTo(Docroot.content("10m.bin"));

        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "tcp.stream", "http.request.uri"))
                .containsExactly("0\t/index.html", "0\t/1k.bin", "0\t/1m.bin", "0\t/10m.bin");
        assertThat(tshark.fieldLines(pcap, "http.response", "http.response.code")).containsExactly("200", "200", "200", "200");
        Path objects = tshark.exportHttpObjects(pcap, tmp.resolve("objects"));
        for (String name : List.of("index.html", "1k.bin", "1m.bin", "10m.bin")) {
            assertThat(objects.resolve(name)).as(name).exists();
            assertThat(Files.readAllBytes(objects.resolve(name))).as(name).isEqualTo(Docroot.content(name));
        }
        // the follow stream holds exactly what the client sent and received
        byte[] down = tshark.followTcpRaw(pcap, 0, false);
        assertThat(down.length).isGreaterThan(10_000_000 + 1024 * 1024);
    }

    @Test
    void javaHttpClientOverHttp2AndHttp11() throws Exception {
        Running r = reverseToNginx();
        SSLContext ssl = trusting(ourCa());
        for (HttpClient.Version v : List.of(HttpClient.Version.HTTP_2, HttpClient.Version.HTTP_1_1)) {
            try (HttpClient client = HttpClient.newBuilder().sslContext(ssl).version(v).connectTimeout(Duration.ofSeconds(10)).build()) {
                // Java's client verifies the name: our forged certificate copies the backend's SANs, IP:127.0.0.1 among them
                HttpResponse<byte[]> resp = client.send(
                        HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + r.port() + "/1m.bin")).build(),
                        HttpResponse.BodyHandlers.ofByteArray());
                assertThat(resp.statusCode()).isEqualTo(200);
                assertThat(resp.version()).isEqualTo(v);
                assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));
            }
        }
        Path pcap = flushedCapture(r);
        assertThat(tshark.count(pcap, "http2.headers.path == \"/1m.bin\"")).isEqualTo(1);
        assertThat(tshark.count(pcap, "http.request.uri == \"/1m.bin\"")).isEqualTo(1);
    }

    @Test
    void forgedCertificateVerifiesWithOnlyOurCaAndCarriesTheBackendsSans() throws Exception {
        Running r = reverseToNginx();
        ExternalProcess.Result s = ExternalProcess.exec(Duration.ofSeconds(20), "openssl", "s_client", "-connect",
                "127.0.0.1:" + r.port(), "-servername", "www.backend.test", "-CAfile", ourCa().toString(),
                "-verify_return_error", "-showcerts");
        assertThat(s.stdout()).contains("Verify return code: 0 (ok)");
        X509Certificate leaf = firstCertificate(s.stdout());
        List<String> sans = new ArrayList<>();
        for (List<?> san : leaf.getSubjectAlternativeNames()) {
            sans.add(san.get(1).toString());
        }
        // the backend's SANs (see TestPki.SANS) plus the SNI
        assertThat(sans).contains("localhost", "backend.test", "*.backend.test", "127.0.0.1", "www.backend.test");
        assertThat(sans).anySatisfy(s2 -> assertThat(s2).matches("0:0:0:0:0:0:0:1|::1"));
        assertThat(leaf.getSubjectX500Principal().getName()).contains("CN=backend.test");
        assertThat(leaf.getIssuerX500Principal().getName()).contains("plainsight");
    }

    @Test
    void upstreamInsecureAcceptsAnUntrustedBackend() throws Exception {
        // no --upstream-ca: the backend's test CA is unknown, so only --upstream-insecure lets it through
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.tlsPort(),
                "--upstream-insecure");
        Curl.Response resp = Curl.https(url(r, "backend.test", "/index.html"), ourCa(), "--resolve", resolve(r, "backend.test"));
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
    }

    @Test
    void importedPkcs12CertificateIsPresented() throws Exception {
        Path passFile = nginx.pki().serverP12PasswordFile();
        Running r = reverseToNginx("--server-cert", "*:" + nginx.pki().serverP12(), "--server-cert-password-file", passFile.toString());
        // trusting only the test PKI's CA (not ours) works because the imported certificate is shown
        Curl.Response resp = Curl.https(url(r, "backend.test", "/index.html"), nginx.pki().caCert(),
                "--resolve", resolve(r, "backend.test"));
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
    }

    @Test
    void importedPemCertificateForOneNameForgedForOthers() throws Exception {
        Path pem = tmp.resolve("chain-and-key.pem");
        Files.write(pem, concat(Files.readAllBytes(nginx.pki().serverCert()), Files.readAllBytes(nginx.pki().serverKey())));
        Running r = reverseToNginx("--server-cert", "backend.test:" + pem);
        assertThat(Curl.https(url(r, "backend.test", "/index.html"), nginx.pki().caCert(),
                "--resolve", resolve(r, "backend.test")).status()).isEqualTo(200);
        // another name is not covered by the import: the forged certificate (our CA) is shown
        assertThat(Curl.https(url(r, "localhost", "/index.html"), ourCa()).status()).isEqualTo(200);
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    static X509Certificate firstCertificate(String text) throws Exception {
        int begin = text.indexOf("-----BEGIN CERTIFICATE-----");
        int end = text.indexOf("-----END CERTIFICATE-----", begin);
        assertThat(begin).as("a certificate in:\n" + text).isNotNegative();
        String pem = text.substring(begin, end + "-----END CERTIFICATE-----".length());
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    }

    static SSLContext trusting(Path caPem) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        try (var in = Files.newInputStream(caPem)) {
            ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        return ctx;
    }
}

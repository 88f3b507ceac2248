package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.OpensslServer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** --terminate (TLS in, plaintext out) and originate (plaintext in, TLS out), against nginx. */
class TerminateAndOriginateTest extends E2eSupport {

    @Test
    void terminateForwardsDecryptedBytesInPlaintext() throws Exception {
        Running r = plainsight("reverse", "--terminate", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.plainPort());
        Curl.Response resp = Curl.https(url(r, "app.test", "/1m.bin"), ourCa(), "--resolve", resolve(r, "app.test"), "--http2");
        assertThat(resp.status()).isEqualTo(200);
        // --terminate offers http/1.1 by default: a plaintext backend may not speak h2
        assertThat(resp.httpVersion()).isEqualTo("1.1");
        assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));
        // nginx saw plain HTTP on its plain port
        assertThat(nginx.accessLogText()).contains("/1m.bin");
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.request", "http.request.method", "http.request.uri", "http.host"))
                .containsExactly("GET\t/1m.bin\tapp.test:" + r.port());
        String line = awaitConsoleLine(r, l -> l.contains(" terminate "));
        assertThat(line).contains("sni=app.test").contains("client=TLSv1.3").doesNotContain("upstream=");
    }

    @Test
    void clientWithoutSniGetsACertificateForTheSniDefault() throws Exception {
        Running r = plainsight("reverse", "--terminate", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.plainPort(),
                "--sni-default", "fallback.test");
        ExternalProcess.Result s = ExternalProcess.exec(Duration.ofSeconds(20), "openssl", "s_client", "-connect",
                "127.0.0.1:" + r.port(), "-noservername", "-CAfile", ourCa().toString(), "-verify_hostname", "fallback.test",
                "-verify_return_error");
        assertThat(s.stdout()).contains("subject=CN = fallback.test").contains("Verify return code: 0 (ok)");
    }

    @Test
    void originateCarriesPlaintextClientsToTlsBackend() throws Exception {
        Running r = plainsight("originate", "--listen", "127.0.0.1:0", "--connect", "localhost:" + nginx.tlsPort(),
                "--upstream-ca", nginx.pki().caCert().toString());
        Curl.Response resp = Curl.http("http://127.0.0.1:" + r.port() + "/1m.bin");
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));
        Path pcap = flushedCapture(r);
        assertThat(tshark.fieldLines(pcap, "http.response", "http.response.code", "http.content_length"))
                .containsExactly("200\t1048576");
        String line = awaitConsoleLine(r, l -> l.contains(" originate "));
        assertThat(line).contains("upstream=TLSv1.").contains("sni=localhost").doesNotContain("client=TLS");
    }

    @Test
    void bodyDelimitedByCloseReachesTlsClientsWhole() throws Exception {
        // openssl s_server -www answers HTTP/1.0 without Content-Length and closes: the client must
        // get the whole body and a clean TLS close (close_notify), not a truncation
        try (OpensslServer server = OpensslServer.start(nginx.pki(), "-www")) {
            Running r = reverseTo(server);
            // openssl reports "unexpected eof while reading" when the end is a bare FIN
            ExternalProcess.Result client = sClient(r, "printf 'GET / HTTP/1.0\\r\\n\\r\\n'", "-ign_eof");
            assertThat(client.stdout()).startsWith("HTTP/1.0 200 ok").contains("</pre></BODY></HTML>");
            assertThat(client.stderr()).doesNotContain("unexpected eof");
        }
    }

    @Test
    void originateWithAlpnH2SpeaksPriorKnowledgeH2() throws Exception {
        Running r = plainsight("originate", "--listen", "127.0.0.1:0", "--connect", "localhost:" + nginx.tlsPort(),
                "--upstream-ca", nginx.pki().caCert().toString(), "--alpn", "h2");
        Curl.Response resp = Curl.http("http://127.0.0.1:" + r.port() + "/index.html", "--http2-prior-knowledge");
        assertThat(resp.status()).isEqualTo(200);
        assertThat(resp.httpVersion()).isEqualTo("2");
        assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
        Path pcap = flushedCapture(r);
        assertThat(tshark.count(pcap, "http2.headers.path == \"/index.html\"")).isEqualTo(1);
    }

    @Test
    void nonHttpTlsProtocolIsRelayedAndCapturedOnItsRealPort() throws Exception {
        // openssl s_server -rev: a TLS line service (not HTTP) that answers each line reversed
        try (OpensslServer server = OpensslServer.start(nginx.pki(), "-rev")) {
            int port = server.port();
            Running r = reverseTo(server);
            ExternalProcess.Result client = sClient(r, "(printf 'hello imap\\n'; sleep 1)", "-no_ign_eof");
            assertThat(client.stdout()).contains("pami olleh");
            Path pcap = flushedCapture(r);
            assertThat(tshark.fields(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.dstport").trim())
                    .isEqualTo(String.valueOf(port));
            assertThat(new String(tshark.followTcpRaw(pcap, 0, true))).isEqualTo("hello imap\n");
            assertThat(new String(tshark.followTcpRaw(pcap, 0, false))).contains("pami olleh");
        }
    }

    Running reverseTo(OpensslServer server) throws InterruptedException {
        return plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + server.port(),
                "--upstream-ca", nginx.pki().caCert().toString());
    }

    /** openssl s_client through {@code r} (SNI backend.test, only our CA trusted), fed by a shell command. */
    ExternalProcess.Result sClient(Running r, String input, String eofMode) {
        return ExternalProcess.exec(Duration.ofSeconds(20), "bash", "-c", input + " | openssl s_client -connect 127.0.0.1:"
                + r.port() + " -servername backend.test -CAfile " + ourCa() + " -verify_return_error -quiet " + eofMode);
    }
}

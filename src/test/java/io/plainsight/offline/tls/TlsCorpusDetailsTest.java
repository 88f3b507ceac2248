package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** What the corpus cases exercise, beyond the plaintext: handshakes reported, resumption, notes, timestamps. */
class TlsCorpusDetailsTest {
    static Map<Integer, Recorder> run(String name) throws IOException {
        Arguments a = TlsCorpusTest.cases().filter(c -> c.get()[0].equals(name)).findFirst().orElseThrow();
        return TlsCorpusTest.run(Segments.load((String) a.get()[1]), StreamsTsv.load(name), (TlsCorpusTest.KeySetup) a.get()[2]);
    }

    static Stream<String> names() {
        return TlsCorpusTest.cases().map(a -> (String) a.get()[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("names")
    void noNotesExceptSkippedEarlyData(String name) throws IOException {
        for (Recorder r : run(name).values()) {
            if (name.equals("tls13-rfc8446-noearly") && !r.notes.isEmpty()) {
                assertThat(r.notes).containsExactly("2 0-RTT early data record(s) client->server skipped: the key log has no "
                        + "CLIENT_EARLY_TRAFFIC_SECRET for client_random "
                        + "b67947da9d3e4b2ce8acffa975e30aa7ef90f7ec0d39de78db392f38b9a9a41d");
            } else {
                assertThat(r.notes).as(name).isEmpty();
            }
        }
    }

    @Test
    void sslV2HelloRenegotiationAndResumptionBySessionIdAcrossConnections() throws IOException {
        Map<Integer, Recorder> r = run("rsasnakeoil2");
        assertThat(r.get(0).handshakes).extracting(TlsHandshakeInfo::version, TlsHandshakeInfo::cipherSuite,
                TlsHandshakeInfo::renegotiation, TlsHandshakeInfo::resumption).containsExactly(
                        org.assertj.core.groups.Tuple.tuple("SSL 3.0", "TLS_RSA_WITH_AES_256_CBC_SHA", false, null),
                        org.assertj.core.groups.Tuple.tuple("SSL 3.0", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", true, null));
        // the SSLv2 challenge, left-padded with zeros to 32 bytes
        assertThat(r.get(0).handshakes.get(0).clientRandom())
                .isEqualTo("00000000000000000000000000000000a8b893bb90e92aa24d6dcc1ce72a8021");
        assertThat(r.get(1).handshakes).singleElement().satisfies(h -> {
            assertThat(h.resumption()).isEqualTo("session ID");
            assertThat(h.cipherSuite()).isEqualTo("TLS_RSA_WITH_3DES_EDE_CBC_SHA");
        });
    }

    @Test
    void renegotiationsResumingByTicket() throws IOException {
        Recorder r = run("tls-renegotiation").get(0);
        assertThat(r.handshakes).extracting(TlsHandshakeInfo::resumption)
                .containsExactly(null, null, null, "session ticket", "session ticket");
        assertThat(r.handshakes).extracting(TlsHandshakeInfo::renegotiation).containsExactly(false, true, true, true, true);
        // keys change inside the request and inside the response: 3 records each way
        assertThat(r.c2s.text()).startsWith("GET /generate-tls-renegotiation.py.py HTTP/1.1\r\n");
        assertThat(r.s2c.text()).startsWith("HTTP/1.1 200 OK\r\n").contains("Content-Length: 2151");
    }

    @Test
    void abbreviatedHandshakeOpenedByTheKeyLogOnly() throws IOException {
        Recorder r = run("dhe1").get(0);
        assertThat(r.handshakes).singleElement().extracting(TlsHandshakeInfo::resumption).isEqualTo("session ID");
        assertThat(r.c2s.text()).isEqualTo("GET /test HTTP/1.0\n");
    }

    @Test
    void tls13ResumptionWithEarlyData() throws IOException {
        Map<Integer, Recorder> r = run("tls13-rfc8446");
        assertThat(r.get(0).handshakes.get(0).resumption()).isNull();
        assertThat(r.get(1).handshakes.get(0).resumption()).isEqualTo("PSK");
        Recorder.Direction c2s = r.get(1).c2s;
        assertThat(c2s.text()).startsWith("GET /early HTTP/1.1\r\n").contains("GET /second HTTP/1.1\r\n");
        // the 0-RTT record waited for the ServerHello (frame 9) but keeps the time of its own frame 8
        assertThat(c2s.timestamps.get(0)).isEqualTo(1534444142800617L);
        assertThat(r.get(1).s2c.text()).contains("Early data: yes");
    }

    @Test
    void earlyDataSkippedWithoutTheEarlySecret() throws IOException {
        Recorder r = run("tls13-rfc8446-noearly").get(1);
        assertThat(r.c2s.text()).startsWith("GET /second HTTP/1.1\r\n").doesNotContain("/early");
        assertThat(r.s2c.text()).contains("Request for /early").contains("Request for /second");
    }

    @Test
    void sniAndAlpn() throws IOException {
        assertThat(run("tls12-dsb").values()).extracting(rec -> rec.handshakes.get(0).sni() + " " + rec.handshakes.get(0).alpn())
                .containsExactly("example.com http/1.1", "example.net http/1.1");
        assertThat(run("http2-data-reassembly").get(0).handshakes.get(0).alpn()).isEqualTo("h2");
        TlsHandshakeInfo tls13 = run("challenge01_ooo_stream").get(0).handshakes.get(0);
        assertThat(tls13.sni()).isEqualTo("25th.syn-bit.nl");
        assertThat(tls13.alpn()).isEqualTo("http/1.1"); // from the (encrypted) EncryptedExtensions
        assertThat(tls13.resumption()).isEqualTo("PSK");
    }

    @Test
    void draft20() throws IOException {
        TlsHandshakeInfo h = run("tls13-20-chacha20poly1305").get(0).handshakes.get(0);
        assertThat(h.version()).isEqualTo("TLS 1.3 (draft 20)");
        assertThat(h.versionCode()).isEqualTo(0x7f14);
    }
}

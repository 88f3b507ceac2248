package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The fresh captures (curl and openssl s_client against openssl s_server, see fresh/README.md)
 * with less key material than tshark had: the RSA key alone, or the key log alone.
 */
class FreshCapturesTest {
    static TlsCorpusTest.KeySetup rsaOnly() {
        return (frame, k) -> {
            if (frame == 0) {
                k.addRsaKeyFile(TlsCorpusTest.freshKey(), null, null);
            }
        };
    }

    static TlsCorpusTest.KeySetup keyLogOnly(String name) {
        return (frame, k) -> {
            if (frame == 0) {
                TlsCorpusTest.keyLog("fresh/" + name + ".keys").before(0, k);
            }
        };
    }

    static void assertStream(StreamsTsv expected, Map<Integer, Recorder> result, int stream) {
        StreamsTsv.Row row = expected.rows().stream().filter(r -> r.stream() == stream).findFirst().orElseThrow();
        Recorder r = result.get(stream);
        assertThat(r.failures).as("stream %d: %s", stream, r.events).isEmpty();
        assertThat(r.c2s.sha256()).isEqualTo(row.c2sSha256());
        assertThat(r.s2c.sha256()).isEqualTo(row.s2cSha256());
        assertThat(r.c2s.records).isEqualTo(row.c2sRecords());
        assertThat(r.s2c.records).isEqualTo(row.s2cRecords());
    }

    @Test
    void rsaKeyAloneWithEncryptThenMacExtendedMasterSecretAndResumptionBySessionId() throws IOException {
        StreamsTsv expected = StreamsTsv.load("curl-tls12-rsa");
        Map<Integer, Recorder> r = TlsCorpusTest.run(Segments.load("curl-tls12-rsa"), expected, rsaOnly());
        assertStream(expected, r, 0);
        assertStream(expected, r, 1);
        TlsHandshakeInfo first = r.get(0).handshakes.get(0);
        assertThat(first.encryptThenMac()).isTrue();
        assertThat(first.extendedMasterSecret()).isTrue();
        assertThat(r.get(1).handshakes.get(0).resumption()).isEqualTo("session ID");
    }

    @Test
    void keyLogAloneForTheSameConnections() throws IOException {
        StreamsTsv expected = StreamsTsv.load("curl-tls12-rsa");
        Map<Integer, Recorder> r = TlsCorpusTest.run(Segments.load("curl-tls12-rsa"), expected, keyLogOnly("curl-tls12-rsa"));
        assertStream(expected, r, 0);
        assertStream(expected, r, 1);
    }

    @Test
    void rsaKeyAloneOnManySuites() throws IOException {
        StreamsTsv expected = StreamsTsv.load("sclient-suites");
        Map<Integer, Recorder> r = TlsCorpusTest.run(Segments.load("sclient-suites"), expected, rsaOnly());
        // RSA key exchange: AES256-SHA256, its resumption by ticket, TLS 1.0 AES128-SHA with and without encrypt-then-MAC
        for (int s : new int[] {0, 1, 6, 7}) {
            assertStream(expected, r, s);
        }
        assertThat(r.get(1).handshakes.get(0).resumption()).isEqualTo("session ticket");
        assertThat(r.get(6).handshakes.get(0).version()).isEqualTo("TLS 1.0");
        assertThat(r.get(6).handshakes.get(0).encryptThenMac()).isTrue();
        assertThat(r.get(7).handshakes.get(0).encryptThenMac()).isFalse();
        assertThat(r.get(5).failures).singleElement().asString() // TLS 1.1
                .startsWith("forward-secret key exchange (ECDHE_RSA) and only an RSA key given");
        assertThat(r.get(2).failures).singleElement().asString()
                .startsWith("forward-secret key exchange (ECDHE_RSA) and only an RSA key given: it needs a key log entry for "
                        + "client_random ");
        assertThat(r.get(3).failures).singleElement().asString().startsWith("no key for client_random ")
                .endsWith(" (ECDHE_ECDSA key exchange; no key log was given)");
        for (int s : new int[] {8, 9}) {
            assertThat(r.get(s).failures).singleElement().asString()
                    .startsWith("forward-secret key exchange (TLS 1.3) and only an RSA key given: it needs the key log's "
                            + "traffic secrets for client_random ");
        }
    }

    @Test
    void suitesAndKeyUpdate() throws IOException {
        StreamsTsv expected = StreamsTsv.load("sclient-suites");
        Map<Integer, Recorder> r = TlsCorpusTest.run(Segments.load("sclient-suites"), expected, keyLogOnly("sclient-suites"));
        for (int s = 0; s <= 9; s++) {
            assertStream(expected, r, s);
        }
        assertThat(r.values()).extracting(rec -> rec.handshakes.get(0).cipherSuite()).containsExactly(
                "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
                "TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
                "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA", "TLS_AES_128_CCM_8_SHA256",
                "TLS_AES_256_GCM_SHA384");
        assertThat(r.get(5).handshakes.get(0).version()).isEqualTo("TLS 1.1");
        // stream 9: the client sent a KeyUpdate before its request, so the request needs the updated key
        assertThat(r.get(9).c2s.text()).isEqualTo("GET / HTTP/1.0\r\n\r\n");
    }

    @Test
    void helloRetryRequestAndPskResumption() throws IOException {
        StreamsTsv expected = StreamsTsv.load("curl-tls13");
        Map<Integer, Recorder> r = TlsCorpusTest.run(Segments.load("curl-tls13"), expected, keyLogOnly("curl-tls13"));
        assertStream(expected, r, 0);
        assertStream(expected, r, 1);
        assertThat(r.get(0).handshakes).singleElement().extracting(TlsHandshakeInfo::resumption).isNull();
        assertThat(r.get(1).handshakes).singleElement().extracting(TlsHandshakeInfo::resumption).isEqualTo("PSK");
        assertThat(Set.copyOf(r.get(0).notes)).isEmpty();
    }

    @Test
    void clientBytesCapturedBeforeTheServerHello() throws IOException {
        // the whole client side first (as a capture that misorders directions might give it), then the
        // server side: the client's records wait for the server's flight, the extended master secret's
        // transcript keeps the protocol order, and the certificate is there when the RSA key is chosen
        StreamsTsv expected = StreamsTsv.load("curl-tls12-rsa");
        java.util.List<Segments.Chunk> chunks = Streams.stream("curl-tls12-rsa", 0);
        java.util.List<Segments.Chunk> reordered = new java.util.ArrayList<>(chunks.subList(0, 1));
        chunks.stream().skip(1).filter(Segments.Chunk::fromClient).forEach(reordered::add);
        chunks.stream().skip(1).filter(c -> !c.fromClient()).forEach(reordered::add);
        assertThat(reordered.get(1).fromClient()).isTrue();
        Recorder r = Streams.feed(reordered, Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.freshKey(), null, null)), null);
        assertStream(expected, java.util.Map.of(0, r), 0);
        assertThat(r.handshakes.get(0).extendedMasterSecret()).isTrue();
    }
}

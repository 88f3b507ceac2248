package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Wireshark TLS decryption corpus (see src/test/resources/offline/tls/README.md): every case
 * must give, per TCP stream and direction, the record count, byte count and SHA-256 of the
 * concatenated plaintext that tshark 4.0.17 gives with the same keys, and name the same version
 * and cipher suite(s). The TCP streams come from tshark's reassembly; they are fed in capture
 * order, interleaved across streams and directions, as the offline pipeline will.
 */
class TlsCorpusTest {
    /** How a case gets its keys: before the first chunk, or (a DSB in the middle of a pcapng) before a frame. */
    interface KeySetup {
        void before(int frame, DecryptionKeys keys) throws IOException;
    }

    static Arguments c(String name, String fixture, KeySetup setup) {
        return Arguments.of(name, fixture, setup);
    }

    static KeySetup atStart(KeySetup s) {
        return (frame, keys) -> {
            if (frame == 0) {
                s.before(0, keys);
            }
        };
    }

    static Stream<Arguments> cases() {
        return Stream.of(
                c("rsasnakeoil2", "rsasnakeoil2", atStart((f, k) -> k.addRsaKeyFile(key("rsasnakeoil2.key"), null,
                        new InetSocketAddress("127.0.0.1", 443)))),
                c("rsa-p-lt-q", "rsa-p-lt-q", atStart((f, k) -> k.addRsaKeyFile(key("rsa-p-lt-q.key"), null,
                        new InetSocketAddress("0.0.0.0", 443)))),
                c("rsa-p-lt-q_pkcs8", "rsa-p-lt-q", atStart((f, k) -> k.addRsaKeyFile(key("rsa-p-lt-q.p8"), null, null))),
                c("dmgr", "dmgr", atStart((f, k) -> k.addRsaKeyFile(key("key.p12"), "WebAS".toCharArray(),
                        new InetSocketAddress("127.0.0.1", 9131)))),
                c("tls-renegotiation", "tls-renegotiation", atStart((f, k) -> k.addRsaKeyFile(key("rsasnakeoil2.key"), null,
                        new InetSocketAddress("0.0.0.0", 4433)))),
                c("dhe1", "dhe1", atStart(keyLog("keys/dhe1_keylog.dat"))),
                c("tls12-chacha20poly1305", "tls12-chacha20poly1305", atStart(keyLog("keys/tls12-chacha20poly1305.keys"))),
                c("tls13-rfc8446", "tls13-rfc8446", atStart(keyLog("keys/tls13-rfc8446.keys"))),
                c("tls13-rfc8446-noearly", "tls13-rfc8446", atStart(keyLog("keys/tls13-rfc8446-noearly.keys"))),
                c("tls13-20-chacha20poly1305", "tls13-20-chacha20poly1305",
                        atStart(keyLog("keys/tls13-20-chacha20poly1305.keys"))),
                c("tls12-dsb", "tls12-dsb", (frame, k) -> {
                    if (frame == 0) { // DSB 1 comes before packet 1, DSB 2 between packets 9 and 10
                        keyLog("keys/tls12-dsb-1.keys").before(0, k);
                    } else if (frame == 10) {
                        keyLog("keys/tls12-dsb-2.keys").before(0, k);
                    }
                }),
                c("http2-data-reassembly", "http2-data-reassembly", atStart(keyLog("keys/http2-data-reassembly.keys"))),
                c("http2-brotli", "http2-brotli", atStart(keyLog("expected/http2-brotli.dsb-extracted.keys"))),
                c("http2_follow_multistream", "http2_follow_multistream",
                        atStart(keyLog("expected/http2_follow_multistream.dsb-extracted.keys"))),
                c("challenge01_ooo_stream", "challenge01_ooo_stream",
                        atStart(keyLog("expected/challenge01_ooo_stream.dsb-extracted.keys"))),
                c("tls12-aes128ccm", "tls12-aes128ccm", atStart((f, k) -> k.addPsk(HexFormat.of().parseHex(PSK)))),
                c("tls12-aes256gcm", "tls12-aes256gcm", atStart((f, k) -> k.addPsk(HexFormat.of().parseHex(PSK)))),
                // fresh captures (fresh/README.md): tshark had the server's RSA key and the client's key log
                fresh("curl-tls12-rsa"), fresh("curl-tls12-ecdhe"), fresh("curl-tls13"), fresh("sclient-suites"));
    }

    static Arguments fresh(String name) {
        return c(name, name, atStart((f, k) -> {
            k.addRsaKeyFile(freshKey(), null, null);
            keyLog("fresh/" + name + ".keys").before(0, k);
        }));
    }

    static Path freshKey() {
        try {
            return Path.of(TlsCorpusTest.class.getResource("/offline/tls/fresh/server-rsa.key").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static final String PSK = "ca19e028a8a372ad2d325f950fcaceed";

    static Path key(String name) {
        try {
            return Path.of(TlsCorpusTest.class.getResource("/offline/tls/keys/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static KeySetup keyLog(String resource) {
        return (frame, keys) -> {
            try (Reader r = new InputStreamReader(TlsCorpusTest.class.getResourceAsStream("/offline/tls/" + resource),
                    StandardCharsets.UTF_8)) {
                assertThat(keys.addKeyLog(resource, r)).as("key log warnings").isEmpty();
            }
        };
    }

    /** Turns one chunk of a fixture into the ByteBufs given to {@link TlsStreamDecryptor#data}. */
    interface Splitter {
        List<ByteBuf> split(byte[] chunk);
    }

    static final Splitter WHOLE = b -> List.of(Unpooled.wrappedBuffer(b));

    /** Runs a fixture through one decryptor per TCP stream, in capture order. */
    static Map<Integer, Recorder> run(Segments segments, StreamsTsv expected, KeySetup setup) throws IOException {
        return run(segments, expected, setup, WHOLE);
    }

    /** As {@link #run(Segments, StreamsTsv, KeySetup)}, each chunk given in the pieces {@code splitter} makes. */
    static Map<Integer, Recorder> run(Segments segments, StreamsTsv expected, KeySetup setup, Splitter splitter)
            throws IOException {
        return run(segments, expected, setup, splitter, false);
    }

    /** @param keeps whether the recorders take the plaintext over ({@link TlsListener#keepsPlaintext}) */
    static Map<Integer, Recorder> run(Segments segments, StreamsTsv expected, KeySetup setup, Splitter splitter,
            boolean keeps) throws IOException {
        DecryptionKeys keys = new DecryptionKeys();
        setup.before(0, keys);
        Map<Integer, TlsStreamDecryptor> decryptors = new TreeMap<>();
        Map<Integer, Recorder> recorders = new TreeMap<>();
        int lastFrame = 0;
        for (Segments.Chunk c : segments.chunks()) {
            for (int f = lastFrame + 1; f <= c.frame(); f++) {
                if (f > 0) {
                    setup.before(f, keys);
                }
            }
            lastFrame = Math.max(lastFrame, c.frame());
            TlsStreamDecryptor d = decryptors.computeIfAbsent(c.stream(), s -> {
                Recorder r = new Recorder(keeps);
                recorders.put(s, r);
                return new TlsStreamDecryptor(s, keys, r, serverOf(expected, s));
            });
            for (ByteBuf piece : splitter.split(c.bytes())) {
                d.data(c.fromClient(), c.timestampMicros(), piece);
            }
        }
        decryptors.values().forEach(d -> d.end(0));
        recorders.values().forEach(Recorder::readKept);
        return recorders;
    }

    static InetSocketAddress serverOf(StreamsTsv expected, int stream) {
        for (StreamsTsv.Row r : expected.rows()) {
            if (r.stream() == stream) {
                int colon = r.server().lastIndexOf(':');
                return new InetSocketAddress(r.server().substring(0, colon), Integer.parseInt(r.server().substring(colon + 1)));
            }
        }
        return null;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void reproducesTsharkPlaintext(String name, String fixture, KeySetup setup) throws IOException {
        StreamsTsv expected = StreamsTsv.load(name);
        assertMatches(name, expected, run(Segments.load(fixture), expected, setup));
    }

    /** Plaintext handed over in arrays of its own is the same, read after the whole capture was decrypted. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void handedOverPlaintextReproducesTsharkPlaintext(String name, String fixture, KeySetup setup) throws IOException {
        StreamsTsv expected = StreamsTsv.load(name);
        assertMatches(name, expected, run(Segments.load(fixture), expected, setup, WHOLE, true));
    }

    /** Every stream of {@code expected} decrypted to tshark's plaintext, and no other stream gave any. */
    static void assertMatches(String name, StreamsTsv expected, Map<Integer, Recorder> result) {
        assertThat(expected.rows()).isNotEmpty();
        for (StreamsTsv.Row row : expected.rows()) {
            Recorder r = result.get(row.stream());
            assertThat(r).as("stream %d", row.stream()).isNotNull();
            String context = name + " stream " + row.stream() + ": " + r.events;
            assertThat(r.failures).as(context).isEmpty();
            assertThat(r.handshakes).as(context).isNotEmpty();
            assertThat(r.handshakes.get(0).version()).as(context).isEqualTo(StreamsTsv.withoutCodes(row.version()));
            assertThat(r.cipherSuites()).as(context).isEqualTo(StreamsTsv.withoutCodes(row.cipherSuites()));
            assertThat(r.c2s.records).as(context).isEqualTo(row.c2sRecords());
            assertThat(r.c2s.bytes.size()).as(context).isEqualTo(row.c2sBytes());
            assertThat(r.c2s.sha256()).as(context).isEqualTo(row.c2sSha256());
            assertThat(r.s2c.records).as(context).isEqualTo(row.s2cRecords());
            assertThat(r.s2c.bytes.size()).as(context).isEqualTo(row.s2cBytes());
            assertThat(r.s2c.sha256()).as(context).isEqualTo(row.s2cSha256());
        }
        // streams tshark did not list carry no TLS handshake: they must not produce plaintext
        for (Map.Entry<Integer, Recorder> e : result.entrySet()) {
            if (expected.rows().stream().noneMatch(row -> row.stream() == e.getKey())) {
                assertThat(e.getValue().c2s.records + e.getValue().s2c.records).as("stream %d", e.getKey()).isZero();
            }
        }
    }
}

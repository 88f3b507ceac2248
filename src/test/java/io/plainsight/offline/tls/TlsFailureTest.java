package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Connections that cannot be (fully) decrypted: each is reported once, with the precise reason. */
class TlsFailureTest {
    static final InetSocketAddress DMGR = new InetSocketAddress("127.0.0.1", 9131);

    static DecryptionKeys dmgrKey() {
        return Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("key.p12"), "WebAS".toCharArray(), null));
    }

    @Test
    void noKeyForTheClientRandom() throws IOException {
        Recorder r = Streams.feed(Streams.stream("http2-data-reassembly", 0), new DecryptionKeys(), null);
        assertThat(r.failures).containsExactly("no key for client_random "
                + "59b4b71f50e71bff50f88388679c0156714d158bf10edd29f1d45fb4fffb3010 (ECDHE_ECDSA key exchange; no key log was given)");
        assertThat(r.handshakes).singleElement().extracting(TlsHandshakeInfo::cipherSuite)
                .isEqualTo("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
        assertThat(r.c2s.records + r.s2c.records).isZero();
    }

    @Test
    void noKeyNamesTheKeyLogThatWasGiven() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> Streams.keyLog(k, "keys/dhe1_keylog.dat"));
        Recorder r = Streams.feed(Streams.stream("http2-data-reassembly", 0), keys, null);
        assertThat(r.failures).containsExactly("no key for client_random "
                + "59b4b71f50e71bff50f88388679c0156714d158bf10edd29f1d45fb4fffb3010 (ECDHE_ECDSA key exchange; the key log "
                + "has 1 entry from keys/dhe1_keylog.dat)");
    }

    @Test
    void forwardSecretKeyExchangeWithOnlyAnRsaKey() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("rsasnakeoil2.key"), null, null));
        Recorder r = Streams.feed(Streams.stream("tls12-dsb", 0), keys, null);
        assertThat(r.failures).containsExactly("forward-secret key exchange (ECDHE_RSA) and only an RSA key given: it needs "
                + "a key log entry for client_random f67a28b386b31c620d76c0026fdd9888edbe6bf0f5b715b2caca158f84ae9d66 "
                + "(no key log was given)");
    }

    @Test
    void wrongRsaKey() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("rsasnakeoil2.key"), null, null));
        Recorder r = Streams.feed(Streams.stream("rsa-p-lt-q", 0), keys, null);
        assertThat(r.failures).singleElement().asString()
                .startsWith("wrong RSA key: the server certificate (")
                .contains(", RSA 1024 bits, modulus ")
                .endsWith(") matches none of the 1 RSA keys given (" + TlsCorpusTest.key("rsasnakeoil2.key")
                        + "), and there is no key for client_random "
                        + "314a7114bbb0f1800f987e83e09019758225b0dc8ae087fefc5e0a92998af0eb (no key log was given)");
    }

    @Test
    void noRsaKeyAtAll() throws IOException {
        Recorder r = Streams.feed(Streams.stream("rsa-p-lt-q", 0), new DecryptionKeys(), null);
        assertThat(r.failures).containsExactly("no key for client_random "
                + "314a7114bbb0f1800f987e83e09019758225b0dc8ae087fefc5e0a92998af0eb: RSA key exchange, and no RSA private key "
                + "was loaded (none given, or it could not be read; no key log was given)");
    }

    @Test
    void noPsk() throws IOException {
        Recorder r = Streams.feed(Streams.stream("tls12-aes128ccm", 0), new DecryptionKeys(), null);
        assertThat(r.failures).containsExactly("no key for client_random "
                + "588e602c71a59a6e8f015a3e15cc7070402eb5b38aee4efe536aba4d26b1bcd9: PSK key exchange and no PSK was given "
                + "(no key log was given)");
    }

    @Test
    void severalPsksAreTriedOnTheFirstRecord() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> {
            k.addPsk(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"));
            k.addPsk(HexFormat.of().parseHex(TlsCorpusTest.PSK));
        });
        Recorder r = Streams.feed(Streams.stream("tls12-aes256gcm", 0), keys, null);
        assertThat(r.failures).isEmpty();
        assertThat(r.s2c.records).isEqualTo(1);
        assertThat(r.s2c.bytes.size()).isEqualTo(827);

        DecryptionKeys wrong = Streams.keys(k -> {
            k.addPsk(HexFormat.of().parseHex("00112233445566778899aabbccddeeff"));
            k.addPsk(HexFormat.of().parseHex("ffeeddccbbaa99887766554433221100"));
        });
        Recorder w = Streams.feed(Streams.stream("tls12-aes256gcm", 0), wrong, null);
        assertThat(w.failures).containsExactly("none of the 2 candidate keys (PSK #1, PSK #2) decrypts the first encrypted "
                + "record of client_random 588e60d1d96bad5f1fcf0b8818466257d73385bdaaed0ac4bfd7228a6da059ad");
    }

    @Test
    void macFailureAtRecordNStopsThatDirectionOnly() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("dmgr", 0);
        byte[] s2c = Streams.direction(chunks, false);
        List<Integer> starts = Streams.recordStarts(s2c);
        assertThat(starts.get(starts.size() - 1) + 5 + ((s2c[starts.get(starts.size() - 1) + 3] & 0xff) << 8
                | (s2c[starts.get(starts.size() - 1) + 4] & 0xff))).isEqualTo(s2c.length);
        int victim = starts.size() - 3; // 0-based index of a record near the end
        int at = starts.get(victim);
        int firstProtected = 0;
        while (s2c[starts.get(firstProtected)] != 20) { // the record after the ChangeCipherSpec
            firstProtected++;
        }
        firstProtected++;
        Recorder r = Streams.feed(Streams.flip(chunks, false, at + 20), dmgrKey(), DMGR);
        assertThat(r.failures).containsExactly("MAC failure at server->client record " + (victim + 1) + " (byte " + at
                + ") (AES_128_CBC HmacSHA1, record " + (victim - firstProtected + 1) + " under keys from RSA key "
                + TlsCorpusTest.key("key.p12") + "): wrong key for client_random "
                + "73646aa7c4a448f0be31b2fe5e10e7406616ab1ce8ee1e638bcbb0c0f4bfcbe0, or corrupted data");
        assertThat(r.c2s.records).isEqualTo(12); // the other direction is complete
        assertThat(r.s2c.records).isLessThan(14).isGreaterThan(0);
    }

    @Test
    void gapStopsThatDirectionWithItsOffset() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("dmgr", 0);
        int[] s2cChunks = {0};
        long[] before = {0};
        long[] skipped = {0};
        Recorder r = Streams.feed(chunks, dmgrKey(), DMGR, (i, c, d) -> {
            if (c.fromClient()) {
                return true;
            }
            if (++s2cChunks[0] == 8) {
                d.gap(false, c.bytes().length, 3_000_000_000L + before[0]);
                skipped[0] = c.bytes().length;
                return false;
            }
            if (s2cChunks[0] < 8) {
                before[0] += c.bytes().length;
            }
            return true;
        });
        assertThat(r.failures).singleElement().asString()
                .startsWith("gap in the server->client TCP stream at sequence number " + (3_000_000_000L + before[0])
                        + ", after byte " + before[0] + " (relative sequence number " + (before[0] + 1) + "): " + skipped[0]
                        + " bytes missing");
        assertThat(r.c2s.records).isEqualTo(12);
        assertThat(r.s2c.records).isLessThan(14);
    }

    @Test
    void notTls() {
        Recorder r = new Recorder();
        TlsStreamDecryptor d = new TlsStreamDecryptor(7, new DecryptionKeys(), r);
        d.data(true, 1, Unpooled.copiedBuffer("GET / HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));
        d.data(false, 2, Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\n\r\n", StandardCharsets.US_ASCII));
        d.end(3);
        assertThat(r.failures).containsExactly(
                "not TLS: the client->server stream starts with 47 45 54 20 2f 20 48 54 (\"GET / HT\")");
        assertThat(r.notes).containsExactly(
                "not TLS: the server->client stream starts with 48 54 54 50 2f 31 2e 31 (\"HTTP/1.1\")");
    }

    @Test
    void garbageAfterTheHandshake() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("dmgr", 0);
        byte[] s2c = Streams.direction(chunks, false);
        int third = Streams.recordStarts(s2c).get(2);
        Recorder r = Streams.feed(Streams.flip(chunks, false, third + 1), dmgrKey(), DMGR); // version 0x03 -> 0x02
        assertThat(r.failures).singleElement().asString()
                .startsWith("not a TLS record header at server->client byte " + third + " (after record 2): ");
    }

    @Test
    void resumedSessionNotSeenBefore() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("rsasnakeoil2.key"), null, null));
        Recorder r = Streams.feed(Streams.stream("rsasnakeoil2", 1), keys, null);
        assertThat(r.failures).containsExactly("abbreviated handshake resuming a session (session ID "
                + "a3caad46955d64bb33ecb5129121a350d2c0c5f667c3cc9ec04a711b92dc5855) not seen earlier in the capture, and no "
                + "key for client_random 0034011e673afaced951bae4fc64950382630fe3396bc7bd2be5513723485bfb (no key log was given)");
        assertThat(r.handshakes).singleElement().extracting(TlsHandshakeInfo::resumption).isEqualTo("session ID");
    }

    @Test
    void tls13WithoutKeys() throws IOException {
        Recorder r = Streams.feed(Streams.stream("tls13-rfc8446", 0), new DecryptionKeys(), null);
        assertThat(r.failures).containsExactly("no key for client_random "
                + "2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df (TLS 1.3 needs the key log's traffic "
                + "secrets; no key log was given)");
        assertThat(r.handshakes).singleElement().extracting(TlsHandshakeInfo::version).isEqualTo("TLS 1.3");
    }

    @Test
    void tls13WithOnlyTheClientSecrets() throws IOException {
        DecryptionKeys keys = new DecryptionKeys();
        keys.addKeyLog("client-only", new java.io.StringReader(String.join("\n",
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET 2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df "
                        + "8f8ae5ea8b7a4ea1c4e5b5b9f43ab5e5e0d6d0fd0d6da6bf0f9e1b7e1a5f3c2d",
                "")));
        // a wrong client secret and no server secrets: the server side is reported missing first, then the client fails
        Recorder r = Streams.feed(Streams.stream("tls13-rfc8446", 0), keys, null);
        assertThat(r.failures).containsExactly("the key log has no SERVER_HANDSHAKE_TRAFFIC_SECRET for client_random "
                + "2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df (server->client cannot be decrypted)");
        assertThat(r.notes).singleElement().asString().startsWith("MAC failure at client->server record ");
    }

    @Test
    void keyLogAddedAfterTheConnectionStartedButBeforeItsFirstEncryptedRecord() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("http2-data-reassembly", 0);
        DecryptionKeys keys = new DecryptionKeys();
        Recorder r = Streams.feed(chunks, keys, null, (i, c, d) -> {
            if (i == 2) { // after the ClientHello and the server's first flight, before the client's Finished
                Streams.keyLog(keys, "keys/http2-data-reassembly.keys");
            }
            return true;
        });
        assertThat(r.failures).isEmpty();
        assertThat(r.s2c.bytes.size()).isEqualTo(76224);
    }

    @Test
    void keyLogAddedTooLate() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("http2-data-reassembly", 0);
        DecryptionKeys keys = new DecryptionKeys();
        Recorder r = Streams.feed(chunks, keys, null, (i, c, d) -> {
            if (i == chunks.size() - 2) {
                Streams.keyLog(keys, "keys/http2-data-reassembly.keys");
            }
            return true;
        });
        assertThat(r.failures).singleElement().asString().startsWith("no key for client_random 59b4b71f");
    }

    @Test
    void connectionEndingInsideARecord() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("dmgr", 0);
        List<Segments.Chunk> cut = new java.util.ArrayList<>(chunks.subList(0, chunks.size() - 1));
        Segments.Chunk last = chunks.get(chunks.size() - 1);
        cut.add(new Segments.Chunk(last.frame(), last.timestampMicros(), last.stream(), last.fromClient(),
                java.util.Arrays.copyOf(last.bytes(), last.bytes().length - 10)));
        Recorder r = Streams.feed(cut, dmgrKey(), DMGR);
        assertThat(r.failures).isEmpty();
        assertThat(r.notes).singleElement().asString().startsWith("the connection ended inside a "
                + (last.fromClient() ? "client->server" : "server->client") + " record: ");
    }

    /** rsa-p-lt-q with the server certificate's DER made unreadable: RSA keys are then tried by address. */
    static List<Segments.Chunk> withoutCertificate() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("rsa-p-lt-q", 0);
        byte[] s2c = Streams.direction(chunks, false);
        int p = 5; // first record: the ServerHello
        assertThat(s2c[p]).isEqualTo((byte) 2);
        p += 4 + (((s2c[p + 1] & 0xff) << 16) | ((s2c[p + 2] & 0xff) << 8) | (s2c[p + 3] & 0xff));
        assertThat(s2c[p]).isEqualTo((byte) 22); // second record: the Certificate
        p += 5;
        assertThat(s2c[p]).isEqualTo((byte) 11);
        int der = p + 4 + 3 + 3;
        assertThat(s2c[der]).isEqualTo((byte) 0x30);
        return Streams.flip(chunks, false, der + 1); // SEQUENCE length form 0x82 -> 0x83
    }

    static final InetSocketAddress RSA_P_LT_Q = new InetSocketAddress("10.9.0.2", 443);

    @Test
    void withoutTheCertificateKeysForTheServerAddressAreTried() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> {
            k.addRsaKeyFile(TlsCorpusTest.key("rsasnakeoil2.key"), null, null);
            k.addRsaKeyFile(TlsCorpusTest.key("rsa-p-lt-q.key"), null, new InetSocketAddress("0.0.0.0", 443));
        });
        Recorder r = Streams.feed(withoutCertificate(), keys, RSA_P_LT_Q);
        assertThat(r.failures).isEmpty();
        assertThat(r.c2s.text()).startsWith("GET / HTTP/1.1");
    }

    @Test
    void withoutTheCertificateNoKeyForTheServerAddress() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("rsa-p-lt-q.key"), null,
                new InetSocketAddress("10.9.0.2", 444)));
        Recorder r = Streams.feed(withoutCertificate(), keys, RSA_P_LT_Q);
        assertThat(r.failures).containsExactly("no RSA key given for server /10.9.0.2:443 (the server certificate is not "
                + "in the capture), and no key for client_random "
                + "314a7114bbb0f1800f987e83e09019758225b0dc8ae087fefc5e0a92998af0eb (no key log was given)");
    }

    @Test
    void withoutTheCertificateAWrongKey() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(TlsCorpusTest.key("rsasnakeoil2.key"), null, null));
        Recorder r = Streams.feed(withoutCertificate(), keys, RSA_P_LT_Q);
        assertThat(r.failures).containsExactly("wrong RSA key: none of the 1 RSA keys tried ("
                + TlsCorpusTest.key("rsasnakeoil2.key") + ") decrypts the premaster secret of client_random "
                + "314a7114bbb0f1800f987e83e09019758225b0dc8ae087fefc5e0a92998af0eb (the server certificate is not in the capture)");
    }

    @Test
    void tlsCompressionIsReportedNotPassedOnAsPlaintext() throws IOException {
        List<Segments.Chunk> chunks = Streams.stream("dmgr", 0);
        byte[] s2c = Streams.direction(chunks, false);
        assertThat(s2c[5]).isEqualTo((byte) 2); // the ServerHello
        int compression = 5 + 4 + 2 + 32 + 1 + (s2c[5 + 4 + 2 + 32] & 0xff) + 2;
        assertThat(s2c[compression]).isZero();
        Recorder r = Streams.feed(Streams.flip(chunks, false, compression), dmgrKey(), DMGR); // null -> DEFLATE
        assertThat(r.failures).containsExactly("TLS compression (method 1, DEFLATE) is not supported: the plaintext would "
                + "still be compressed");
        assertThat(r.c2s.records + r.s2c.records).isZero();
    }
}

package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plainsight.tls.TlsSetupException;
import java.io.IOException;
import java.io.StringReader;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class DecryptionKeysTest {
    static final String CR = "2635fafc16c49a3e997ef714c303806dc8dbf634a2005b0e0186521c4ad6f9df";
    static final HexFormat HEX = HexFormat.of();

    @Test
    void keyLogLinesCommentsUpperCaseAndWarningsNamingSourceAndLine() throws IOException {
        DecryptionKeys k = new DecryptionKeys();
        String ms = "AB".repeat(48);
        List<String> warnings = k.addKeyLog("dsb #2", new StringReader(String.join("\r\n",
                "# comment",
                "",
                "CLIENT_RANDOM " + CR.toUpperCase() + " " + ms,
                "   SERVER_TRAFFIC_SECRET_0 " + CR + " " + "cd".repeat(48) + "   ",
                "FOO " + CR + " 00",
                "CLIENT_RANDOM " + CR,
                "CLIENT_RANDOM 1234 " + ms,
                "CLIENT_RANDOM " + CR + " xyz" + "0".repeat(93),
                "CLIENT_RANDOM " + CR + " " + "00".repeat(47),
                "CLIENT_HANDSHAKE_TRAFFIC_SECRET " + CR + " " + "00".repeat(40),
                "RSA 0011223344556677 " + "03".repeat(48),
                "RSA Session-ID:" + "ee".repeat(32) + " Master-Key:" + "11".repeat(48),
                "RSA 00112233 " + "03".repeat(48))));
        assertThat(warnings).containsExactly(
                "dsb #2 line 5: unknown label FOO",
                "dsb #2 line 6: expected 3 fields (LABEL CLIENT_RANDOM SECRET), found 2: CLIENT_RANDOM " + CR.substring(0, 23)
                        + "...",
                "dsb #2 line 7: the client random must be 32 bytes in hex: 1234",
                "dsb #2 line 8: the secret is not hex: xyz0000000000000000000000000000000000...",
                "dsb #2 line 9: CLIENT_RANDOM secret of 47 bytes (want 48)",
                "dsb #2 line 10: CLIENT_HANDSHAKE_TRAFFIC_SECRET secret of 40 bytes (want 32 or 48)",
                "dsb #2 line 13: malformed RSA line (want 8 bytes of encrypted premaster and a 48-byte premaster in hex)");
        assertThat(k.keyLogEntries()).isEqualTo(4);
        assertThat(k.secret(KeyLogLabel.CLIENT_RANDOM, HEX.parseHex(CR))).isEqualTo(HEX.parseHex(ms));
        assertThat(k.secret(KeyLogLabel.SERVER_TRAFFIC_SECRET_0, HEX.parseHex(CR))).hasSize(48);
        assertThat(k.secret(KeyLogLabel.CLIENT_TRAFFIC_SECRET_0, HEX.parseHex(CR))).isNull();
        byte[] encrypted = HEX.parseHex("0011223344556677" + "99".repeat(120));
        assertThat(k.premasterForEncrypted(encrypted)).isEqualTo(HEX.parseHex("03".repeat(48)));
        assertThat(k.masterForSessionId(HEX.parseHex("ee".repeat(32)))).isEqualTo(HEX.parseHex("11".repeat(48)));
        assertThat(k.describeKeyLog()).isEqualTo("the key log has 4 entries from dsb #2");
    }

    @Test
    void keyLogFieldsAreSeparatedByAnyRunOfWhitespace() throws IOException {
        assertThat(DecryptionKeys.fields("CLIENT_RANDOM aa bb")).containsExactly("CLIENT_RANDOM", "aa", "bb");
        assertThat(DecryptionKeys.fields("CLIENT_RANDOM\t aa  \t\tbb")).containsExactly("CLIENT_RANDOM", "aa", "bb");
        assertThat(DecryptionKeys.fields("one")).containsExactly("one");
        assertThat(DecryptionKeys.fields("a b c d")).hasSize(4);
        DecryptionKeys k = new DecryptionKeys();
        String random = "01".repeat(32);
        assertThat(k.addKeyLog("tabs.log", new java.io.StringReader("CLIENT_RANDOM\t" + random + " \t " + "ab".repeat(48) + "\r\n")))
                .isEmpty();
        assertThat(k.addKeyLog("four.log", new java.io.StringReader("CLIENT_RANDOM " + random + " ab cd\n")))
                .singleElement().asString().contains("four.log line 1: expected 3 fields (LABEL CLIENT_RANDOM SECRET), found 4");
    }

    @Test
    void largeKeyLogFromBytesMatchesTheLinesAndWarnsWithTheirNumbers() throws IOException {
        StringBuilder log = new StringBuilder();
        int lines = 3_000; // about 400 KB: several reads of the line splitter's buffer
        for (int i = 0; i < lines; i++) {
            String random = String.format("%064x", i);
            switch (i % 6) {
                case 0 -> log.append("CLIENT_RANDOM ").append(random).append(' ').append("0a".repeat(48));
                case 1 -> log.append("  SERVER_TRAFFIC_SECRET_0\t").append(random.toUpperCase()).append(" \u001f").append("B7".repeat(32)).append(' ');
                case 2 -> log.append("# a comment ").append(i);
                case 3 -> log.append("CLIENT_TRAFFIC_SECRET_0\u2003").append(random).append(' ').append("cc".repeat(48)); // EM SPACE: Unicode whitespace
                case 4 -> log.append("CLIENT_HANDSHAKE_TRAFFIC_SECRET\u00a0").append(random).append(' ').append("dd".repeat(32)); // NO-BREAK SPACE: not whitespace
                default -> log.append(i % 12 == 5 ? "" : "CLIENT_RANDOM " + random + " " + "0g".repeat(48));
            }
            log.append(i % 2 == 0 ? "\r\n" : "\n");
        }
        DecryptionKeys k = new DecryptionKeys();
        List<String> warnings = k.addKeyLog("big.log", new java.io.ByteArrayInputStream(log.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(k.keyLogEntries()).isEqualTo(3 * lines / 6);
        assertThat(warnings).hasSize(lines / 6 + lines / 12);
        assertThat(warnings.get(0)).startsWith("big.log line 5: expected 3 fields (LABEL CLIENT_RANDOM SECRET), found 2: CLIENT_HANDSHAKE_");
        assertThat(warnings.get(1)).startsWith("big.log line 11: expected 3 fields");
        assertThat(warnings.get(2)).startsWith("big.log line 12: the secret is not hex: 0g0g");
        byte[] last = HEX.parseHex(String.format("%064x", lines - 6));
        assertThat(k.secret(KeyLogLabel.CLIENT_RANDOM, last)).isEqualTo(HEX.parseHex("0a".repeat(48)));
        assertThat(k.secret(KeyLogLabel.SERVER_TRAFFIC_SECRET_0, HEX.parseHex(String.format("%064x", lines - 5))))
                .isEqualTo(HEX.parseHex("b7".repeat(32)));
        assertThat(k.secret(KeyLogLabel.CLIENT_TRAFFIC_SECRET_0, HEX.parseHex(String.format("%064x", lines - 3))))
                .isEqualTo(HEX.parseHex("cc".repeat(48)));
        assertThat(k.secret(KeyLogLabel.CLIENT_HANDSHAKE_TRAFFIC_SECRET, HEX.parseHex(String.format("%064x", lines - 2)))).isNull();
        // the same text through a Reader gives the same result
        DecryptionKeys fromReader = new DecryptionKeys();
        assertThat(fromReader.addKeyLog("big.log", new StringReader(log.toString()))).isEqualTo(warnings);
        assertThat(fromReader.keyLogEntries()).isEqualTo(k.keyLogEntries());
    }

    @Test
    void keyLogBytesThatAreNotUtf8CostTheirLineOnly() throws IOException {
        byte[] good = ("CLIENT_RANDOM " + CR + " " + "ab".repeat(48) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream log = new java.io.ByteArrayOutputStream();
        log.write(new byte[] {'C', 'L', (byte) 0xC3, (byte) 0x28, ' ', 'x', '\n'}); // an invalid UTF-8 sequence
        log.write(good);
        DecryptionKeys k = new DecryptionKeys();
        List<String> warnings = k.addKeyLog("junk.log", new java.io.ByteArrayInputStream(log.toByteArray()));
        assertThat(warnings).singleElement().asString().startsWith("junk.log line 1: expected 3 fields");
        assertThat(k.keyLogEntries()).isEqualTo(1);
        assertThat(k.secret(KeyLogLabel.CLIENT_RANDOM, HEX.parseHex(CR))).isEqualTo(HEX.parseHex("ab".repeat(48)));
    }

    @Test
    void rsaKeysInEveryFileForm() {
        RSAPrivateCrtKey pkcs1 = (RSAPrivateCrtKey) DecryptionKeys.readPrivateKey(TlsCorpusTest.key("rsa-p-lt-q.key"), null);
        RSAPrivateCrtKey pkcs8 = (RSAPrivateCrtKey) DecryptionKeys.readPrivateKey(TlsCorpusTest.key("rsa-p-lt-q.p8"), null);
        RSAPrivateCrtKey encrypted = (RSAPrivateCrtKey) DecryptionKeys.readPrivateKey(generated("rsa-p-lt-q.encrypted.p8"),
                "s3cret pass".toCharArray());
        assertThat(pkcs8.getModulus()).isEqualTo(pkcs1.getModulus());
        assertThat(encrypted.getModulus()).isEqualTo(pkcs1.getModulus());
        assertThat(pkcs1.getPrimeP()).isLessThan(pkcs1.getPrimeQ()); // the CRT edge case of this corpus key
        RSAPrivateCrtKey p12 = (RSAPrivateCrtKey) DecryptionKeys.readPrivateKey(TlsCorpusTest.key("key.p12"),
                "WebAS".toCharArray());
        assertThat(p12.getModulus().bitLength()).isEqualTo(2048);
    }

    @Test
    void keyFileProblemsNameTheFile() {
        java.nio.file.Path enc = generated("rsa-p-lt-q.encrypted.p8");
        assertThatThrownBy(() -> DecryptionKeys.readPrivateKey(enc, null)).isInstanceOf(TlsSetupException.class)
                .hasMessage("cannot parse the PEM file " + enc + ": the private key is encrypted and no password was given");
        assertThatThrownBy(() -> DecryptionKeys.readPrivateKey(enc, "nope".toCharArray()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessageStartingWith("cannot parse the PEM file " + enc + ": cannot decrypt the private key (wrong password?)");
        java.nio.file.Path p12 = TlsCorpusTest.key("key.p12");
        assertThatThrownBy(() -> DecryptionKeys.readPrivateKey(p12, "nope".toCharArray()))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage("cannot open the PKCS#12 file " + p12 + ": the password is wrong");
        java.nio.file.Path ec = generated("ec.key");
        assertThatThrownBy(() -> new DecryptionKeys().addRsaKeyFile(ec, null, null))
                .isInstanceOf(TlsSetupException.class)
                .hasMessage(ec + " holds a EC key: only RSA private keys can decrypt TLS (RSA key exchange)");
        java.nio.file.Path missing = java.nio.file.Path.of("/nonexistent/key.pem");
        assertThatThrownBy(() -> DecryptionKeys.readPrivateKey(missing, null))
                .hasMessage("cannot read the key file /nonexistent/key.pem: no such file");
        assertThatThrownBy(() -> new DecryptionKeys().addPsk(new byte[0])).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void encryptedPkcs8KeyDecryptsAConnection() throws IOException {
        DecryptionKeys keys = Streams.keys(k -> k.addRsaKeyFile(generated("rsa-p-lt-q.encrypted.p8"),
                "s3cret pass".toCharArray(), null));
        Recorder r = Streams.feed(Streams.stream("rsa-p-lt-q", 0), keys, null);
        StreamsTsv.Row row = StreamsTsv.load("rsa-p-lt-q").rows().get(0);
        assertThat(r.c2s.sha256()).isEqualTo(row.c2sSha256());
        assertThat(r.s2c.sha256()).isEqualTo(row.s2cSha256());
    }

    /** The RSA ClientKeyExchange of rsa-p-lt-q: its encrypted premaster, and the premaster the key gives. */
    static byte[][] rsaPremaster() throws IOException {
        byte[] c2s = Streams.direction(Streams.stream("rsa-p-lt-q", 0), true);
        for (int start : Streams.recordStarts(c2s)) {
            if (c2s[start] == 22 && c2s[start + 5] == 16) {
                int len = ((c2s[start + 9] & 0xff) << 8) | (c2s[start + 10] & 0xff);
                byte[] encrypted = Arrays.copyOfRange(c2s, start + 11, start + 11 + len);
                var key = (java.security.interfaces.RSAPrivateKey) DecryptionKeys.readPrivateKey(
                        TlsCorpusTest.key("rsa-p-lt-q.key"), null);
                return new byte[][] {encrypted, RsaPremaster.decrypt(key, encrypted)};
            }
        }
        throw new AssertionError("no ClientKeyExchange");
    }

    @Test
    void rsaAndPmsClientRandomKeyLogLinesReplaceTheKey() throws IOException {
        byte[][] p = rsaPremaster();
        assertThat(p[1]).hasSize(48).startsWith(0x03, 0x03);
        StreamsTsv.Row row = StreamsTsv.load("rsa-p-lt-q").rows().get(0);
        for (String line : List.of("RSA " + HEX.formatHex(p[0], 0, 8) + " " + HEX.formatHex(p[1]),
                "PMS_CLIENT_RANDOM 314a7114bbb0f1800f987e83e09019758225b0dc8ae087fefc5e0a92998af0eb " + HEX.formatHex(p[1]))) {
            DecryptionKeys keys = new DecryptionKeys();
            assertThat(keys.addKeyLog("log", new StringReader(line))).isEmpty();
            Recorder r = Streams.feed(Streams.stream("rsa-p-lt-q", 0), keys, null);
            assertThat(r.failures).as(line).isEmpty();
            assertThat(r.s2c.sha256()).as(line).isEqualTo(row.s2cSha256());
        }
    }

    @Test
    void rsaPremasterRejectsAWrongKey() throws IOException {
        byte[][] p = rsaPremaster();
        var wrong = (java.security.interfaces.RSAPrivateKey) DecryptionKeys.readPrivateKey(
                TlsCorpusTest.key("rsasnakeoil2.key"), null);
        assertThat(RsaPremaster.decrypt(wrong, p[0])).isNull();
        assertThat(RsaPremaster.decrypt(wrong, Arrays.copyOf(p[0], 10))).isNull();
    }

    static java.nio.file.Path generated(String name) {
        try {
            return java.nio.file.Path.of(DecryptionKeysTest.class.getResource("/offline/tls/generated/" + name).toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}

package io.plainsight.offline.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * The PRFs and HKDF-Expand-Label against vectors from an independent implementation, OpenSSL 3.0's
 * {@code openssl kdf}:
 * <pre>
 * openssl kdf -keylen 48 -kdfopt digest:SHA256|SHA384|MD5-SHA1 -kdfopt hexsecret:SECRET \
 *     -kdfopt hexseed:hex("master secret")SEED TLS1-PRF
 * openssl kdf -keylen 16 -kdfopt digest:SHA256 -kdfopt mode:EXPAND_ONLY -kdfopt hexkey:PRK \
 *     -kdfopt hexinfo:HkdfLabel(16, "tls13 key", "") HKDF
 * </pre>
 * (SSL 3.0's derivation has no such tool; rsasnakeoil2 of the corpus checks it end to end.)
 */
class KeyDerivationTest {
    static final HexFormat HEX = HexFormat.of();
    static final byte[] SECRET = "premaster secret for plainsight".getBytes(StandardCharsets.US_ASCII);
    static final byte[] SEED = "client random...................server random...........".getBytes(StandardCharsets.US_ASCII);

    @Test
    void tls12PrfSha256AndSha384() {
        assertThat(HEX.formatHex(Prf.prf(Prf.TLS12, "SHA-256", SECRET, "master secret", SEED, 48))).isEqualTo(
                "a60ef71f973d676d31363c88cd3d19e19f16db8556cb87cbb066ec074747d8110a4a4be2007444bf6cbff85e9d9dc68f");
        assertThat(HEX.formatHex(Prf.prf(Prf.TLS12, "SHA-384", SECRET, "master secret", SEED, 48))).isEqualTo(
                "8179120c9ee667c275b3510024cd55461a9d2e2bab1d41fcdb13abcd125b6be2b02d237650b6c2acc99c5101a53cb36c");
    }

    @Test
    void tls10PrfMd5XorSha1() { // an odd-length secret: the two halves share its middle byte
        assertThat(SECRET.length % 2).isEqualTo(1);
        assertThat(HEX.formatHex(Prf.prf(Prf.TLS10, "SHA-256", SECRET, "master secret", SEED, 48))).isEqualTo(
                "7fafa0cdf18d394a3e8eb07841fd79126bc0bda01ef5c88c03ef42ff27c3ec2268730775c4a17d45431fb20750975022");
        assertThat(Prf.prf(Prf.TLS11, "SHA-256", SECRET, "master secret", SEED, 48))
                .isEqualTo(Prf.prf(Prf.TLS10, "SHA-384", SECRET, "master secret", SEED, 48));
    }

    @Test
    void hkdfExpandLabel() {
        byte[] prk = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(HEX.formatHex(Hkdf.expandLabel("SHA-256", prk, "key", 16))).isEqualTo("60741ecc6afbf85995c69e902b8c10af");
        byte[] prk48 = "0123456789abcdef0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
        assertThat(HEX.formatHex(Hkdf.expandLabel("SHA-384", prk48, "traffic upd", 48))).isEqualTo(
                "4d74113156d94c47b4bd88eb68c487232649451e1a44fa8c8ce62f5ac430fb13259b23dcd0e6ee4cd4acba1af6510d55");
    }

    @Test
    void cipherSuiteNamesGiveTheirParts() {
        CipherSuite s = CipherSuite.byCode(0xc028);
        assertThat(s.name()).isEqualTo("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384");
        assertThat(s.keyExchange()).isEqualTo(CipherSuite.KeyExchange.ECDHE_RSA);
        assertThat(s.bulk()).isEqualTo(CipherSuite.Bulk.AES_256_CBC);
        assertThat(s.macAlgorithm()).isEqualTo("HmacSHA384");
        assertThat(s.prfHash()).isEqualTo("SHA-384");
        CipherSuite ccm8 = CipherSuite.byCode(0xc0a8);
        assertThat(ccm8.bulk()).isEqualTo(CipherSuite.Bulk.AES_128_CCM_8);
        assertThat(ccm8.prfHash()).isEqualTo("SHA-256");
        assertThat(ccm8.macLength()).isZero();
        assertThat(CipherSuite.byCode(0x1303).keyExchange()).isEqualTo(CipherSuite.KeyExchange.TLS13);
        assertThat(CipherSuite.byCode(0x000a).bulk()).isEqualTo(CipherSuite.Bulk.TDES_EDE_CBC);
        assertThat(CipherSuite.nameOf(0x1234)).isEqualTo("unknown cipher suite (0x1234)");
    }
}

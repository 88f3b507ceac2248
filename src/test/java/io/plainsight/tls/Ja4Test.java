package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.offline.tls.ServerHello;
import io.plainsight.proxy.ClientHello;
import org.junit.jupiter.api.Test;

/**
 * JA4 and JA4S against FoxIO's specification (technical_details/JA4.md and JA4S.md) and the values
 * it publishes: the spec's worked example {@code t13d1516h2_8daaf6152771_e5627efa2ab1} (its cipher
 * suites and extensions in the original order, with GREASE added), its hash without signature
 * algorithms, the ALPN rules, the empty-list hash, and JA4S values of FoxIO's own test captures.
 */
class Ja4Test {
    private static final int[] SPEC_SUITES = {0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8,
        0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035};
    private static final int[] SPEC_SIGALGS = {0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601};

    /**
     * The spec's example ClientHello: extensions 001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,
     * 0012,002b,ff01,000b,000a,0015 in that order, GREASE among suites, extensions, versions, groups.
     */
    private static byte[] specHello(int... sigalgs) {
        int[] suites = new int[SPEC_SUITES.length + 1];
        suites[0] = 0x6a6a;
        System.arraycopy(SPEC_SUITES, 0, suites, 1, SPEC_SUITES.length);
        return new HelloBytes()
                .opaque(0x3a3a, 0)
                .opaque(0x001b, 3)
                .sni("www.example.com")
                .opaque(0x0033, 43)
                .alpn("h2", "http/1.1")
                .opaque(0x4469, 5)
                .opaque(0x0017, 0)
                .opaque(0x002d, 2)
                .u16List(0x000d, 2, sigalgs)
                .opaque(0x0005, 5)
                .opaque(0x0023, 0)
                .opaque(0x0012, 0)
                .u16List(0x002b, 1, 0x4a4a, 0x0304, 0x0303)
                .opaque(0xff01, 1)
                .pointFormats(0)
                .u16List(0x000a, 2, 0x8a8a, 0x001d, 0x0017, 0x0018)
                .opaque(0x0015, 200)
                .opaque(0x5a5a, 1)
                .clientHello(0x0303, suites);
    }

    @Test
    void specExample() {
        byte[] hello = specHello(SPEC_SIGALGS);
        assertThat(Ja4.ofClientHello(hello)).isEqualTo("t13d1516h2_8daaf6152771_e5627efa2ab1");
        assertThat(Ja4.raw(HelloMessages.clientHello(hello))).isEqualTo("t13d1516h2_"
                + "002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_"
                + "0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_"
                + "0403,0804,0401,0503,0805,0501,0806,0601");
    }

    @Test
    void greaseAmongTheSignatureAlgorithmsIsLeftOut() {
        int[] withGrease = new int[SPEC_SIGALGS.length + 1];
        withGrease[0] = 0x0a0a;
        System.arraycopy(SPEC_SIGALGS, 0, withGrease, 1, SPEC_SIGALGS.length);
        assertThat(Ja4.ofClientHello(specHello(withGrease))).isEqualTo("t13d1516h2_8daaf6152771_e5627efa2ab1");
    }

    @Test
    void withoutSignatureAlgorithmsTheListEndsWithoutUnderscore() {
        // the spec: 0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01 = 6d807ffa2a79
        assertThat(Ja4.ofClientHello(specHello())).isEqualTo("t13d1516h2_8daaf6152771_6d807ffa2a79");
    }

    @Test
    void noSniNoAlpnTls12() {
        byte[] hello = new HelloBytes().u16List(0x000a, 2, 0x0017).pointFormats(0)
                .u16List(0x000d, 2, 0x0401).clientHello(0x0303, 0xc02f, 0x00ff);
        ClientHello h = HelloMessages.clientHello(hello);
        assertThat(Ja4.raw(h)).isEqualTo("t12i020300_00ff,c02f_000a,000b,000d_0401");
        assertThat(Ja4.of(h)).startsWith("t12i020300_");
    }

    @Test
    void emptyListsHashToTwelveZeros() {
        // no cipher suites at all; only SNI and ALPN, which the extension hash leaves out
        byte[] hello = new HelloBytes().sni("a.test").alpn("http/1.1").clientHello(0x0301);
        assertThat(Ja4.ofClientHello(hello)).isEqualTo("t10d0002h1_000000000000_000000000000");
        // an ALPN extension with an empty list: 00
        byte[] emptyAlpn = new HelloBytes().extension(16, new byte[] {0, 0}).clientHello(0x0303, 0x1301);
        assertThat(Ja4.ofClientHello(emptyAlpn)).startsWith("t12i010100_");
    }

    @Test
    void versionFromTheHighestSupportedVersion() {
        assertThat(Ja4.ofClientHello(new HelloBytes().u16List(0x002b, 1, 0x0303, 0x0304, 0x0302).clientHello(0x0303, 0x1301)))
                .startsWith("t13i0101");
        assertThat(Ja4.ofClientHello(new HelloBytes().clientHello(0x0300, 0x0035))).startsWith("ts3i0100");
        assertThat(Ja4.ofClientHello(new HelloBytes().clientHello(0x0302, 0x0035))).startsWith("t11i0100");
        assertThat(Ja4.ofClientHello(new HelloBytes().clientHello(0x7f1c, 0x0035))).startsWith("t00i0100");
        assertThat(Ja4.version(0xfefd)).isEqualTo("d2");
        assertThat(Ja4.version(0x0002)).isEqualTo("s2");
    }

    @Test
    void countsStopAt99() {
        int[] suites = new int[120];
        for (int i = 0; i < suites.length; i++) {
            suites[i] = 0x0100 + i;
        }
        assertThat(Ja4.ofClientHello(new HelloBytes().clientHello(0x0303, suites))).startsWith("t12i9900");
    }

    @Test
    void alpnCharactersFollowTheSpec() {
        assertThat(Ja4.alpn("h2")).isEqualTo("h2");
        assertThat(Ja4.alpn("http/1.1")).isEqualTo("h1");
        assertThat(Ja4.alpn("x")).isEqualTo("xx"); // a single character is both first and last
        assertThat(Ja4.alpn(null)).isEqualTo("00");
        assertThat(Ja4.alpn("")).isEqualTo("00");
        // the spec's non-alphanumeric examples: the first and last hex digit of the bytes
        assertThat(Ja4.alpn("\u00ab")).isEqualTo("ab");
        assertThat(Ja4.alpn("\u00ab\u00cd")).isEqualTo("ad");
        assertThat(Ja4.alpn("0\u00ab")).isEqualTo("3b");
        assertThat(Ja4.alpn("01\u00ab\u00cd")).isEqualTo("3d");
        assertThat(Ja4.alpn("0\u00ab\u00cd1")).isEqualTo("01");
        // and in a ClientHello: the first protocol's raw bytes AB CD
        byte[] hello = new HelloBytes().alpn(new byte[] {(byte) 0xab, (byte) 0xcd}, "h2".getBytes())
                .clientHello(0x0303, 0x1301);
        assertThat(Ja4.ofClientHello(hello)).startsWith("t12i0101ad_");
    }

    @Test
    void ja4sSpecExample() {
        // JA4S.md: TLS 1.2, c030, extensions 0005,0017,ff01,0000 -> t120400_c030_4e8089b08790
        byte[] sh = new HelloBytes().opaque(5, 0).opaque(23, 0).opaque(0xff01, 1).opaque(0, 0).serverHello(0x0303, 0xc030);
        ServerHello h = HelloMessages.serverHello(sh);
        assertThat(Ja4s.of(h)).isEqualTo("t120400_c030_4e8089b08790");
        assertThat(Ja4s.raw(h)).isEqualTo("t120400_c030_0005,0017,ff01,0000");
    }

    @Test
    void ja4sOfTls13ServerHellosInFoxIoTestCaptures() {
        // values in FoxIO's snapshots of tls-handshake.pcapng (Google: key_share first; Facebook, Microsoft: versions first)
        byte[] google = new HelloBytes().opaque(0x0033, 36).u16(0x002b, 0x0304).serverHello(0x0303, 0x1301);
        assertThat(Ja4s.ofServerHello(google)).isEqualTo("t130200_1301_234ea6891581");
        byte[] microsoft = new HelloBytes().u16(0x002b, 0x0304).opaque(0x0033, 36).serverHello(0x0303, 0x1302);
        assertThat(Ja4s.ofServerHello(microsoft)).isEqualTo("t130200_1302_a56c5b993250");
    }

    @Test
    void ja4sWithAlpnAndWithoutExtensions() {
        byte[] h2 = new HelloBytes().opaque(0xff01, 1).alpn("h2").serverHello(0x0303, 0xcca9);
        assertThat(Ja4s.ofServerHello(h2)).startsWith("t1202h2_cca9_");
        assertThat(Ja4s.ofServerHello(new HelloBytes().noExtensions().serverHello(0x0301, 0x0035)))
                .isEqualTo("t100000_0035_000000000000");
    }
}

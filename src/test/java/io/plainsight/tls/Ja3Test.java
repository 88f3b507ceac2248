package io.plainsight.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * JA3 and JA3S against the published examples of the JA3 README (salesforce/ja3): hellos built
 * field by field to hold exactly the code points of the example, plus GREASE values that must be
 * left out. {@code DecryptConnectionLogTest} compares both with tshark on real captures.
 */
class Ja3Test {
    @Test
    void readmeExampleWithExtensions() {
        // 769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0 --> ada70206e40642a3e4461f35503241d5
        byte[] hello = new HelloBytes()
                .opaque(0x1a1a, 0)
                .sni("example.com")
                .u16List(10, 2, 0x2a2a, 23, 24, 25)
                .pointFormats(0)
                .clientHello(0x0301, 0x0a0a, 47, 53, 5, 10, 49161, 49162, 49171, 49172, 50, 56, 19, 4);
        Ja3 ja3 = Ja3.ofClientHello(hello);
        assertThat(ja3.text()).isEqualTo("769,47-53-5-10-49161-49162-49171-49172-50-56-19-4,0-10-11,23-24-25,0");
        assertThat(ja3.md5()).isEqualTo("ada70206e40642a3e4461f35503241d5");
    }

    @Test
    void readmeExampleWithoutExtensions() {
        // 769,4-5-10-9-100-98-3-6-19-18-99,,, --> de350869b8c85de67a350c8d186f11e6
        byte[] hello = new HelloBytes().noExtensions().clientHello(0x0301, 4, 5, 10, 9, 100, 98, 3, 6, 19, 18, 99);
        Ja3 ja3 = Ja3.ofClientHello(hello);
        assertThat(ja3.text()).isEqualTo("769,4-5-10-9-100-98-3-6-19-18-99,,,");
        assertThat(ja3.md5()).isEqualTo("de350869b8c85de67a350c8d186f11e6");
    }

    @Test
    void everyGreaseValueIsLeftOut() {
        int[] grease = new int[16];
        for (int i = 0; i < 16; i++) {
            grease[i] = (i << 12) | 0x0a00 | (i << 4) | 0x0a;
        }
        assertThat(grease).contains(0x0a0a, 0x1a1a, 0xfafa);
        for (int g : grease) {
            assertThat(Grease.is(g)).as("%04x", g).isTrue();
        }
        assertThat(Grease.is(0x0a1a)).isFalse();
        assertThat(Grease.is(0x1301)).isFalse();
        int[] suites = Arrays.copyOf(grease, 17);
        suites[16] = 0x1301;
        Ja3 ja3 = Ja3.ofClientHello(new HelloBytes().noExtensions().clientHello(0x0303, suites));
        assertThat(ja3.text()).isEqualTo("771,4865,,,");
    }

    @Test
    void ja3sOfATls12ServerHello() {
        // JA3S: version field, chosen suite, extensions in order (771,49200,5-23-65281-0)
        byte[] sh = new HelloBytes().opaque(5, 0).opaque(23, 0).opaque(0xff01, 1).opaque(0, 0).serverHello(0x0303, 0xc030);
        Ja3s ja3s = Ja3s.ofServerHello(sh);
        assertThat(ja3s.text()).isEqualTo("771,49200,5-23-65281-0");
        assertThat(ja3s.md5()).isEqualTo(Ja3.md5("771,49200,5-23-65281-0")).hasSize(32);
    }

    @Test
    void ja3sOfATls13ServerHelloUsesTheVersionField() {
        byte[] sh = new HelloBytes().u16(43, 0x0304).opaque(51, 36).serverHello(0x0303, 0x1301);
        assertThat(Ja3s.ofServerHello(sh).text()).isEqualTo("771,4865,43-51");
    }

    @Test
    void notAHelloIsRefusedAndGivesNoFingerprint() {
        byte[] sh = new HelloBytes().serverHello(0x0303, 0x1301);
        assertThatThrownBy(() -> Ja3.ofClientHello(sh)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a ClientHello");
        byte[] cut = Arrays.copyOf(new HelloBytes().sni("a.test").clientHello(0x0303, 0x1301), 50);
        assertThatThrownBy(() -> Ja3.ofClientHello(cut)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("bytes");
        assertThat(HelloFingerprints.ja3(cut)).isNull();
        assertThat(HelloFingerprints.ja4(cut)).isNull();
        assertThat(HelloFingerprints.ja3(null)).isNull();
        assertThat(HelloFingerprints.ja3s(new byte[] {2, 0, 0, 1, 3})).isNull();
        assertThat(HelloFingerprints.ja4s(null)).isNull();
    }
}

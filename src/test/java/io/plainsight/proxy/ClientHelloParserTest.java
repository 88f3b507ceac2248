package io.plainsight.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientHelloParserTest {
    /**
     * The ClientHello body of RFC 8448 section 3 ("Simple 1-RTT Handshake"), after the 4-byte
     * handshake header: SNI "server", no ALPN, x25519 key share.
     */
    static final String RFC8448_CLIENT_HELLO_BODY = ""
            + "03 03 cb 34 ec b1 e7 81 63 ba 1c 38 c6 da cb 19 6a 6d ff a2 1a 8d 99 12"
            + "ec 18 a2 ef 62 83 02 4d ec e7 00 00 06 13 01 13 03 13 02 01 00 00 91 00 00 00 0b"
            + "00 09 00 00 06 73 65 72 76 65 72 ff 01 00 01 00 00 0a 00 14 00 12 00 1d 00 17"
            + "00 18 00 19 01 00 01 01 01 02 01 03 01 04 00 23 00 00 00 33 00 26 00 24 00 1d 00"
            + "20 99 38 1d e5 60 e4 bd 43 d2 3d 8e 43 5a 7d ba fe b3 c0 6e 51 c1 3c ae 4d 54 13"
            + "69 1e 52 9a af 2c 00 2b 00 03 02 03 04 00 0d 00 20 00 1e 04 03 05 03 06 03 02 03"
            + "08 04 08 05 08 06 04 01 05 01 06 01 02 01 04 02 05 02 06 02 02 02 00 2d 00 02 01"
            + "01 00 1c 00 02 40 01";

    static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(s.replace(" ", "")));
    }

    @Test
    void parsesRfc8448ClientHello() {
        ClientHello h = ClientHelloParser.parse(hex(RFC8448_CLIENT_HELLO_BODY));
        assertThat(h.legacyVersion()).isEqualTo(0x0303);
        assertThat(h.sni()).isEqualTo("server");
        assertThat(h.alpn()).isEmpty();
        assertThat(h.cipherSuites()).containsExactly(0x1301, 0x1303, 0x1302);
        assertThat(h.extensions()).containsExactly(0, 0xff01, 10, 35, 51, 43, 13, 45, 28);
        assertThat(h.supportedGroups()).containsExactly(0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104);
        assertThat(h.supportedVersions()).containsExactly(0x0304);
        assertThat(h.ecPointFormats()).isEmpty();
        assertThat(h.signatureAlgorithms()).containsExactly(0x0403, 0x0503, 0x0603, 0x0203, 0x0804, 0x0805, 0x0806,
                0x0401, 0x0501, 0x0601, 0x0201, 0x0402, 0x0502, 0x0602, 0x0202);
        assertThat(HexFormat.of().formatHex(h.random()))
                .isEqualTo("cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7");
        assertThat(h.sessionId()).isEmpty();
        assertThat(h.sessionTicket()).isEmpty(); // extension 35 present, empty: asks for a ticket
    }

    @Test
    void parsesAlpnAndPointFormats() {
        // version, random, empty session id, one suite, null compression, then SNI + ALPN + ec_point_formats
        String body = "0303" + "00".repeat(32) + "00" + "0002c02f" + "0100"
                + "002a"
                + "0000" + "000e" + "000c" + "00" + "0009" + "6170692e74657374" + "2e"
                + "0010" + "000e" + "000c" + "02" + "6832" + "08" + "687474702f312e31"
                + "000b" + "0002" + "01" + "00";
        ClientHello h = ClientHelloParser.parse(hex(body));
        assertThat(h.sni()).isEqualTo("api.test.");
        assertThat(h.alpn()).isEqualTo(List.of("h2", "http/1.1"));
        assertThat(h.ecPointFormats()).containsExactly(0);
        assertThat(h.cipherSuites()).containsExactly(0xc02f);
        assertThat(h.sessionTicket()).isNull();
    }

    @Test
    void helloWithoutExtensions() {
        String body = "0301" + "11".repeat(32) + "00" + "0004002f0035" + "0100";
        ClientHello h = ClientHelloParser.parse(hex(body));
        assertThat(h.sni()).isNull();
        assertThat(h.alpn()).isEmpty();
        assertThat(h.extensions()).isEmpty();
        assertThat(h.legacyVersion()).isEqualTo(0x0301);
    }

    @Test
    void truncatedHelloNamesFieldAndOffset() {
        String body = RFC8448_CLIENT_HELLO_BODY.replace(" ", "");
        ByteBuf cut = hex(body.substring(0, 80));
        assertThatThrownBy(() -> ClientHelloParser.parse(cut))
                .isInstanceOf(ClientHelloParser.MalformedClientHelloException.class)
                .hasMessageContaining("offset")
                .hasMessageContaining("cipher_suites");
    }

    @Test
    void extensionLongerThanBlockIsRejected() {
        String body = "0303" + "00".repeat(32) + "00" + "0002c02f" + "0100" + "0006" + "0010" + "00ff" + "0000";
        assertThatThrownBy(() -> ClientHelloParser.parse(hex(body)))
                .isInstanceOf(ClientHelloParser.MalformedClientHelloException.class)
                .hasMessageContaining("extension 16");
    }

    @Test
    void doesNotMoveReaderIndex() {
        ByteBuf buf = hex(RFC8448_CLIENT_HELLO_BODY);
        ClientHelloParser.parse(buf);
        assertThat(buf.readerIndex()).isZero();
    }
}

package io.plainsight.proxy.socks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SocksCodecTest {
    private static final ByteBufAllocator ALLOC = UnpooledByteBufAllocator.DEFAULT;

    /** What curl 7.88.1 sent, captured from a socket: the comment gives the command line. */
    // curl -x socks5://P http://93.184.216.34:8080/ (greeting offers no-auth and GSSAPI)
    static final String CURL_GREETING = "05020001";
    // curl -x socks5h://P --proxy-user 'alice:s3crét' http://example.com/
    static final String CURL_GREETING_USER_PASS = "0503000102";
    static final String CURL_USER_PASS = "0105616c6963650773336372c3a974";
    static final String CURL_REQUEST_DOMAIN = "050100030b6578616d706c652e636f6d0050";
    static final String CURL_REQUEST_IPV4 = "050100015db8d8221f90";
    // curl -x socks5://P http://[2001:db8::1]:80/
    static final String CURL_REQUEST_IPV6 = "0501000420010db80000000000000000000000010050";
    // curl -x socks4://P http://127.0.0.1:80/
    static final String CURL_SOCKS4 = "040100507f00000100";
    // curl -x socks4a://P --proxy-user 'bob:' http://example.com:8443/
    static final String CURL_SOCKS4A = "040120fb00000001626f62006578616d706c652e636f6d00";

    interface Parser<T> {
        T parse(ByteBuf in) throws SocksException;
    }

    static ByteBuf hex(String s) {
        return Unpooled.wrappedBuffer(HexFormat.of().parseHex(s.replace(" ", "")));
    }

    static String hex(ByteBuf b) {
        try {
            return ByteBufUtil.hexDump(b);
        } finally {
            b.release();
        }
    }

    /**
     * Every proper prefix gives null and consumes nothing; the whole message, alone or followed
     * by other bytes, is parsed consuming exactly its bytes; the results agree.
     */
    static <T> T parseAtEverySplit(Parser<T> parser, String hexMessage) throws SocksException {
        byte[] m = HexFormat.of().parseHex(hexMessage.replace(" ", ""));
        for (int k = 0; k < m.length; k++) {
            ByteBuf prefix = Unpooled.buffer().writeBytes(new byte[] {9, 9}).writeBytes(m, 0, k);
            prefix.readerIndex(2);
            assertThat(parser.parse(prefix)).as("prefix of %d bytes", k).isNull();
            assertThat(prefix.readerIndex()).as("prefix of %d bytes", k).isEqualTo(2);
        }
        ByteBuf exact = Unpooled.wrappedBuffer(m);
        T result = parser.parse(exact);
        assertThat(result).isNotNull();
        assertThat(exact.isReadable()).isFalse();
        ByteBuf followed = Unpooled.buffer().writeByte(7).writeBytes(m).writeBytes(new byte[] {0x16, 0x03, 0x01});
        followed.readerIndex(1);
        assertThat(parser.parse(followed)).isEqualTo(result);
        assertThat(followed.readerIndex()).isEqualTo(1 + m.length);
        return result;
    }

    /** The message, and every prefix long enough to show the fault, throws the same message and consumes nothing. */
    static void assertRejected(Parser<?> parser, String hexMessage, String message) {
        byte[] m = HexFormat.of().parseHex(hexMessage.replace(" ", ""));
        ByteBuf whole = Unpooled.wrappedBuffer(m);
        SocksException e = catchThrowableOfType(SocksException.class, () -> parser.parse(whole));
        assertThat(e).as(hexMessage).isNotNull().hasMessage(message);
        assertThat(whole.readerIndex()).isZero();
        for (int k = 0; k < m.length; k++) {
            ByteBuf prefix = Unpooled.wrappedBuffer(m, 0, k);
            try {
                assertThat(parser.parse(prefix)).as("prefix of %d bytes", k).isNull();
            } catch (SocksException p) {
                assertThat(p).as("prefix of %d bytes", k).hasMessage(message);
            }
            assertThat(prefix.readerIndex()).isZero();
        }
    }

    // ---- greeting

    @Test
    void curlGreetings() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseGreeting, CURL_GREETING).methods()).containsExactly(0, 1);
        Socks5Greeting g = parseAtEverySplit(SocksCodec::parseGreeting, CURL_GREETING_USER_PASS);
        assertThat(g.methods()).containsExactly(0, 1, 2);
        assertThat(g.offers(SocksCodec.METHOD_USER_PASS)).isTrue();
        assertThat(g.offers(3)).isFalse();
    }

    @Test
    void greetingWithAllMethods() throws Exception {
        StringBuilder sb = new StringBuilder("05ff");
        for (int i = 0; i < 255; i++) {
            sb.append(String.format("%02x", i));
        }
        Socks5Greeting g = parseAtEverySplit(SocksCodec::parseGreeting, sb.toString());
        assertThat(g.methods()).hasSize(255).startsWith(0, 1).endsWith(254);
        assertThat(parseAtEverySplit(SocksCodec::parseGreeting, "0501ff").methods()).containsExactly(0xff);
    }

    @Test
    void malformedGreetings() {
        assertRejected(SocksCodec::parseGreeting, "040100", "SOCKS5 greeting: version 0x04, expected 0x05");
        assertRejected(SocksCodec::parseGreeting, "474554202f", "SOCKS5 greeting: version 0x47, expected 0x05");
        assertRejected(SocksCodec::parseGreeting, "0500", "SOCKS5 greeting: no authentication methods offered");
    }

    // ---- username/password

    @Test
    void curlUserPass() throws Exception {
        SocksCredentials c = parseAtEverySplit(SocksCodec::parseUserPass, CURL_USER_PASS);
        assertThat(c).isEqualTo(new SocksCredentials("alice", "s3cr\u00e9t"));
        assertThat(c.toString()).doesNotContain("s3cr");
    }

    @Test
    void userPassEdges() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseUserPass, "010000")).isEqualTo(new SocksCredentials("", ""));
        assertThat(parseAtEverySplit(SocksCodec::parseUserPass, "01017500")).isEqualTo(new SocksCredentials("u", ""));
        String u = "61".repeat(255);
        String p = "62".repeat(255);
        assertThat(parseAtEverySplit(SocksCodec::parseUserPass, "01ff" + u + "ff" + p))
                .isEqualTo(new SocksCredentials("a".repeat(255), "b".repeat(255)));
    }

    @Test
    void malformedUserPass() {
        assertRejected(SocksCodec::parseUserPass, "0500", "SOCKS5 username/password request: version 0x05, expected 0x01");
        assertRejected(SocksCodec::parseUserPass, "0101ff0161",
                "SOCKS5 username/password request: username is not valid UTF-8");
        assertRejected(SocksCodec::parseUserPass, "01016102c328",
                "SOCKS5 username/password request: password is not valid UTF-8");
    }

    // ---- SOCKS5 request

    @Test
    void curlRequests() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, CURL_REQUEST_IPV4))
                .isEqualTo(new SocksRequest(5, SocksCodec.CMD_CONNECT, "93.184.216.34", 8080, SocksAddressType.IPV4, null));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, CURL_REQUEST_DOMAIN))
                .isEqualTo(new SocksRequest(5, SocksCodec.CMD_CONNECT, "example.com", 80, SocksAddressType.DOMAIN, null));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, CURL_REQUEST_IPV6))
                .isEqualTo(new SocksRequest(5, SocksCodec.CMD_CONNECT, "2001:db8::1", 80, SocksAddressType.IPV6, null));
    }

    @Test
    void requestAddressForms() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010004" + "00000000000000000000ffff0a000001" + "01bb").host())
                .isEqualTo("::ffff:10.0.0.1");
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010004" + "00".repeat(15) + "01" + "ffff"))
                .isEqualTo(new SocksRequest(5, 1, "::1", 65535, SocksAddressType.IPV6, null));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010004" + "fe800000000000000000000000000001" + "0016").host())
                .isEqualTo("fe80::1");
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010001ffffffff0000"))
                .isEqualTo(new SocksRequest(5, 1, "255.255.255.255", 0, SocksAddressType.IPV4, null));
        String longName = "a".repeat(63) + "." + "b".repeat(63) + "." + "c".repeat(63) + "." + "d".repeat(63);
        assertThat(longName).hasSize(255);
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010003ff" + HexFormat.of().formatHex(longName.getBytes()) + "0050").host())
                .isEqualTo(longName);
        // an IP address or an internationalised name sent as a domain stays a domain, as sent
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05010003093132372e302e302e310050"))
                .isEqualTo(new SocksRequest(5, 1, "127.0.0.1", 80, SocksAddressType.DOMAIN, null));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "0501000308" + "62c3bc636865722e" + "0050").host())
                .isEqualTo("b\u00fccher.");
        // the numeric text round-trips through InetAddress
        assertThat(InetAddress.getByName("2001:db8::1").getAddress())
                .isEqualTo(HexFormat.of().parseHex("20010db8000000000000000000000001"));
    }

    @Test
    void commandsAreParsedEvenWhenUnknown() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "050200017f0000010000").command()).isEqualTo(SocksCodec.CMD_BIND);
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "050300017f0000010000").command()).isEqualTo(SocksCodec.CMD_UDP_ASSOCIATE);
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "050900017f0000010050"))
                .isEqualTo(new SocksRequest(5, 9, "127.0.0.1", 80, SocksAddressType.IPV4, null));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "05ff00017f0000010050").command()).isEqualTo(255);
    }

    @Test
    void reservedByteIsIgnored() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseRequest5, "0501ff017f0000010050"))
                .isEqualTo(new SocksRequest(5, 1, "127.0.0.1", 80, SocksAddressType.IPV4, null));
    }

    static Stream<Arguments> malformedRequests5() {
        return Stream.of(
                Arguments.of("04010001", "SOCKS5 request: version 0x04, expected 0x05"),
                Arguments.of("0501000700000000", "SOCKS5 request: unknown address type 0x07"),
                Arguments.of("050100007f0000010050", "SOCKS5 request: unknown address type 0x00"),
                Arguments.of("05010002", "SOCKS5 request: unknown address type 0x02"),
                Arguments.of("05010003000050", "SOCKS5 request: empty domain name"),
                Arguments.of("0501000303612062" + "0050", "SOCKS5 request: invalid character 0x20 in domain name"),
                Arguments.of("0501000303610062" + "0050", "SOCKS5 request: invalid character 0x00 in domain name"),
                Arguments.of("050100030361ff62" + "0050", "SOCKS5 request: domain name is not valid UTF-8"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests5")
    void malformedRequest5(String hexMessage, String message) {
        assertRejected(SocksCodec::parseRequest5, hexMessage, message);
    }

    // ---- SOCKS4 / 4a

    @Test
    void curlSocks4() throws Exception {
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, CURL_SOCKS4))
                .isEqualTo(new SocksRequest(4, SocksCodec.CMD_CONNECT, "127.0.0.1", 80, SocksAddressType.IPV4, ""));
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, CURL_SOCKS4A))
                .isEqualTo(new SocksRequest(4, SocksCodec.CMD_CONNECT, "example.com", 8443, SocksAddressType.DOMAIN, "bob"));
    }

    @Test
    void socks4Forms() throws Exception {
        // RFC-less but classic: the SOCKS4 paper's example with user id "fred"
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, "04020050c0a800016672656400"))
                .isEqualTo(new SocksRequest(4, SocksCodec.CMD_BIND, "192.168.0.1", 80, SocksAddressType.IPV4, "fred"));
        // 0.0.0.0 is not SOCKS4a (the last byte must be non-zero)
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, "040100500000000000"))
                .isEqualTo(new SocksRequest(4, 1, "0.0.0.0", 80, SocksAddressType.IPV4, ""));
        // 4a: any 0.0.0.x with x != 0; empty user id
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, "04010050000000ff00" + "617069" + "00"))
                .isEqualTo(new SocksRequest(4, 1, "api", 80, SocksAddressType.DOMAIN, ""));
        // user ids are kept byte for byte (ISO-8859-1)
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, "040100507f000001ff0100").userId()).isEqualTo("\u00ff\u0001");
        assertThat(parseAtEverySplit(SocksCodec::parseRequest4, "040900507f00000100").command()).isEqualTo(9);
    }

    @Test
    void socks4FieldsUpTo255Bytes() throws Exception {
        String user = "75".repeat(255);
        String host = "68".repeat(255);
        SocksRequest r = parseAtEverySplit(SocksCodec::parseRequest4, "0401005000000001" + user + "00" + host + "00");
        assertThat(r.userId()).hasSize(255);
        assertThat(r.host()).hasSize(255);
        assertRejected(SocksCodec::parseRequest4, "040100507f000001" + user + "75" + "00",
                "SOCKS4 request: user id longer than 255 bytes");
        assertRejected(SocksCodec::parseRequest4, "0401005000000001" + user + "75" + "00",
                "SOCKS4a request: user id longer than 255 bytes");
        assertRejected(SocksCodec::parseRequest4, "0401005000000001" + "00" + host + "68" + "00",
                "SOCKS4a request: host name longer than 255 bytes");
        // an endless user id is rejected once 256 bytes have come without a NUL
        ByteBuf endless = Unpooled.buffer().writeBytes(hex("040100507f000001")).writeBytes("x".repeat(256).getBytes());
        assertThat(catchThrowableOfType(SocksException.class, () -> SocksCodec.parseRequest4(endless)))
                .hasMessage("SOCKS4 request: user id longer than 255 bytes");
        assertThat(endless.readerIndex()).isZero();
        ByteBuf almost = Unpooled.buffer().writeBytes(hex("040100507f000001")).writeBytes("x".repeat(255).getBytes());
        assertThat(SocksCodec.parseRequest4(almost)).isNull();
    }

    static Stream<Arguments> malformedRequests4() {
        return Stream.of(
                Arguments.of("050100507f00000100", "SOCKS4 request: version 0x05, expected 0x04"),
                Arguments.of("00", "SOCKS4 request: version 0x00, expected 0x04"),
                Arguments.of("04010050000000010000", "SOCKS4a request: empty host name"),
                Arguments.of("0401005000000001000361206200", "SOCKS4a request: invalid character 0x03 in domain name"),
                Arguments.of("040100500000000100ff00", "SOCKS4a request: domain name is not valid UTF-8"));
    }

    @ParameterizedTest
    @MethodSource("malformedRequests4")
    void malformedRequest4(String hexMessage, String message) {
        assertRejected(SocksCodec::parseRequest4, hexMessage, message);
    }

    @Test
    void peekVersion() {
        assertThat(SocksCodec.peekVersion(Unpooled.EMPTY_BUFFER)).isEqualTo(-1);
        ByteBuf b = hex(CURL_SOCKS4);
        assertThat(SocksCodec.peekVersion(b)).isEqualTo(4);
        assertThat(b.readerIndex()).isZero();
        assertThat(SocksCodec.peekVersion(hex(CURL_GREETING))).isEqualTo(5);
    }

    // ---- replies

    @Test
    void methodSelectionAndUserPassReplies() {
        assertThat(hex(SocksCodec.methodSelection(ALLOC, SocksCodec.METHOD_NO_AUTH))).isEqualTo("0500");
        assertThat(hex(SocksCodec.methodSelection(ALLOC, SocksCodec.METHOD_USER_PASS))).isEqualTo("0502");
        assertThat(hex(SocksCodec.methodSelection(ALLOC, SocksCodec.METHOD_NONE_ACCEPTABLE))).isEqualTo("05ff");
        assertThatThrownBy(() -> SocksCodec.methodSelection(ALLOC, 256)).isInstanceOf(IllegalArgumentException.class);
        assertThat(hex(SocksCodec.userPassReply(ALLOC, true))).isEqualTo("0100");
        assertThat(hex(SocksCodec.userPassReply(ALLOC, false))).isEqualTo("0101");
    }

    @Test
    void reply5() throws Exception {
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_SUCCEEDED, null))).isEqualTo("05000001000000000000");
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_SUCCEEDED, new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 50000))))
                .isEqualTo("050000010a010203c350");
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_HOST_UNREACHABLE, new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 443))))
                .isEqualTo("0504000420010db800000000000000000000000201bb");
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_SUCCEEDED, InetSocketAddress.createUnresolved("proxy.test", 1080))))
                .isEqualTo("050000030a70726f78792e746573740438");
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_COMMAND_NOT_SUPPORTED, null))).isEqualTo("05070001000000000000");
        assertThat(hex(SocksCodec.reply5(ALLOC, SocksCodec.REP_ADDRESS_TYPE_NOT_SUPPORTED, null))).isEqualTo("05080001000000000000");
        assertThatThrownBy(() -> SocksCodec.reply5(ALLOC, -1, null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SocksCodec.reply5(ALLOC, 0, InetSocketAddress.createUnresolved("x".repeat(256), 1)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reply5IsParseableAsAClientWould() throws Exception {
        // a reply has the request's layout with REP in place of CMD: our own parser reads it back
        for (InetSocketAddress bound : List.of(new InetSocketAddress(InetAddress.getByName("10.1.2.3"), 50000),
                new InetSocketAddress(InetAddress.getByName("2001:db8::2"), 443),
                InetSocketAddress.createUnresolved("proxy.test", 1080))) {
            ByteBuf reply = SocksCodec.reply5(ALLOC, 0, bound);
            SocksRequest back = SocksCodec.parseRequest5(reply);
            if (bound.isUnresolved()) {
                assertThat(back.host()).isEqualTo(bound.getHostString());
            } else {
                assertThat(InetAddress.getByName(back.host())).isEqualTo(bound.getAddress());
            }
            assertThat(back.port()).isEqualTo(bound.getPort());
            assertThat(reply.isReadable()).isFalse();
            reply.release();
        }
    }

    @Test
    void reply4() throws Exception {
        assertThat(hex(SocksCodec.reply4(ALLOC, true, new InetSocketAddress(InetAddress.getByName("192.0.2.7"), 8080))))
                .isEqualTo("005a1f90c0000207");
        assertThat(hex(SocksCodec.reply4(ALLOC, false, null))).isEqualTo("005b000000000000");
        assertThat(hex(SocksCodec.reply4(ALLOC, true, null))).isEqualTo("005a000000000000");
        assertThat(hex(SocksCodec.reply4(ALLOC, true, new InetSocketAddress(InetAddress.getByName("::1"), 80))))
                .isEqualTo("005a000000000000");
        assertThat(hex(SocksCodec.reply4(ALLOC, true, InetSocketAddress.createUnresolved("a", 80))))
                .isEqualTo("005a000000000000");
    }

    @Test
    void mutatedMessagesGiveAResultNullOrSocksExceptionOnly() throws Exception {
        java.util.Random r = new java.util.Random(42);
        List<String> seeds = List.of(CURL_GREETING_USER_PASS, CURL_USER_PASS, CURL_REQUEST_DOMAIN, CURL_REQUEST_IPV4,
                CURL_REQUEST_IPV6, CURL_SOCKS4, CURL_SOCKS4A);
        List<Parser<?>> parsers = List.of(SocksCodec::parseGreeting, SocksCodec::parseUserPass, SocksCodec::parseRequest5,
                SocksCodec::parseRequest4);
        for (int t = 0; t < 20_000; t++) {
            byte[] m = HexFormat.of().parseHex(seeds.get(r.nextInt(seeds.size())));
            m = java.util.Arrays.copyOf(m, r.nextInt(m.length + 4));
            for (int f = r.nextInt(4); f > 0 && m.length > 0; f--) {
                m[r.nextInt(m.length)] = (byte) r.nextInt(256);
            }
            for (Parser<?> p : parsers) {
                ByteBuf b = Unpooled.wrappedBuffer(m);
                try {
                    Object result = p.parse(b);
                    if (result == null) {
                        assertThat(b.readerIndex()).isZero();
                    } else {
                        assertThat(b.readerIndex()).isBetween(1, m.length);
                    }
                } catch (SocksException e) {
                    assertThat(b.readerIndex()).isZero();
                    assertThat(e.getMessage()).startsWith("SOCKS");
                }
            }
        }
    }
}

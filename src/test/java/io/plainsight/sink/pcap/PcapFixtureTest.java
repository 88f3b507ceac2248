package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CloseKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Byte-exact fixtures of small conversations (IPv4 and IPv6). The fixtures were generated once by
 * this code ({@code -Dpcap.regenerate=true}) and checked independently with tshark; this test
 * asserts headers byte by byte itself and re-checks the fields with tshark, so the fixture is not
 * the only oracle.
 */
class PcapFixtureTest {
    static final long T0 = 1_700_000_000_123_456L;
    static final String REQUEST = "GET /hello HTTP/1.1\r\nHost: example.test\r\n\r\n";
    static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello";

    @TempDir Path tmp;

    static void writeIpv4(Path file) {
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(1, T0, addr("192.0.2.10", 51000), addr("198.51.100.20", 8443), true);
            ev.data(1, T0 + 1000, C2S, REQUEST);
            ev.data(1, T0 + 2000, S2C, RESPONSE);
            ev.close(1, T0 + 3000, CloseKind.FIN, null);
        }
    }

    static void writeIpv6(Path file) {
        // a small MSS so the request body is split; an error close is a RST from the server
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults().withMss(100))) {
            TestEvents ev = new TestEvents(sink);
            ev.open(2, T0, addr("2001:db8::10", 51001), addr("2001:db8::20", 443), true);
            ev.data(2, T0 + 1000, C2S, "POST /upload HTTP/1.1\r\nHost: example.test\r\nContent-Length: 200\r\n\r\n" + "x".repeat(200));
            ev.data(2, T0 + 2000, S2C, "HTTP/1.1 204 No Content\r\n\r\n");
            ev.close(2, T0 + 3000, CloseKind.ERROR, null);
        }
    }

    @Test
    void ipv4ConversationMatchesFixtureByteForByte() throws IOException {
        Path file = tmp.resolve("v4.pcap");
        writeIpv4(file);
        byte[] bytes = Files.readAllBytes(file);
        assertFixture("ipv4-http.pcap", bytes);

        // global header, independently of the fixture: magic a1b2c3d4 LE, 2.4, zone 0, sigfigs 0, snaplen 262144, linktype 1
        assertThat(HexFormat.of().formatHex(bytes, 0, 24))
                .isEqualTo("d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "00000400" + "01000000");
        // first record header: ts 1700000000 s (0x6553f100) + 123456 us (0x1e240), 62 bytes captured and on the wire
        assertThat(HexFormat.of().formatHex(bytes, 24, 40))
                .isEqualTo("00f15365" + "40e20100" + "3e000000" + "3e000000");
        // the SYN frame: server MAC, client MAC, IPv4; IP header: len 48, id 1, DF, TTL 64, TCP
        assertThat(HexFormat.of().formatHex(bytes, 40, 40 + 14 + 10))
                .isEqualTo("020000000002" + "020000000001" + "0800" + "4500" + "0030" + "0001" + "4000" + "40" + "06");
        // SYN options: MSS 1460, NOP, window scale 14
        assertThat(HexFormat.of().formatHex(bytes, 40 + 14 + 20 + 20, 40 + 62)).isEqualTo("020405b4" + "01" + "03030e");

        Tshark.assertCleanCapture(file);
        List<String> rows = Tshark.tshark("-r", file.toString(), "-T", "fields", "-E", "separator=,",
                        "-e", "ip.src", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq",
                        "-e", "tcp.ack", "-e", "tcp.len", "-e", "ip.id", "-e", "frame.time_epoch")
                .ok().lines();
        int req = REQUEST.length();
        int resp = RESPONSE.length();
        assertThat(rows).containsExactly(
                "192.0.2.10,51000,80,0x0002,0,0,0,0x0001,1700000000.123456000",
                "198.51.100.20,80,51000,0x0012,0,1,0,0x0001,1700000000.123456000",
                "192.0.2.10,51000,80,0x0010,1,1,0,0x0002,1700000000.123456000",
                "192.0.2.10,51000,80,0x0018,1,1," + req + ",0x0003,1700000000.124456000",
                "198.51.100.20,80,51000,0x0018,1," + (1 + req) + "," + resp + ",0x0002,1700000000.125456000",
                "192.0.2.10,51000,80,0x0011," + (1 + req) + "," + (1 + resp) + ",0,0x0004,1700000000.126456000",
                "198.51.100.20,80,51000,0x0011," + (1 + resp) + "," + (2 + req) + ",0,0x0003,1700000000.126456000",
                "192.0.2.10,51000,80,0x0010," + (2 + req) + "," + (2 + resp) + ",0,0x0005,1700000000.126456000");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http", "-T", "fields",
                        "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code", "-e", "http.file_data")
                .ok().lines())
                .containsExactly("GET\t/hello\t\t", "\t\t200\thello");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.flags.syn==1", "-T", "fields",
                        "-e", "tcp.options.mss_val", "-e", "tcp.options.wscale.shift").ok().lines())
                .containsExactly("1460\t14", "1460\t14");
    }

    @Test
    void ipv6ConversationMatchesFixtureByteForByte() throws IOException {
        Path file = tmp.resolve("v6.pcap");
        writeIpv6(file);
        byte[] bytes = Files.readAllBytes(file);
        assertFixture("ipv6-http-rst.pcap", bytes);

        // the SYN frame: 14 + 40 + 28 = 82 bytes; IPv6 header: payload length 28, next header TCP, hop limit 64
        assertThat(HexFormat.of().formatHex(bytes, 24 + 8, 24 + 16)).isEqualTo("52000000" + "52000000");
        assertThat(HexFormat.of().formatHex(bytes, 40 + 12, 40 + 14 + 8)).isEqualTo("86dd" + "60000000" + "001c" + "06" + "40");

        Tshark.assertCleanCapture(file);
        List<String> rows = Tshark.tshark("-r", file.toString(), "-T", "fields", "-E", "separator=,",
                        "-e", "ipv6.src", "-e", "tcp.dstport", "-e", "tcp.flags", "-e", "tcp.seq", "-e", "tcp.ack", "-e", "tcp.len")
                .ok().lines();
        int req = 66 + 200;
        assertThat(rows).containsExactly(
                "2001:db8::10,80,0x0002,0,0,0",
                "2001:db8::20,51001,0x0012,0,1,0",
                "2001:db8::10,80,0x0010,1,1,0",
                "2001:db8::10,80,0x0010,1,1,100",
                "2001:db8::10,80,0x0010,101,1,100",
                "2001:db8::10,80,0x0018,201,1," + (req - 200),
                "2001:db8::20,51001,0x0018,1," + (1 + req) + ",27",
                "2001:db8::20,51001,0x0014,28," + (1 + req) + ",0");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http", "-T", "fields",
                        "-e", "http.request.method", "-e", "http.response.code").ok().lines())
                .containsExactly("POST\t", "\t204");
    }

    private void assertFixture(String name, byte[] actual) throws IOException {
        if (Boolean.getBoolean("pcap.regenerate")) {
            Files.write(Path.of("src/test/resources/pcap", name), actual);
        }
        try (InputStream in = getClass().getResourceAsStream("/pcap/" + name)) {
            assertThat(in).as("fixture /pcap/%s (generate with -Dpcap.regenerate=true)", name).isNotNull();
            byte[] expected = in.readAllBytes();
            if (!Arrays.equals(expected, actual)) {
                assertThat(HexFormat.of().formatHex(actual)).isEqualTo(HexFormat.of().formatHex(expected));
            }
        }
    }
}

package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.plainsight.event.CloseKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which server port and addresses the capture shows. */
class PortMappingTest {
    static final long T = 1_700_000_000_000_000L;
    @TempDir Path tmp;

    private List<String> ports(Path file) {
        Tshark.assertCleanCapture(file);
        return Tshark.tshark("-r", file.toString(), "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields",
                "-e", "tcp.stream", "-e", "tcp.dstport").ok().lines();
    }

    private static void conversations(PcapFileSink sink) {
        TestEvents ev = new TestEvents(sink);
        // 1: HTTP carried in TLS on 8443 -> 80
        ev.open(1, T, addr("10.0.0.1", 40001), addr("10.0.0.2", 8443), true);
        ev.data(1, T + 1, C2S, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        ev.data(1, T + 2, S2C, "HTTP/1.1 204 No Content\r\n\r\n");
        ev.close(1, T + 3, CloseKind.FIN, C2S);
        // 2: IMAP in TLS (server speaks first) -> stays 993
        ev.open(2, T + 10, addr("10.0.0.1", 40002), addr("10.0.0.2", 993), true);
        ev.data(2, T + 11, S2C, "* OK IMAP4rev1 ready\r\n");
        ev.data(2, T + 12, C2S, "a001 CAPABILITY\r\n");
        ev.close(2, T + 13, CloseKind.TIMEOUT, null);
        // 3: plaintext HTTP (not carried in TLS) keeps its port
        ev.open(3, T + 20, addr("10.0.0.1", 40003), addr("10.0.0.2", 8080), false);
        ev.data(3, T + 21, C2S, "PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n");
        ev.close(3, T + 22, CloseKind.RST, C2S);
        // 4: TLS, client speaks first but not HTTP -> stays 5000
        ev.open(4, T + 30, addr("10.0.0.1", 40004), addr("10.0.0.2", 5000), true);
        ev.data(4, T + 31, C2S, "HELLO there\r\n");
        ev.close(4, T + 32, CloseKind.ERROR, null);
        // 5: closes without data: writes nothing
        ev.open(5, T + 40, addr("10.0.0.1", 40005), addr("10.0.0.2", 443), true);
        ev.close(5, T + 41, CloseKind.FIN, C2S);
    }

    @Test
    void httpInTlsGoesToPort80OthersKeepTheirPort() {
        Path file = tmp.resolve("ports.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            conversations(sink);
        }
        assertThat(ports(file)).containsExactly("0\t80", "1\t993", "2\t8080", "3\t5000");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http.request", "-T", "fields", "-e", "http.request.method")
                .ok().lines()).containsExactly("GET", "PROPFIND");
        // tshark dissects 993 as TLS by default; the decrypted bytes read as IMAP when told so
        assertThat(Tshark.tshark("-r", file.toString(), "-d", "tcp.port==993,imap", "-Y", "imap", "-T", "fields",
                        "-e", "imap.isrequest", "-e", "imap.line").ok().lines())
                .containsExactly("0\t* OK IMAP4rev1 ready\\r\\n", "1\ta001 CAPABILITY\\r\\n");
        // closes: FIN exchange (1, 2), RST from the client (3), RST from the server on error (4)
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.flags.reset==1", "-T", "fields", "-e", "tcp.stream",
                        "-e", "tcp.srcport").ok().lines())
                .containsExactly("2\t40003", "3\t5000");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.flags.fin==1", "-T", "fields", "-e", "tcp.stream",
                        "-e", "tcp.srcport").ok().lines())
                .containsExactly("0\t40001", "0\t80", "1\t40002", "1\t993");
    }

    @Test
    void http2NegotiatedByAlpnGoesToPort80EvenWhenTheServerSpeaksFirst() throws Exception {
        Path file = tmp.resolve("h2.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(1, T, addr("10.0.0.1", 40001), addr("10.0.0.2", 8443), true);
            sink.accept(new io.plainsight.event.TlsEstablished(1, T, io.plainsight.event.Leg.CLIENT, "TLSv1.3",
                    "TLS_AES_128_GCM_SHA256", "h2", "a.test", null));
            // the server's SETTINGS frame (empty) arrives before the client's preface
            ev.data(1, T + 1, S2C, new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
            ev.data(1, T + 2, C2S, "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
            ev.close(1, T + 3, CloseKind.FIN, C2S);
        }
        // (that tshark then dissects real h2 conversations is checked end to end in ReverseProxyTest)
        assertThat(ports(file)).containsExactly("0\t80");
    }

    @Test
    void explicitPcapPortWinsForEveryConversation() {
        Path file = tmp.resolve("port.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults().withPcapPort(8081))) {
            conversations(sink);
        }
        assertThat(ports(file)).containsExactly("0\t8081", "1\t8081", "2\t8081", "3\t8081");
    }

    @Test
    void connectionWithoutDataWritesNothing() throws Exception {
        Path file = tmp.resolve("empty.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(5, T, addr("10.0.0.1", 40005), addr("10.0.0.2", 443), true);
            ev.data(5, T + 1, C2S, new byte[0]);
            ev.close(5, T + 2, CloseKind.FIN, C2S);
        }
        assertThat(Files.size(file)).isEqualTo(PcapFormat.GLOBAL_HEADER_BYTES);
        assertThat(Tshark.tshark("-r", file.toString()).ok().stdout()).isBlank();
    }

    @Test
    void mixedFamiliesBecomeIpv4MappedIpv6() {
        Path file = tmp.resolve("mixed.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(1, T, addr("192.0.2.7", 40001), addr("2001:db8::1", 443), true);
            ev.data(1, T + 1, C2S, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            ev.data(1, T + 2, S2C, "HTTP/1.1 204 No Content\r\n\r\n");
            ev.close(1, T + 3, CloseKind.FIN, S2C);
            ev.open(2, T + 10, addr("2001:db8::9", 40002), addr("198.51.100.1", 443), true);
            ev.data(2, T + 11, C2S, "GET / HTTP/1.1\r\nHost: a\r\n\r\n");
            ev.close(2, T + 12, CloseKind.FIN, null);
        }
        Tshark.assertCleanCapture(file);
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.flags.syn==1 && tcp.flags.ack==0", "-T", "fields",
                        "-e", "ipv6.src", "-e", "ipv6.dst", "-e", "ip.src").ok().lines())
                .containsExactly("::ffff:192.0.2.7\t2001:db8::1\t", "2001:db8::9\t::ffff:198.51.100.1\t");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http", "-T", "fields", "-e", "http.request.method",
                        "-e", "http.response.code").ok().lines())
                .containsExactly("GET\t", "\t204", "GET\t");
    }

    @Test
    void httpDetection() {
        assertThat(http("GET / HTTP/1.1\r\n")).isTrue();
        assertThat(http("GET ")).isTrue();
        assertThat(http("OPTIONS * HTTP/1.1\r\n")).isTrue();
        assertThat(http("CONNECT a:443 HTTP/1.1\r\n")).isTrue();
        assertThat(http("PROPFIND /x HTTP/1.1\r\n")).isTrue();
        assertThat(http("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")).isTrue();
        assertThat(http("GE")).isFalse();
        assertThat(http("get / HTTP/1.1\r\n")).isFalse();
        assertThat(http("FOO bar baz\r\n")).isFalse();
        assertThat(http("FOO  HTTP/1.1\r\n")).isFalse();
        assertThat(http("* OK IMAP4rev1\r\n")).isFalse();
        assertThat(http("EHLO mail.test\r\n")).isFalse();
        assertThat(http("\u0016\u0003\u0001")).isFalse();
        assertThat(http("")).isFalse();
    }

    private static boolean http(String s) {
        var buf = Unpooled.wrappedBuffer(s.getBytes(StandardCharsets.ISO_8859_1));
        try {
            int before = buf.readerIndex();
            boolean result = HttpDetector.looksLikeHttp(buf);
            assertThat(buf.readerIndex()).isEqualTo(before);
            return result;
        } finally {
            buf.release();
        }
    }
}

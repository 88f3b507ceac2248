package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CloseKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** tshark as the independent reader: payload bytes, HTTP, exported objects, TCP analysis. */
class PcapTsharkTest {
    @TempDir Path tmp;

    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static byte[] response(String type, byte[] body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("HTTP/1.1 200 OK\r\nContent-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(body);
        return out.toByteArray();
    }

    @Test
    void keepAliveHttpWithLargeBodiesReadsBackExactly() throws Exception {
        byte[] small = "0123456789abcdef".repeat(320).getBytes(StandardCharsets.US_ASCII); // 5120 bytes, > 3 MSS
        byte[] page = randomBytes(20_000, 1);
        byte[] big = randomBytes(10 << 20, 2);
        String[] paths = {"/small.txt", "/page.html", "/big.bin"};
        byte[][] bodies = {small, page, big};

        Path file = tmp.resolve("http.pcap");
        ByteArrayOutputStream c2s = new ByteArrayOutputStream();
        ByteArrayOutputStream s2c = new ByteArrayOutputStream();
        long ts = 1_700_000_000_000_000L;
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(7, ts, addr("10.0.0.1", 40000), addr("10.0.0.2", 8443), true);
            for (int i = 0; i < paths.length; i++) {
                byte[] req = ("GET " + paths[i] + " HTTP/1.1\r\nHost: backend.test\r\nUser-Agent: t\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                ev.data(7, ts += 1000, C2S, req);
                c2s.writeBytes(req);
                byte[] resp = response("application/octet-stream", bodies[i]);
                // Netty-like direct buffers in uneven chunks
                ev.dataDirect(7, ts += 1000, S2C, resp, i == 2 ? 65_536 : 7_001);
                s2c.writeBytes(resp);
                sink.flush();
            }
            ev.close(7, ts += 1000, CloseKind.FIN, S2C);
            assertThat(sink.lostPackets()).isZero();
        }

        byte[][] followed = Tshark.follow(file, 0);
        assertThat(followed[0]).as("client to server bytes").isEqualTo(c2s.toByteArray());
        assertThat(followed[1].length).isEqualTo(s2c.size());
        assertThat(followed[1]).as("server to client bytes").isEqualTo(s2c.toByteArray());

        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http", "-T", "fields",
                        "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code").ok().lines())
                .containsExactly("GET\t/small.txt\t", "\t\t200", "GET\t/page.html\t", "\t\t200", "GET\t/big.bin\t", "\t\t200");

        Path objects = tmp.resolve("objects");
        Files.createDirectories(objects);
        Tshark.tshark("-r", file.toString(), "-q", "--export-objects", "http," + objects).ok();
        assertThat(Files.readAllBytes(objects.resolve("small.txt"))).isEqualTo(small);
        assertThat(Files.readAllBytes(objects.resolve("page.html"))).isEqualTo(page);
        assertThat(Files.readAllBytes(objects.resolve("big.bin"))).isEqualTo(big);

        Tshark.assertCleanCapture(file);
        // no segment above the MSS
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.len > 1460").ok().stdout()).isBlank();
    }

    @Test
    void http2OnPort80IsDissectedAsHttp2() throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        byte[] settings = hex.parseHex("000000040000000000"); // empty SETTINGS
        byte[] settingsAck = hex.parseHex("000000040100000000");
        // HEADERS, END_STREAM|END_HEADERS, stream 1: :method GET, :scheme http, :path /, :authority "a.test"
        byte[] headers = hex.parseHex("00000b010500000001" + "828684" + "4106612e74657374");
        // HEADERS END_HEADERS stream 1: :status 200; DATA END_STREAM "hi"
        byte[] respHeaders = hex.parseHex("000001010400000001" + "88");
        byte[] data = hex.parseHex("000002000100000001" + "6869");

        Path file = tmp.resolve("h2.pcap");
        long ts = 1_700_000_000_000_000L;
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(9, ts, addr("10.0.0.1", 40001), addr("10.0.0.2", 443), true);
            ev.data(9, ts + 1, C2S, concat(preface, settings, headers));
            ev.data(9, ts + 2, S2C, concat(settings, settingsAck, respHeaders, data));
            ev.data(9, ts + 3, C2S, settingsAck);
            ev.close(9, ts + 4, CloseKind.FIN, C2S);
        }
        Tshark.assertCleanCapture(file);
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "tcp.len > 0", "-T", "fields", "-e", "tcp.dstport").ok().lines())
                .contains("80");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http2.type == 1", "-T", "fields",
                        "-e", "http2.headers.method", "-e", "http2.headers.path", "-e", "http2.headers.status").ok().lines())
                .containsExactly("GET\t/\t", "\t\t200");
        assertThat(Tshark.tshark("-r", file.toString(), "-Y", "http2.type == 0", "-T", "fields", "-e", "http2.data.data")
                .ok().lines()).containsExactly("6869");
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}

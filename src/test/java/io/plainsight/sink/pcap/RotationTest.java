package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plainsight.event.CloseKind;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --rotate} parsing, and rotation of a pcap directory by size and by time. */
class RotationTest {
    /** 2023-11-14 23:00:00 UTC. */
    static final long HOUR = 1_700_002_800L * 1_000_000L;

    @TempDir Path tmp;

    @Test
    void parsesDurationsAndSizes() {
        assertThat(Rotation.parse("1h")).isEqualTo(new Rotation.ByTime(Duration.ofHours(1)));
        assertThat(Rotation.parse("15m")).isEqualTo(new Rotation.ByTime(Duration.ofMinutes(15)));
        assertThat(Rotation.parse("30s")).isEqualTo(new Rotation.ByTime(Duration.ofSeconds(30)));
        assertThat(Rotation.parse("1d")).isEqualTo(new Rotation.ByTime(Duration.ofDays(1)));
        assertThat(Rotation.parse("100MB")).isEqualTo(new Rotation.BySize(100_000_000L));
        assertThat(Rotation.parse("1GB")).isEqualTo(new Rotation.BySize(1_000_000_000L));
        assertThat(Rotation.parse("512KiB")).isEqualTo(new Rotation.BySize(512L << 10));
        assertThat(Rotation.parse("2GiB")).isEqualTo(new Rotation.BySize(2L << 30));
    }

    @Test
    void rejectsBadSpecsNamingTheValue() {
        for (String bad : List.of("5x", "", "h", "0h", "-1h", "1.5h", "100 M B", "1hour")) {
            assertThatThrownBy(() -> Rotation.parse(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("--rotate '" + bad + "': expected a duration like 1h, 15m, 30s or a size like 100MB");
        }
    }

    /** Files in the order they were written: by name, then by the -N suffix (none = 0). */
    private static List<Path> files(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted(Comparator.comparing((Path p) -> base(p)).thenComparingInt(RotationTest::suffix)).toList();
        }
    }

    private static String base(Path p) {
        return p.getFileName().toString().substring(0, "plainsight-YYYYMMDD-HHMMSS".length());
    }

    private static int suffix(Path p) {
        String rest = p.getFileName().toString().substring("plainsight-YYYYMMDD-HHMMSS".length());
        return rest.equals(".pcap") ? 0 : Integer.parseInt(rest.substring(1, rest.length() - ".pcap".length()));
    }

    @Test
    void sizeRotationKeepsEveryFileCompleteAndTheStreamContinuous() throws Exception {
        Path dir = tmp.resolve("caps");
        long max = 64 * 1024;
        byte[] body = PcapTsharkTest.randomBytes(300_000, 3);
        byte[] response = PcapTsharkTest.response("application/octet-stream", body);
        byte[] request = "GET /blob HTTP/1.1\r\nHost: a\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        try (PcapDirSink sink = new PcapDirSink(dir, new Rotation.BySize(max), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(1, HOUR, addr("10.0.0.1", 40000), addr("10.0.0.2", 443), true);
            ev.data(1, HOUR + 1, C2S, request);
            ev.dataDirect(1, HOUR + 2, S2C, response, 16_384);
            ev.close(1, HOUR + 3, CloseKind.FIN, C2S);
            assertThat(sink.lostPackets()).isZero();
        }
        List<Path> files = files(dir);
        assertThat(files.size()).isGreaterThanOrEqualTo(5);
        assertThat(files.get(0).getFileName().toString()).isEqualTo("plainsight-20231114-230000.pcap");
        assertThat(files.get(1).getFileName().toString()).isEqualTo("plainsight-20231114-230000-1.pcap");
        List<String> merge = new ArrayList<>(List.of("mergecap", "-a", "-w", tmp.resolve("all.pcap").toString()));
        for (Path f : files) {
            assertThat(Files.size(f)).isLessThanOrEqualTo(max);
            assertThat(Tshark.run(List.of("capinfos", f.toString())).exit()).isZero();
            assertThat(Tshark.tshark("-r", f.toString()).ok().lines()).isNotEmpty();
            merge.add(f.toString());
        }
        Tshark.run(merge).ok();
        // the files concatenated are one clean conversation with every byte
        Path all = tmp.resolve("all.pcap");
        Tshark.assertCleanCapture(all);
        byte[][] followed = Tshark.follow(all, 0);
        assertThat(followed[0]).isEqualTo(request);
        assertThat(followed[1]).isEqualTo(response);
    }

    @Test
    void timeRotationFollowsEventTimeAlignedToTheHour() throws Exception {
        Path dir = tmp.resolve("hourly");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("plainsight-20231114-220000.pcap"), "not ours"); // taken: gets -1
        ByteArrayOutputStream s2c = new ByteArrayOutputStream();
        try (PcapDirSink sink = new PcapDirSink(dir, Rotation.parse("1h"), PcapOptions.defaults())) {
            TestEvents ev = new TestEvents(sink);
            ev.open(1, HOUR - 500_000, addr("10.0.0.1", 40000), addr("10.0.0.2", 443), true);
            ev.data(1, HOUR - 400_000, C2S, "GET /a HTTP/1.1\r\nHost: a\r\n\r\n");
            String r1 = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + "a".repeat(3000);
            ev.data(1, HOUR + 100_000, S2C, r1); // 23:00:00.1
            ev.data(1, HOUR + 1_800_000_000L, C2S, "GET /b HTTP/1.1\r\nHost: a\r\n\r\n"); // 23:30
            String r2 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nbb";
            ev.data(1, HOUR + 3_601_000_000L, S2C, r2); // 00:00:01 next day
            ev.close(1, HOUR + 3_602_000_000L, CloseKind.FIN, C2S);
            s2c.writeBytes((r1 + r2).getBytes(StandardCharsets.US_ASCII));
        }
        assertThat(files(dir).stream().map(p -> p.getFileName().toString()))
                .containsExactly("plainsight-20231114-220000.pcap", "plainsight-20231114-220000-1.pcap",
                        "plainsight-20231114-230000.pcap", "plainsight-20231115-000000.pcap");
        Path f22 = dir.resolve("plainsight-20231114-220000-1.pcap");
        Path f23 = dir.resolve("plainsight-20231114-230000.pcap");
        Path f00 = dir.resolve("plainsight-20231115-000000.pcap");
        // handshake and the first request before 23:00; both responses' segments after
        assertThat(Tshark.tshark("-r", f22.toString(), "-T", "fields", "-e", "tcp.len").ok().lines())
                .containsExactly("0", "0", "0", "28");
        assertThat(Tshark.tshark("-r", f23.toString(), "-T", "fields", "-e", "frame.time_epoch").ok().lines())
                .hasSize(4) // 3 segments of the response, the second request
                .allSatisfy(t -> assertThat(Double.parseDouble(t)).isBetween(HOUR / 1e6, HOUR / 1e6 + 3600));
        assertThat(Tshark.tshark("-r", f00.toString(), "-T", "fields", "-e", "tcp.flags").ok().lines())
                .containsExactly("0x0018", "0x0011", "0x0011", "0x0010");
        Path all = tmp.resolve("all.pcap");
        Tshark.run(List.of("mergecap", "-a", "-w", all.toString(), f22.toString(), f23.toString(), f00.toString())).ok();
        Tshark.assertCleanCapture(all);
        assertThat(Tshark.follow(all, 0)[1]).isEqualTo(s2c.toByteArray());
    }
}

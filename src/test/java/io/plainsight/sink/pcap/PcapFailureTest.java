package io.plainsight.sink.pcap;

import static io.plainsight.sink.pcap.TestEvents.C2S;
import static io.plainsight.sink.pcap.TestEvents.S2C;
import static io.plainsight.sink.pcap.TestEvents.addr;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.plainsight.event.CloseKind;
import io.plainsight.event.Sink;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Tshark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unwritable paths and full disks: the sink never throws, says so once, counts what it loses,
 * leaves a file tshark reads cleanly, and resumes when it can.
 */
class PcapFailureTest {
    static final long T = 1_700_000_000_000_000L;
    static final PcapOptions RETRY_ALWAYS = PcapOptions.defaults().withRetryInterval(Duration.ZERO);
    static final Tshark TSHARK = new Tshark();
    static final Duration TOOL_TIMEOUT = Duration.ofSeconds(60);

    @TempDir Path tmp;

    /** One HTTP exchange; returns the number of packets it makes with the default MSS. */
    static int exchange(Sink sink, long id, long ts, int bodyBytes) {
        TestEvents ev = new TestEvents(sink);
        ev.open(id, ts, addr("10.0.0.1", (int) (40000 + id)), addr("10.0.0.2", 443), true);
        String req = "GET /" + id + " HTTP/1.1\r\nHost: a\r\n\r\n";
        ev.data(id, ts + 1, C2S, req);
        byte[] resp = PcapTsharkTest.response("application/octet-stream", PcapTsharkTest.randomBytes(bodyBytes, id));
        ev.data(id, ts + 2, S2C, resp);
        ev.close(id, ts + 3, CloseKind.FIN, C2S);
        return 3 + segments(req.length()) + segments(resp.length) + 3;
    }

    static int segments(int n) {
        return (n + 1459) / 1460;
    }

    static int packetsIn(Path file) {
        TSHARK.assertReadsCleanly(file);
        return TSHARK.count(file, null);
    }

    @Test
    void pathUnderARegularFileIsReportedOnceCountedAndResumedWhenFixed() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "a regular file");
        Path file = blocker.resolve("sub/cap.pcap");
        try (LogCapture logs = new LogCapture();
                PcapFileSink sink = new PcapFileSink(file.toString(), RETRY_ALWAYS)) {
            int lost = exchange(sink, 1, T, 10_000);
            sink.flush();
            lost += exchange(sink, 2, T + 100, 1_000);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(sink.lostBytes()).isGreaterThan(11_000);
            assertThat(logs.at(Level.ERROR)).singleElement().asString()
                    .contains(file.toString()).contains(blocker.toString()).containsIgnoringCase("not a directory")
                    .doesNotContain("\n");

            Files.delete(blocker); // fixed: the directory can be created now
            int written = exchange(sink, 3, T + 200, 5_000);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.WARN)).containsExactly(
                    "pcap capture resumed at " + file + " after " + lost + " packets lost");
            assertThat(logs.at(Level.ERROR)).hasSize(1);
            assertThat(packetsIn(file)).isEqualTo(written);
        }
        TSHARK.assertChecksumsAndTcpAnalysisClean(file);
    }

    @Test
    void retriesAtMostOncePerInterval() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "x");
        Path file = blocker.resolve("cap.pcap");
        try (PcapFileSink sink = new PcapFileSink(file.toString(), PcapOptions.defaults().withRetryInterval(Duration.ofHours(1)))) {
            Files.delete(blocker);
            int lost = exchange(sink, 1, T, 100);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(file).doesNotExist(); // fixed, but the next attempt is an hour away
        }
    }

    @Test
    void directorySinkUnderARegularFileDoesNotThrow() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "x");
        try (LogCapture logs = new LogCapture();
                PcapDirSink sink = new PcapDirSink(blocker.resolve("caps"), Rotation.HOURLY, RETRY_ALWAYS)) {
            int lost = exchange(sink, 1, T, 3_000);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.ERROR)).singleElement().asString().contains(blocker.toString()).containsIgnoringCase("not a directory");
            Files.delete(blocker);
            int written = exchange(sink, 2, T + 10, 3_000);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.WARN)).singleElement().asString().contains("resumed").contains("after " + lost + " packets lost");
            assertThat(packetsIn(sink.currentFile())).isEqualTo(written);
        }
    }

    @Test
    void devFullIsADiskFullReportedOnce() throws Exception {
        Assumptions.assumeTrue(Files.exists(Path.of("/dev/full")), "/dev/full is not available");
        try (LogCapture logs = new LogCapture();
                PcapFileSink sink = new PcapFileSink("/dev/full", PcapOptions.defaults())) {
            int lost = exchange(sink, 1, T, 50_000);
            sink.flush();
            lost += exchange(sink, 2, T + 10, 50_000);
            sink.flush();
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(sink.lostBytes()).isGreaterThan(100_000);
            assertThat(logs.at(Level.ERROR)).singleElement().asString()
                    .contains("/dev/full").contains("No space left on device").contains("disk full");
        }
    }

    @Test
    void fullDiskKeepsWholeRecordsCountsLossAndResumes() throws Exception {
        try (SmallFilesystem fs = SmallFilesystem.tmpfs(tmp.resolve("small-fs"), 256 << 10);
                LogCapture logs = new LogCapture();
                PcapFileSink sink = new PcapFileSink(fs.dir().resolve("cap.pcap").toString(), RETRY_ALWAYS)) {
            Path file = fs.dir().resolve("cap.pcap");
            int first = exchange(sink, 1, T, 20_000);
            sink.flush();
            assertThat(packetsIn(file)).isEqualTo(first);

            fs.fillLeaving(20_000); // so the next write gets part way, then fails
            int second = exchange(sink, 2, T + 100, 100_000);
            sink.flush();
            long lost = sink.lostPackets();
            assertThat(lost).isPositive().isLessThan(second);
            assertThat(logs.at(Level.ERROR)).singleElement().asString()
                    .contains(file.toString()).contains("No space left on device");
            // what fit is kept, whole records only; the rest is counted
            int inFile = packetsIn(file);
            assertThat(inFile).isGreaterThan(first);
            assertThat(inFile + lost).isEqualTo(first + second);
            assertThat((Files.size(file) - PcapFormat.GLOBAL_HEADER_BYTES)).isPositive();

            // still full (bar the tail of the file's last page): counted
            int third = exchange(sink, 3, T + 200, 30_000);
            sink.flush();
            assertThat(sink.lostPackets()).isGreaterThan(lost);
            lost = sink.lostPackets();
            inFile = packetsIn(file);
            assertThat(inFile + lost).isEqualTo(first + second + third);

            fs.free();
            int fourth = exchange(sink, 4, T + 300, 30_000);
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.WARN)).containsExactly("pcap capture resumed at " + file + " after " + lost + " packets lost");
            assertThat(logs.at(Level.ERROR)).hasSize(1);
            assertThat(packetsIn(file)).isEqualTo(inFile + fourth);
            assertThat(TSHARK.fieldLines(file, "http.request", "http.request.uri")).contains("/1", "/4");
            // sequence numbers went on while failing: the reader sees an honest gap, not a reused range
            ExternalProcess.run(TOOL_TIMEOUT, "capinfos", file.toString());
        }
    }
}

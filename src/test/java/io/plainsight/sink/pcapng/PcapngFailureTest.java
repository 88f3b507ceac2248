package io.plainsight.sink.pcapng;

import static io.plainsight.sink.pcapng.Play.addr;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.sink.pcap.LogCapture;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import io.plainsight.testing.Tshark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unwritable destination: the sink never throws, says so once naming the path and the cause,
 * counts what it loses, and resumes with a file that stands on its own (its section, interfaces,
 * and the secrets of the connections still open, even those that arrived while it failed).
 */
class PcapngFailureTest {
    static final long T = 1_700_000_000_000_000L;
    static final PcapOptions RETRY_ALWAYS = PcapOptions.defaults().withRetryInterval(Duration.ZERO);
    @TempDir Path tmp;

    /** One plain HTTP exchange on the decrypted interface: 3 + 1 + 1 + 3 packets. */
    static int exchange(Play p, long id, long ts) {
        p.open(id, ts, Mode.REVERSE, addr("10.0.0.1", (int) (40000 + id)), addr("10.0.0.2", 443), addr("10.0.0.9", 8443),
                null, null);
        p.data(id, ts + 1, Direction.CLIENT_TO_SERVER, "GET /" + id + " HTTP/1.1\r\nHost: a\r\n\r\n");
        p.data(id, ts + 2, Direction.SERVER_TO_CLIENT, "HTTP/1.1 204 No Content\r\n\r\n");
        p.close(id, ts + 3);
        return 8;
    }

    @Test
    void aFileUnderARegularFileIsReportedOnceCountedAndResumedWithTheOpenConnectionsSecrets() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "a regular file");
        Path file = blocker.resolve("sub/cap.pcapng");
        try (LogCapture logs = new LogCapture("io.plainsight.sink.pcapng")) {
            PcapngSink sink = PcapngSink.open(file.toString(), null, true, RETRY_ALWAYS, "t");
            Play p = new Play(sink);
            int lost = exchange(p, 1, T);
            // a TLS connection opens, and its keys arrive, while nothing can be written
            p.open(2, T + 10, Mode.REVERSE, addr("10.0.0.1", 40002), addr("10.0.0.2", 443), addr("10.0.0.9", 8443), null,
                    addr("10.0.0.9", 50002));
            p.secrets(2, T + 11, Leg.CLIENT, "CLIENT_RANDOM 0102 0304\n");
            sink.flush();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(sink.lostBytes()).isGreaterThan(8 * 54);
            assertThat(logs.at(Level.ERROR)).singleElement().asString()
                    .contains(file.toString()).contains(blocker.toString()).containsIgnoringCase("not a directory")
                    .contains("traffic is not affected").doesNotContain("\n");

            Files.delete(blocker); // fixed
            p.wire(2, T + 20, Leg.CLIENT, Direction.CLIENT_TO_SERVER, new byte[] {0x17, 3, 3, 0, 1, 0});
            int written = exchange(p, 3, T + 30);
            sink.close();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(logs.at(Level.WARN)).containsExactly("pcapng capture resumed at " + file + " after " + lost + " packets lost");
            assertThat(logs.at(Level.ERROR)).hasSize(1);

            List<Blocks.Block> blocks = Blocks.read(file);
            assertThat(blocks.get(0).type()).isEqualTo(PcapngFormat.SECTION_HEADER);
            int secrets = PcapngSinkTest.indexOf(blocks, Blocks.Block::secrets);
            assertThat(blocks.get(secrets).text()).isEqualTo("CLIENT_RANDOM 0102 0304\n");
            assertThat(secrets).isLessThan(PcapngSinkTest.indexOf(blocks, Blocks.Block::packet));
            new Tshark().assertReadsCleanly(file);
            assertThat(new Tshark().count(file, null)).isEqualTo(3 + 1 + written);
            assertThat(new Tshark().fieldLines(file, "http.request", "http.request.uri")).containsExactly("/3");
        }
    }

    @Test
    void aDirectoryThatCannotBeMadeIsReportedAtOnceAndPacketsAreCounted() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "a regular file");
        try (LogCapture logs = new LogCapture("io.plainsight.sink.pcapng")) {
            PcapngSink sink = PcapngSink.open(blocker.resolve("dir") + "/", Rotation.HOURLY, false,
                    PcapOptions.defaults(), "t");
            assertThat(logs.at(Level.ERROR)).singleElement().asString().contains(blocker.toString());
            int lost = exchange(new Play(sink), 1, T);
            sink.close();
            assertThat(sink.lostPackets()).isEqualTo(lost);
            assertThat(sink.packetsWritten()).isZero();
        }
    }
}

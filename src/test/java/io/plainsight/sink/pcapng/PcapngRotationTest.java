package io.plainsight.sink.pcapng;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.sink.pcap.Rotation;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotated PCAPNG files each stand alone: every file starts with its own section and the interfaces
 * its packets need, and with the secrets of the connections still open, so tshark reads and
 * decrypts each one without the others.
 */
class PcapngRotationTest {
    static final long T = 1_700_000_010_000_000L; // 2023-11-14 22:13:30 UTC; periods of a minute
    static final Tshark TSHARK = new Tshark();
    @TempDir Path tmp;

    /** Plays a recorded connection's client leg (and plaintext) with its times moved to start at {@code start}. */
    static void play(Play p, long id, RecordedTls.Connection rec, long start, boolean close) {
        long shift = start - rec.openedMicros();
        p.open(id, start, Mode.REVERSE, rec.client(), rec.server(), rec.server(), "rotation.test", null);
        int firstFlight = 1 + (int) rec.wire().stream()
                .takeWhile(s -> s.direction() == io.plainsight.event.Direction.CLIENT_TO_SERVER).count();
        int n = 0;
        for (RecordedTls.Step s : rec.steps()) {
            if (s.wire()) {
                p.wire(id, s.timestampMicros() + shift, Leg.CLIENT, s.direction(), s.bytes());
                if (++n == firstFlight) {
                    p.secrets(id, s.timestampMicros() + shift, Leg.CLIENT, rec.keyLog());
                }
            } else {
                p.data(id, s.timestampMicros() + shift, s.direction(), s.bytes());
            }
        }
        if (close) {
            p.close(id, rec.closedMicros() + shift);
        }
    }

    @Test
    void eachRotatedFileReadsAndDecryptsOnItsOwn() throws Exception {
        List<RecordedTls.Connection> tls13 = RecordedTls.read(WiresharkTlsCorpus.capture("tls13-rfc8446.pcap"),
                WiresharkTlsCorpus.key("tls13-rfc8446.keys"));
        List<RecordedTls.Connection> tls12 = RecordedTls.read(WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap"),
                WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys"));
        Path dir = tmp.resolve("rotated");
        PcapngSink sink = PcapngSink.open(dir + "/", new Rotation.ByTime(Duration.ofMinutes(1)), true,
                PcapOptions.defaults(), "plainsight test");
        Play p = new Play(sink);
        play(p, 1, tls13.get(0), T, true); // GET /first, in the first minute
        play(p, 3, tls12.get(0), T + 2_000_000, false); // GET /, still open when the next minute starts
        play(p, 2, tls13.get(1), T + 40_000_000, true); // GET /early, /second, in the next minute
        p.close(3, T + 41_000_000);
        sink.close();

        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.sorted().toList();
        }
        assertThat(files).extracting(f -> f.getFileName().toString())
                .containsExactly("plainsight-20231114-221300.pcapng", "plainsight-20231114-221400.pcapng");
        for (Path f : files) {
            TSHARK.assertReadsCleanly(f);
        }
        String leg = "plainsight reverse 10.9.0.2:443 client leg";
        String chachaLeg = "plainsight reverse 10.42.0.243:443 client leg";
        assertThat(TSHARK.fieldLines(files.get(0), "http.request", "frame.interface_name", "http.request.uri"))
                .containsExactlyInAnyOrder(leg + "\t/first", "plainsight reverse 10.9.0.2:443 decrypted\t/first",
                        chachaLeg + "\t/", "plainsight reverse 10.42.0.243:443 decrypted\t/");
        assertThat(TSHARK.fieldLines(files.get(1), "http.request", "frame.interface_name", "http.request.uri"))
                .containsExactlyInAnyOrder(leg + "\t/early", leg + "\t/second",
                        "plainsight reverse 10.9.0.2:443 decrypted\t/early", "plainsight reverse 10.9.0.2:443 decrypted\t/second");

        // the second file: its own section, then an interface, then the still open connection's secrets, before any packet
        List<Blocks.Block> second = Blocks.read(files.get(1));
        assertThat(second.get(0).type()).isEqualTo(PcapngFormat.SECTION_HEADER);
        assertThat(second.get(1).iface()).isTrue();
        assertThat(second.get(2).secrets()).isTrue();
        assertThat(second.get(2).text()).isEqualTo(tls12.get(0).keyLog());
        // connection 3's end (FIN) is in the second file, on interfaces that file describes itself
        assertThat(TSHARK.count(files.get(1), "tcp.flags.fin == 1 && tcp.port == " + tls12.get(0).client().getPort()))
                .isEqualTo(2 * 2);
        new Tshark().assertChecksumsAndTcpAnalysisClean(files.get(0));
    }
}

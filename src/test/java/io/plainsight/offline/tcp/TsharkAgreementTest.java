package io.plainsight.offline.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.offline.tcp.TsharkFixtures.Follow;
import io.plainsight.offline.tcp.TsharkFixtures.Row;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongPredicate;
import org.junit.jupiter.api.Test;

/**
 * Real and synthetic captures, as tshark decoded them, reassembled and compared with tshark's own
 * follow of each stream ({@code -o tcp.reassemble_out_of_order:TRUE -z follow,tcp,raw,N}) and
 * with its {@code tcp.stream} numbers. Fixtures and how they were made: resources offline/tcp/README.md.
 */
class TsharkAgreementTest {
    record Run(Recorder rec, TcpReassembler reassembler, List<Row> rows) {}

    static Run reassemble(String segments, LongPredicate keepFrame) {
        List<Row> rows = TsharkFixtures.segments(segments, keepFrame);
        Recorder rec = new Recorder();
        rec.showBytes = false;
        TcpReassembler r = new TcpReassembler(rec);
        TsharkFixtures.feed(r, rows);
        return new Run(rec, r, rows);
    }

    static void assertSameAsFollow(Run run, String followFile) {
        Map<Long, Follow> follows = TsharkFixtures.follows(followFile);
        assertThat(follows).isNotEmpty();
        for (Follow f : follows.values()) {
            assertThat(TsharkFixtures.compare(f, run.rec())).as(followFile).isNull();
        }
    }

    /** Our connection numbers are tshark's tcp.stream: each connection opens at its stream's first frame. */
    static void assertSameStreamNumbers(Run run) {
        Map<Long, Long> firstFrame = new TreeMap<>();
        for (Row row : run.rows()) {
            firstFrame.putIfAbsent(row.stream(), row.frame());
        }
        List<String> ours = new ArrayList<>();
        for (String e : run.rec().events) {
            if (e.startsWith("opened ")) {
                String[] p = e.split(" ");
                ours.add(p[1] + " #" + p[p.length - 1].substring(1));
            }
        }
        List<String> tshark = new ArrayList<>();
        firstFrame.forEach((stream, frame) -> tshark.add(stream + " #" + frame));
        assertThat(ours).isEqualTo(tshark);
    }

    @Test
    void challenge01OutOfOrderAndRetransmittedSegments() {
        Run run = reassemble("challenge01", frame -> true);
        assertSameAsFollow(run, "challenge01.follow-digest");
        assertSameStreamNumbers(run);
        ReassemblyCounters k = run.reassembler().counters();
        assertThat(k.outOfOrderSegments()).as("segments held ahead of the hole").isEqualTo(8);
        assertThat(k.deliveredBytes()).isEqualTo(k.payloadBytes()).isEqualTo(1_479_839);
        assertThat(k.gaps()).isZero();
        assertThat(run.rec().closeReason(0)).isEqualTo(CloseReason.FIN);
    }

    @Test
    void challenge01WithTwoSegmentsLostInTheCaptureHasTsharksGaps() {
        Run run = reassemble("challenge01", frame -> frame != 93 && frame != 110);
        assertSameAsFollow(run, "challenge01-lost.follow-digest");
        List<String> gaps = run.rec().events.stream().filter(e -> e.startsWith("gap ")).toList();
        // declared as soon as the client acknowledged past them and the server sent on, long before the end
        // (frame 123 acknowledges past the first, 157 past the second; 131 and 161 are the server's next segments)
        assertThat(gaps).containsExactly("gap 0 s @67761 +1448 #131", "gap 0 s @89481 +1448 #161");
    }

    @Test
    void http2MultistreamCapture() {
        Run run = reassemble("http2", frame -> true);
        assertSameAsFollow(run, "http2.follow-digest");
        assertSameStreamNumbers(run);
        ReassemblyCounters k = run.reassembler().counters();
        assertThat(k.outOfOrderSegments()).as("frame 101, ahead of the hole that frames 103-125 fill").isEqualTo(1);
        assertThat(k.deliveredBytes()).isEqualTo(k.payloadBytes()).isEqualTo(221_166);
    }

    @Test
    void http2CaptureStartedMidConnection() {
        Run run = reassemble("http2", frame -> frame >= 13);
        assertSameAsFollow(run, "http2-midstream.follow-digest");
        TcpConnection c = run.rec().connections.get(0L);
        assertThat(c.sawSyn()).isFalse();
        assertThat(c.clientPort()).isEqualTo(59246); // the port rule: 443 is the server's
    }

    @Test
    void syntheticScenariosAgreeWithTsharkExceptWhereDocumented() {
        Run run = reassemble("synthetic", frame -> true);
        assertSameStreamNumbers(run);
        Map<Long, Follow> follows = TsharkFixtures.follows("synthetic.follow");
        assertThat(follows).hasSize(14);
        for (Follow f : follows.values()) {
            if (f.stream() != 7 && f.stream() != 9) {
                assertThat(TsharkFixtures.compare(f, run.rec())).isNull();
            }
        }
        Recorder rec = run.rec();
        // 7: tshark's follow keeps bytes sent after the RST; the connection is closed for us
        assertThat(rec.text(7, true)).isEqualTo("hello");
        assertThat(rec.closeReason(7)).isEqualTo(CloseReason.RST);
        assertThat(followText(follows.get(7L), 0)).isEqualTo("hello" + "after the reset");
        // 9: held bytes ("later") win over a later segment covering them for us; tshark takes the later one
        assertThat(rec.text(9, true)).isEqualTo("original and more-XXXXXXlater");
        assertThat(followText(follows.get(9L), 0)).isEqualTo("original and more-XXXXXXXXXX-");
        // the other scenarios' results, readable
        assertThat(rec.text(8, true)).isEqualTo("abcdefgh");
        assertThat(rec.text(13, true)).isEqualTo("0123456789[gap 10]KLMNOPQRSTUVWXYZ");
        assertThat(rec.closeReason(0)).isEqualTo(CloseReason.FIN);
        assertThat(rec.closeReason(1)).isEqualTo(CloseReason.FIN);
        assertThat(rec.closeReason(3)).isEqualTo(CloseReason.REUSED);
        assertThat(rec.closeReason(4)).isEqualTo(CloseReason.EOF);
        assertThat(rec.connections.get(6L).sawSyn()).isFalse();
        assertThat(rec.connections.get(6L).serverPort()).isEqualTo(443);
    }

    private static String followText(Follow f, int node) {
        StringBuilder sb = new StringBuilder();
        f.lines().stream().filter(l -> l.node() == node).forEach(l -> sb.append(new String(l.bytes(), StandardCharsets.ISO_8859_1)));
        return sb.toString();
    }
}

package io.plainsight.offline.tcp;

import static io.plainsight.offline.tcp.TcpFlags.ACK;
import static io.plainsight.offline.tcp.TcpFlags.FIN;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Small streams cut into segments (overlapping, duplicated, one carrying the FIN), fed in every
 * order: the stream comes out the same each time.
 */
class PermutationTest {
    static final String STREAM = "abcdefghijklmnop";

    record Cut(int from, int to, boolean fin) {}

    /** [0,3) [2,7) [7,10) [9,13) [13,16)+FIN [4,12): overlaps on both edges, one covering several. */
    static final List<Cut> OVERLAPPING = List.of(
            new Cut(0, 3, false), new Cut(2, 7, false), new Cut(7, 10, false),
            new Cut(9, 13, false), new Cut(13, 16, true), new Cut(4, 12, false));

    /** Adjacent cuts, one of them twice, and a bare FIN: 7 segments, 5040 orders. */
    static final List<Cut> DUPLICATED = List.of(
            new Cut(0, 4, false), new Cut(4, 8, false), new Cut(8, 12, false), new Cut(12, 16, false),
            new Cut(4, 8, false), new Cut(0, 1, false), new Cut(16, 16, true));

    @Test
    void everyOrderOfOverlappingSegmentsGivesTheStream() {
        int orders = forEachPermutation(OVERLAPPING, order -> assertStream(order, 1000));
        assertThat(orders).isEqualTo(720);
    }

    @Test
    void everyOrderOfDuplicatedSegmentsGivesTheStreamAcrossTheSequenceWrap() {
        int orders = forEachPermutation(DUPLICATED, order -> assertStream(order, 0xFFFF_FFF9L)); // wraps at offset 6
        assertThat(orders).isEqualTo(5040);
    }

    @Test
    void everyOrderWithAMissingCutGivesTheSameGap() {
        // without [7,10) and [4,12), bytes [7,9) are nowhere: a gap at 7 of 2, found when the capture ends
        List<Cut> holed = List.of(OVERLAPPING.get(0), OVERLAPPING.get(1), OVERLAPPING.get(3), OVERLAPPING.get(4));
        int orders = forEachPermutation(holed, order -> {
            Recorder rec = new Recorder();
            Wire w = feed(rec, order, 1000);
            w.finish();
            assertThat(rec.text(0, true)).as("%s", order).isEqualTo("abcdefg[gap 2]jklmnop");
            assertThat(rec.closeReason(0)).isEqualTo(CloseReason.EOF);
        });
        assertThat(orders).isEqualTo(24);
    }

    private static void assertStream(List<Cut> order, long isn) {
        Recorder rec = new Recorder();
        Wire w = feed(rec, order, isn);
        assertThat(rec.text(0, true)).as("%s", order).isEqualTo(STREAM);
        assertThat(rec.closeReason(0)).as("%s", order).isEqualTo(CloseReason.FIN);
        assertThat(w.reassembler.counters().deliveredBytes()).isEqualTo(STREAM.length());
        assertThat(w.reassembler.counters().gaps()).isZero();
    }

    /** Handshake, the server's FIN, then the client's cuts in the given order. */
    private static Wire feed(Recorder rec, List<Cut> order, long isn) {
        Wire w = new Wire(new TcpReassembler(rec), "10.0.0.1", 50000, "10.0.0.2", 443).handshake(isn, 5000);
        w.s(5001, isn + 1, ACK | FIN, null);
        for (Cut cut : order) {
            w.c(isn + 1 + cut.from(), 5002, ACK | (cut.fin() ? FIN : 0), STREAM.substring(cut.from(), cut.to()));
        }
        return w;
    }

    interface Check {
        void accept(List<Cut> order);
    }

    /** Heap's algorithm; returns how many orders were checked. */
    static int forEachPermutation(List<Cut> cuts, Check check) {
        List<Cut> a = new ArrayList<>(cuts);
        int n = a.size();
        int[] c = new int[n];
        int count = 1;
        check.accept(List.copyOf(a));
        int i = 0;
        while (i < n) {
            if (c[i] < i) {
                java.util.Collections.swap(a, i % 2 == 0 ? 0 : c[i], i);
                check.accept(List.copyOf(a));
                count++;
                c[i]++;
                i = 0;
            } else {
                c[i] = 0;
                i++;
            }
        }
        return count;
    }
}

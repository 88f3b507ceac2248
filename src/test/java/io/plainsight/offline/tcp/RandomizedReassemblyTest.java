package io.plainsight.offline.tcp;

import static io.plainsight.offline.tcp.TcpFlags.ACK;
import static io.plainsight.offline.tcp.TcpFlags.FIN;
import static io.plainsight.offline.tcp.TcpFlags.PSH;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Known streams in both directions, cut at random, with random duplicates and overlapping
 * re-cuts, shuffled within a window and interleaved (fixed seeds): the streams come out exactly.
 * With parts missing from the capture, the gaps are exactly the bytes no segment held. With
 * conflicting copies, each byte is the one of the first captured segment holding it.
 */
class RandomizedReassemblyTest {
    static final InetAddress2 CLIENT = new InetAddress2("10.1.1.1", 40000);
    static final InetAddress2 SERVER = new InetAddress2("10.2.2.2", 8443);

    record InetAddress2(java.net.InetAddress address, int port) {
        InetAddress2(String a, int port) {
            this(Wire.address(a), port);
        }
    }

    /** One captured segment: direction, stream offset, bytes, FIN. */
    record Seg(boolean fromClient, long offset, byte[] bytes, boolean fin) {}

    @Test
    void shuffledDuplicatedOverlappingSegmentsGiveTheOriginalStreams() {
        for (int round = 0; round < 200; round++) {
            Random rnd = new Random(1000 + round);
            byte[] up = randomBytes(rnd, 1 + rnd.nextInt(20_000));
            byte[] down = randomBytes(rnd, 1 + rnd.nextInt(60_000));
            List<Seg> segs = new ArrayList<>();
            segs.addAll(cut(rnd, true, up, true));
            segs.addAll(cut(rnd, false, down, true));
            addCopies(rnd, segs, up, down);
            shuffleWithin(rnd, segs, 1 + rnd.nextInt(40));
            long isnC = rnd.nextInt() & 0xFFFF_FFFFL;
            long isnS = round % 4 == 0 ? 0xFFFF_FFFFL - rnd.nextInt(30_000) : rnd.nextInt() & 0xFFFF_FFFFL;

            Recorder rec = new Recorder();
            rec.showBytes = false;
            TcpReassembler r = new TcpReassembler(rec);
            feed(r, segs, isnC, isnS);
            assertSameBytes(up, rec.stream(0, true), "round " + round + " up");
            assertSameBytes(down, rec.stream(0, false), "round " + round + " down");
            assertThat(rec.closeReason(0)).as("round %d", round).isEqualTo(CloseReason.FIN);
            assertThat(r.counters().gaps()).isZero();
            assertThat(r.counters().deliveredBytes()).isEqualTo(up.length + down.length);
            assertThat(r.openConnections()).isZero();
        }
    }

    @Test
    void bytesNoSegmentHoldsBecomeExactlyTheGaps() {
        for (int round = 0; round < 200; round++) {
            Random rnd = new Random(5000 + round);
            byte[] up = randomBytes(rnd, 1 + rnd.nextInt(30_000));
            List<Seg> segs = new ArrayList<>(cut(rnd, true, up, true));
            addCopies(rnd, segs, up, null);
            // drop some segments, except the FIN: what they alone held is lost
            segs.removeIf(s -> !s.fin() && rnd.nextInt(8) == 0);
            shuffleWithin(rnd, segs, 1 + rnd.nextInt(20));
            boolean[] held = new boolean[up.length];
            for (Seg s : segs) {
                Arrays.fill(held, (int) s.offset(), (int) s.offset() + s.bytes().length, true);
            }
            Recorder rec = new Recorder();
            rec.showBytes = false;
            TcpReassembler r = new TcpReassembler(rec);
            feed(r, segs, rnd.nextInt() & 0xFFFF_FFFFL, 77);
            r.finish(Long.MAX_VALUE);
            assertThat(rec.text(0, true)).as("round %d", round).isEqualTo(withGaps(up, held));
        }
    }

    @Test
    void conflictingCopiesKeepTheFirstCapturedByteEverywhere() {
        for (int round = 0; round < 200; round++) {
            Random rnd = new Random(9000 + round);
            int length = 1 + rnd.nextInt(5_000);
            List<Seg> segs = new ArrayList<>();
            // several complete coverings of the stream, each with its own bytes
            for (int copy = 0; copy < 3; copy++) {
                segs.addAll(cut(rnd, true, randomBytes(rnd, length), copy == 0));
            }
            shuffleWithin(rnd, segs, 1 + rnd.nextInt(60));
            byte[] expected = new byte[length];
            boolean[] decided = new boolean[length];
            for (Seg s : segs) {
                for (int i = 0; i < s.bytes().length; i++) {
                    int at = (int) s.offset() + i;
                    if (!decided[at]) {
                        decided[at] = true;
                        expected[at] = s.bytes()[i];
                    }
                }
            }
            Recorder rec = new Recorder();
            rec.showBytes = false;
            TcpReassembler r = new TcpReassembler(rec);
            feed(r, segs, rnd.nextInt() & 0xFFFF_FFFFL, 77);
            r.finish(Long.MAX_VALUE);
            assertSameBytes(expected, rec.stream(0, true), "round " + round);
        }
    }

    /** Equal arrays, or a message with the first difference (not two dumps of thousands of bytes). */
    static void assertSameBytes(byte[] expected, byte[] actual, String what) {
        int n = Math.min(expected.length, actual.length);
        int i = Arrays.mismatch(expected, actual);
        if (i >= 0) {
            throw new AssertionError(what + ": " + actual.length + " bytes where " + expected.length
                    + " were expected, first difference at " + i + (i < n ? " (" + actual[i] + " for " + expected[i] + ")" : ""));
        }
    }

    static byte[] randomBytes(Random rnd, int n) {
        byte[] b = new byte[n];
        rnd.nextBytes(b);
        return b;
    }

    /** Consecutive segments of 1..1460 bytes covering {@code stream}; the last one has the FIN if asked. */
    static List<Seg> cut(Random rnd, boolean fromClient, byte[] stream, boolean fin) {
        List<Seg> out = new ArrayList<>();
        int at = 0;
        while (at < stream.length) {
            int n = Math.min(stream.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 1460 : 100));
            boolean last = at + n == stream.length;
            out.add(new Seg(fromClient, at, Arrays.copyOfRange(stream, at, at + n), fin && last));
            at += n;
        }
        return out;
    }

    /** Exact duplicates of some segments and random re-cuts of either stream (retransmissions that re-segment). */
    static void addCopies(Random rnd, List<Seg> segs, byte[] up, byte[] down) {
        int original = segs.size();
        for (int i = 0; i < original / 4; i++) {
            Seg s = segs.get(rnd.nextInt(original));
            segs.add(new Seg(s.fromClient(), s.offset(), s.bytes(), false));
        }
        for (int i = 0; i < original / 4; i++) {
            boolean fromClient = down == null || rnd.nextBoolean();
            byte[] stream = fromClient ? up : down;
            int from = rnd.nextInt(stream.length);
            int to = Math.min(stream.length, from + 1 + rnd.nextInt(3000));
            segs.add(new Seg(fromClient, from, Arrays.copyOfRange(stream, from, to), false));
        }
    }

    /** Moves each segment by up to {@code window} places (a local shuffle, like reordering in a network). */
    static void shuffleWithin(Random rnd, List<Seg> segs, int window) {
        for (int i = 0; i < segs.size(); i++) {
            int j = Math.min(segs.size() - 1, i + rnd.nextInt(window + 1));
            Seg t = segs.get(i);
            segs.set(i, segs.get(j));
            segs.set(j, t);
        }
    }

    /** A handshake, then the segments (no ACK numbers: holes wait for the end); FIN or the end closes. */
    static void feed(TcpReassembler r, List<Seg> segs, long isnC, long isnS) {
        long[] t = {0};
        long n = 0;
        r.segment(++n, ++t[0], CLIENT.address(), CLIENT.port(), SERVER.address(), SERVER.port(), isnC, 0, TcpFlags.SYN, null);
        r.segment(++n, ++t[0], SERVER.address(), SERVER.port(), CLIENT.address(), CLIENT.port(), isnS, isnC + 1 & 0xFFFF_FFFFL,
                TcpFlags.SYN | ACK, null);
        for (Seg s : segs) {
            InetAddress2 from = s.fromClient() ? CLIENT : SERVER;
            InetAddress2 to = s.fromClient() ? SERVER : CLIENT;
            long seq = ((s.fromClient() ? isnC : isnS) + 1 + s.offset()) & 0xFFFF_FFFFL;
            r.segment(++n, ++t[0], from.address(), from.port(), to.address(), to.port(), seq, 0,
                    PSH | (s.fin() ? FIN : 0), Unpooled.wrappedBuffer(s.bytes()));
        }
    }

    static String withGaps(byte[] stream, boolean[] held) {
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < stream.length) {
            if (held[i]) {
                sb.append((char) (stream[i] & 0xFF));
                i++;
            } else {
                int j = i;
                while (j < stream.length && !held[j]) {
                    j++;
                }
                sb.append("[gap ").append(j - i).append(']');
                i = j;
            }
        }
        return sb.toString();
    }
}

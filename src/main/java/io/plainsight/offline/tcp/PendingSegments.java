package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * The out-of-order bytes of one direction, waiting for the bytes before them: copies, sorted by
 * stream offset, never overlapping. Bytes already held win over bytes that arrive later for the
 * same offsets ("first wins"), so an insert copies only what is not held yet.
 *
 * <p>Pieces live in parallel arrays between {@code head} and {@code tail}: removing the first is
 * O(1), and the common insert (behind everything held) is an append.
 */
final class PendingSegments {
    private long[] starts = new long[8];
    private byte[][] data = new byte[8][];
    private int head;
    private int tail;
    /** Payload bytes held. */
    private long bytes;

    boolean isEmpty() {
        return head == tail;
    }

    int size() {
        return tail - head;
    }

    /** Payload bytes held. */
    long bytes() {
        return bytes;
    }

    /** What the budget counts: payload plus {@link ReassemblyOptions#PIECE_OVERHEAD} per piece. */
    long charged() {
        return bytes + (long) size() * ReassemblyOptions.PIECE_OVERHEAD;
    }

    long firstStart() {
        return starts[head];
    }

    byte[] firstData() {
        return data[head];
    }

    void removeFirst() {
        bytes -= data[head].length;
        data[head] = null;
        head++;
        if (head == tail) {
            head = 0;
            tail = 0;
        }
    }

    /** Piece {@code i} (0 is the first). */
    long start(int i) {
        return starts[head + i];
    }

    byte[] data(int i) {
        return data[head + i];
    }

    /**
     * Holds the bytes of stream offsets {@code [start, start + length)}, read from {@code src} at
     * absolute index {@code srcIndex}, except those already held.
     *
     * @return the bytes newly held ({@code length} minus those already held)
     */
    long insert(long start, ByteBuf src, int srcIndex, int length) {
        long end = start + length;
        if (head == tail || start >= end(tail - 1)) {
            insertAt(tail, start, copy(src, srcIndex, length));
            return length;
        }
        int j = firstEndingAfter(start);
        long cur = start;
        long added = 0;
        while (cur < end) {
            if (j < tail && starts[j] <= cur) {
                cur = Math.max(cur, end(j));
                j++;
                continue;
            }
            long holeEnd = j < tail ? Math.min(end, starts[j]) : end;
            int n = (int) (holeEnd - cur);
            j = insertAt(j, cur, copy(src, srcIndex + (int) (cur - start), n)) + 1;
            added += n;
            cur = holeEnd;
        }
        return added;
    }

    private long end(int index) {
        return starts[index] + data[index].length;
    }

    /** The first index in [head, tail) whose piece ends after {@code offset} (tail if none). */
    private int firstEndingAfter(long offset) {
        int lo = head;
        int hi = tail;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (end(mid) > offset) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static byte[] copy(ByteBuf src, int index, int length) {
        byte[] b = new byte[length];
        src.getBytes(index, b);
        return b;
    }

    /** Inserts before {@code index} (an array index); returns the piece's array index (the arrays may have moved). */
    private int insertAt(int index, long start, byte[] piece) {
        if (tail == starts.length) {
            int live = tail - head;
            if (head > 0 && live < starts.length / 2) {
                // room at the front: slide down instead of growing
                System.arraycopy(starts, head, starts, 0, live);
                System.arraycopy(data, head, data, 0, live);
                Arrays.fill(data, live, tail, null);
            } else {
                int capacity = starts.length * 2;
                long[] s = new long[capacity];
                byte[][] d = new byte[capacity][];
                System.arraycopy(starts, head, s, 0, live);
                System.arraycopy(data, head, d, 0, live);
                starts = s;
                data = d;
            }
            index -= head;
            head = 0;
            tail = live;
        }
        System.arraycopy(starts, index, starts, index + 1, tail - index);
        System.arraycopy(data, index, data, index + 1, tail - index);
        starts[index] = start;
        data[index] = piece;
        tail++;
        bytes += piece.length;
        return index;
    }
}

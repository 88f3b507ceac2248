package io.plainsight.http;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * What {@link Http1HeadParser} made of head lines it parsed before: the same bytes parse to the
 * same (immutable) values, so a line seen again, such as a keep-alive connection's repeated
 * request line and header fields, is neither checked nor decoded again, and no new strings are
 * made for it. A fixed number of recent lines of at most {@link #MAX_LINE} bytes, in pairs of
 * slots chosen by a hash of the line; a new line takes the first slot of its pair and moves what
 * was there to the second. Only lines that parsed without error are kept. It also lends the parser
 * the buffer it copies off-heap heads into.
 *
 * <p>Not thread-safe: one cache per thread of decoders (an exchange sink's).
 */
public final class Http1LineCache {
    /** Longer lines are parsed every time (they are rarely repeated, and would hold memory). */
    static final int MAX_LINE = 256;
    private static final int SLOT_BITS = 9;
    private static final int SLOTS = 1 << SLOT_BITS;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final byte[][] lines = new byte[SLOTS][];
    private final Object[] values = new Object[SLOTS];
    /** Reused for the copies the parser reads off-heap heads from (nothing it returns refers to it). */
    private byte[] scratch = new byte[0];

    /** A buffer of at least {@code size} bytes, its content undefined, for the parser's copy of a head. */
    byte[] scratch(int size) {
        if (scratch.length < size) {
            scratch = new byte[Math.max(size, 1024)];
        } else if (scratch.length > 64 * 1024 && size <= 1024) {
            scratch = new byte[1024]; // do not hold a large one after a large head
        }
        return scratch;
    }

    /**
     * The first of the two slots the line {@code a[from, to)} may be in (the other is the next
     * one): a hash of its length and its first and last 8 bytes, which is cheap whatever the
     * line's length (lines that differ elsewhere only share slots; they are told apart by their bytes).
     */
    static int slot(byte[] a, int from, int to) {
        int n = to - from;
        long h;
        if (n >= 8) {
            h = (long) LONGS.get(a, from) * 0x9E3779B97F4A7C15L ^ (long) LONGS.get(a, to - 8);
        } else {
            h = 0;
            for (int i = from; i < to; i++) {
                h = h << 8 | (a[i] & 0xff);
            }
        }
        h = (h + n) * 0xC2B2AE3D27D4EB4FL;
        return (int) (h >>> (64 - SLOT_BITS)) & ~1;
    }

    /** What the line in {@code slot} or the one beside it parsed to, if the line is {@code a[from, to)}, else null. */
    Object get(int slot, byte[] a, int from, int to) {
        byte[] line = lines[slot];
        if (line != null && Arrays.equals(line, 0, line.length, a, from, to)) {
            return values[slot];
        }
        line = lines[slot + 1];
        return line != null && Arrays.equals(line, 0, line.length, a, from, to) ? values[slot + 1] : null;
    }

    /** Remembers what {@code a[from, to)} parsed to (short lines only), moving the slot's older line beside it. */
    void put(int slot, byte[] a, int from, int to, Object value) {
        if (to - from <= MAX_LINE) {
            lines[slot + 1] = lines[slot];
            values[slot + 1] = values[slot];
            lines[slot] = Arrays.copyOfRange(a, from, to);
            values[slot] = value;
        }
    }
}

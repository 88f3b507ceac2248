package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.util.internal.PlatformDependent;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Internet (one's complement) checksum arithmetic, RFC 1071. */
final class Checksums {
    private Checksums() {}

    /**
     * Adds the bytes {@code [index, index + length)} of {@code buf} as big-endian 16-bit words to a
     * running sum (an odd last byte is the high byte of a word). Reads 8 bytes at a time; the
     * result is unfolded, so call {@link #finish} once at the end.
     */
    static long sum(ByteBuf buf, int index, int length) {
        if (length >= 32) {
            if (buf.hasMemoryAddress() && PlatformDependent.hasUnsafe()) {
                return sumAt(buf.memoryAddress() + index, length);
            }
            if (buf.hasArray()) { // heap: decrypt's plaintext is decrypted into arrays of its own
                return sumArray(buf.array(), buf.arrayOffset() + index, length);
            }
        }
        return sumChecked(buf, index, length);
    }

    private static final VarHandle BIG_ENDIAN_LONG = MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.BIG_ENDIAN);

    /** The same sum read from an array, 8 bytes at a time (big-endian words: no swap). */
    static long sumArray(byte[] a, int from, int length) {
        long s = 0;
        int i = from;
        int end = from + length;
        while (end - i >= 8) {
            long w = (long) BIG_ENDIAN_LONG.get(a, i);
            s += (w >>> 32) + (w & 0xFFFFFFFFL);
            i += 8;
        }
        while (end - i >= 2) {
            s += ((a[i] & 0xFF) << 8) | (a[i + 1] & 0xFF);
            i += 2;
        }
        if (i < end) {
            s += (a[i] & 0xFF) << 8;
        }
        return s;
    }

    /**
     * The same sum read straight from memory, 8 bytes at a time in the machine's byte order. The
     * one's complement sum does not depend on byte order up to a final swap (RFC 1071 section
     * 2(B)), so a little-endian sum is folded and swapped into the big-endian one.
     */
    private static long sumAt(long address, int length) {
        long s = 0;
        long p = address;
        long end = address + (length & ~7);
        while (p < end) {
            long w = PlatformDependent.getLong(p);
            s += (w >>> 32) + (w & 0xFFFFFFFFL);
            p += 8;
        }
        if (!NATIVE_BIG_ENDIAN) {
            s = fold(s);
            s = ((s & 0xFF) << 8) | (s >>> 8);
        }
        int rest = length & 7;
        for (int i = 0; i + 1 < rest; i += 2) {
            s += ((PlatformDependent.getByte(end + i) & 0xFF) << 8) | (PlatformDependent.getByte(end + i + 1) & 0xFF);
        }
        if ((rest & 1) != 0) {
            s += (PlatformDependent.getByte(end + rest - 1) & 0xFF) << 8;
        }
        return s;
    }

    private static final boolean NATIVE_BIG_ENDIAN = java.nio.ByteOrder.nativeOrder() == java.nio.ByteOrder.BIG_ENDIAN;

    private static long fold(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return s;
    }

    /** Bounds-checked sum through the ByteBuf API (heap or composite buffers). */
    static long sumChecked(ByteBuf buf, int index, int length) {
        long s = 0;
        int i = index;
        int end = index + length;
        while (end - i >= 8) {
            long w = buf.getLong(i);
            s += (w >>> 32) + (w & 0xFFFFFFFFL);
            i += 8;
        }
        while (end - i >= 2) {
            s += buf.getUnsignedShort(i);
            i += 2;
        }
        if (i < end) {
            s += buf.getUnsignedByte(i) << 8;
        }
        return s;
    }

    /** Sum of an address's bytes as 16-bit words (addresses have even length). */
    static long sum(byte[] bytes) {
        long s = 0;
        for (int i = 0; i + 1 < bytes.length; i += 2) {
            s += ((bytes[i] & 0xFF) << 8) | (bytes[i + 1] & 0xFF);
        }
        return s;
    }

    /** Folds a running sum to 16 bits and complements it: the value to put in the header. */
    static int finish(long s) {
        while ((s >>> 16) != 0) {
            s = (s & 0xFFFF) + (s >>> 16);
        }
        return (int) (~s & 0xFFFF);
    }
}

package io.plainsight.offline.capture;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** Unsigned and signed integer reads from a byte array, in either byte order (no bounds beyond the array's). */
final class Bytes {
    private Bytes() {}

    private static final VarHandle INT_BE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle SHORT_BE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT_LE = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONG_BE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static int u8(byte[] b, int i) {
        return b[i] & 0xFF;
    }

    /** Big-endian (network order) unsigned 16 bits. */
    static int u16(byte[] b, int i) {
        return (short) SHORT_BE.get(b, i) & 0xFFFF;
    }

    static int u16(byte[] b, int i, boolean bigEndian) {
        return (bigEndian ? (short) SHORT_BE.get(b, i) : (short) SHORT_LE.get(b, i)) & 0xFFFF;
    }

    /** Big-endian (network order) 32 bits. */
    static int i32(byte[] b, int i) {
        return (int) INT_BE.get(b, i);
    }

    static int i32(byte[] b, int i, boolean bigEndian) {
        return bigEndian ? (int) INT_BE.get(b, i) : (int) INT_LE.get(b, i);
    }

    static long u32(byte[] b, int i, boolean bigEndian) {
        return i32(b, i, bigEndian) & 0xFFFF_FFFFL;
    }

    /** Big-endian (network order) unsigned 32 bits. */
    static long u32(byte[] b, int i) {
        return i32(b, i) & 0xFFFF_FFFFL;
    }

    /** Big-endian (network order) 64 bits. */
    static long i64(byte[] b, int i) {
        return (long) LONG_BE.get(b, i);
    }

    /** The hex of up to {@code max} bytes from {@code i}, for messages. */
    static String hex(byte[] b, int i, int n) {
        StringBuilder s = new StringBuilder(n * 3);
        for (int k = 0; k < n; k++) {
            if (k > 0) {
                s.append(' ');
            }
            s.append(Character.forDigit((b[i + k] >> 4) & 0xF, 16)).append(Character.forDigit(b[i + k] & 0xF, 16));
        }
        return s.toString();
    }
}

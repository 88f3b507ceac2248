package io.plainsight.offline.capture;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Interns {@link InetAddress}es read from packets, so a capture's few endpoints cost an allocation
 * on first sight only: a direct-mapped table per family (4096 entries), compared by the raw
 * address bits. A slot whose address differs is replaced, so memory stays bounded however many
 * addresses a capture holds.
 */
final class AddressCache {
    private static final int SIZE = 4096;
    private static final int MASK = SIZE - 1;

    private final int[] v4Keys = new int[SIZE];
    private final Inet4Address[] v4 = new Inet4Address[SIZE];
    private final long[] v6Hi = new long[SIZE];
    private final long[] v6Lo = new long[SIZE];
    private final Inet6Address[] v6 = new Inet6Address[SIZE];

    /** The IPv4 address in {@code b[i..i+4)}. */
    InetAddress ipv4(byte[] b, int i) {
        int key = Bytes.i32(b, i);
        int slot = mix(key) & MASK;
        Inet4Address a = v4[slot];
        if (a == null || v4Keys[slot] != key) {
            a = (Inet4Address) byAddress(b, i, 4);
            v4[slot] = a;
            v4Keys[slot] = key;
        }
        return a;
    }

    /** The IPv6 address in {@code b[i..i+16)}. */
    InetAddress ipv6(byte[] b, int i) {
        long hi = Bytes.i64(b, i);
        long lo = Bytes.i64(b, i + 8);
        int slot = mix((int) (hi ^ (hi >>> 32) ^ lo ^ (lo >>> 32))) & MASK;
        Inet6Address a = v6[slot];
        if (a == null || v6Hi[slot] != hi || v6Lo[slot] != lo) {
            a = (Inet6Address) byAddress(b, i, 16);
            v6[slot] = a;
            v6Hi[slot] = hi;
            v6Lo[slot] = lo;
        }
        return a;
    }

    private static int mix(int h) {
        h *= 0x9E3779B1;
        return h ^ (h >>> 16);
    }

    private static InetAddress byAddress(byte[] b, int i, int n) {
        byte[] raw = new byte[n];
        System.arraycopy(b, i, raw, 0, n);
        try {
            // Inet6Address.getByAddress keeps an IPv4-mapped IPv6 address (::ffff:a.b.c.d) an IPv6 address
            return n == 4 ? InetAddress.getByAddress(raw) : Inet6Address.getByAddress(null, raw, -1);
        } catch (UnknownHostException e) {
            throw new AssertionError("a " + n + "-byte address is always valid", e);
        }
    }
}

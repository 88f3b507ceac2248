package io.plainsight.offline.capture;

import java.net.InetAddress;
import java.util.BitSet;
import java.util.Iterator;
import java.util.LinkedHashMap;

/**
 * Reassembles fragmented IPv4 and IPv6 datagrams (TCP only: other protocols are skipped before
 * they get here).
 *
 * <ul>
 *   <li>Overlapping fragments: the bytes that arrived first win.
 *   <li>Bounded memory: at most {@link #MAX_DATAGRAMS} datagrams and {@link #MAX_BYTES} bytes are
 *       held; beyond that the oldest datagram is dropped.
 *   <li>Timeout: a datagram still incomplete {@link #TIMEOUT_MICROS} (capture time) or
 *       {@link #TIMEOUT_PACKETS} packets after its first fragment is dropped (Linux's
 *       {@code ipfrag_time} is 30 s too); so are those still incomplete at the end of the capture.
 *   <li>Every drop is reported once through {@link CaptureListener#skipped}, with the packet
 *       number of the datagram's first fragment.
 *   <li>A fragment cut by the snaplen still counts for completeness; the datagram is then delivered
 *       with the bytes up to the first missing one (so its segment is marked truncated).
 * </ul>
 */
final class FragmentReassembler {
    static final long TIMEOUT_MICROS = 30_000_000L;
    static final long TIMEOUT_PACKETS = 100_000L;
    static final int MAX_DATAGRAMS = 1024;
    static final long MAX_BYTES = 32L << 20;
    /** The largest fragmentable part of a datagram: fragment offset 8191 * 8 plus the rest of a 64 KiB packet. */
    static final int MAX_DATAGRAM = 65535;

    /** Identifies a datagram: addresses (IPv4 in the low bits of src0/dst0) and identification. */
    record Key(boolean v6, long src0, long src1, long dst0, long dst1, int id) {}

    /** A datagram being reassembled; {@link #add} returns it once complete. */
    static final class Datagram {
        final Key key;
        final InetAddress src;
        final InetAddress dst;
        /** IPv6: the first header of the fragmentable part (from the fragment header); IPv4: the protocol. */
        final int nextHeader;
        final long firstPacket;
        final long firstTimestamp;
        byte[] data = new byte[0];
        final BitSet present = new BitSet();
        final BitSet covered = new BitSet();
        int total = -1;
        int fragments;

        Datagram(Key key, InetAddress src, InetAddress dst, int nextHeader, long firstPacket, long firstTimestamp) {
            this.key = key;
            this.src = src;
            this.dst = dst;
            this.nextHeader = nextHeader;
            this.firstPacket = firstPacket;
            this.firstTimestamp = firstTimestamp;
        }

        boolean complete() {
            return total >= 0 && covered.nextClearBit(0) >= total;
        }

        /** Bytes from offset 0 that are present, up to the datagram's length. */
        int usableLength() {
            return Math.min(present.nextClearBit(0), total);
        }
    }

    private final LinkedHashMap<Key, Datagram> pending = new LinkedHashMap<>();
    private long bytes;

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int pendingCount() {
        return pending.size();
    }

    /**
     * Adds one fragment: {@code wireLength} bytes at {@code offset} of the datagram's fragmentable
     * part, of which the capture holds the first {@code capturedLength}, at {@code b[from..]}.
     * Returns the datagram, removed from the pending ones, if this fragment completed it.
     */
    Datagram add(Key key, InetAddress src, InetAddress dst, int nextHeader, long packet, long timestamp,
            int offset, boolean more, byte[] b, int from, int capturedLength, int wireLength, CaptureListener l) {
        if (offset + wireLength > MAX_DATAGRAM) {
            l.skipped(packet, SkipReasons.FRAGMENT_TOO_LONG);
            return null;
        }
        if (more && (wireLength & 7) != 0) {
            l.skipped(packet, SkipReasons.FRAGMENT_NOT_MULTIPLE_OF_8);
            return null;
        }
        Datagram d = pending.get(key);
        if (d == null) {
            while (pending.size() >= MAX_DATAGRAMS) {
                dropOldest(l, "more than " + MAX_DATAGRAMS + " datagrams incomplete at once");
            }
            d = new Datagram(key, src, dst, nextHeader, packet, timestamp);
            pending.put(key, d);
        }
        d.fragments++;
        int stop = offset + capturedLength;
        if (stop > d.data.length) {
            int size = Math.min(MAX_DATAGRAM, Math.max(stop, Math.min(MAX_DATAGRAM, d.data.length * 2)));
            while (bytes + size - d.data.length > MAX_BYTES && pending.size() > 1) {
                if (oldest() == d) {
                    // keep d: drop the next oldest instead
                    Iterator<Datagram> it = pending.values().iterator();
                    it.next();
                    drop(it.next(), l, "more than " + (MAX_BYTES >> 20) + " MiB of fragments held");
                } else {
                    dropOldest(l, "more than " + (MAX_BYTES >> 20) + " MiB of fragments held");
                }
            }
            byte[] bigger = new byte[size];
            System.arraycopy(d.data, 0, bigger, 0, d.data.length);
            bytes += size - d.data.length;
            d.data = bigger;
        }
        copyFirstWins(d, b, from, offset, stop);
        d.covered.set(offset, offset + wireLength);
        if (!more && d.total < 0) {
            d.total = offset + wireLength;
        }
        if (!d.complete()) {
            return null;
        }
        pending.remove(key);
        bytes -= d.data.length;
        return d;
    }

    /** Copies the bytes of {@code [offset, stop)} that no earlier fragment supplied. */
    private static void copyFirstWins(Datagram d, byte[] b, int from, int offset, int stop) {
        int i = offset;
        while (i < stop) {
            int clear = d.present.nextClearBit(i);
            if (clear >= stop) {
                break;
            }
            int set = d.present.nextSetBit(clear);
            int runEnd = set < 0 || set > stop ? stop : set;
            System.arraycopy(b, from + (clear - offset), d.data, clear, runEnd - clear);
            i = runEnd;
        }
        d.present.set(offset, stop);
    }

    /** Drops the datagrams that are too old at this packet. */
    void expire(long packet, long timestamp, CaptureListener l) {
        Iterator<Datagram> it = pending.values().iterator();
        while (it.hasNext()) {
            Datagram d = it.next();
            boolean byTime = timestamp - d.firstTimestamp > TIMEOUT_MICROS;
            if (!byTime && packet - d.firstPacket <= TIMEOUT_PACKETS) {
                return;
            }
            it.remove();
            bytes -= d.data.length;
            l.skipped(d.firstPacket, dropReason(d, byTime
                    ? "incomplete after " + TIMEOUT_MICROS / 1_000_000 + " s"
                    : "incomplete after " + TIMEOUT_PACKETS + " packets"));
        }
    }

    /** Drops every datagram still incomplete (at the end of the capture). */
    void finish(CaptureListener l) {
        while (!pending.isEmpty()) {
            dropOldest(l, "incomplete at the end of the capture");
        }
    }

    private Datagram oldest() {
        return pending.values().iterator().next();
    }

    private void dropOldest(CaptureListener l, String why) {
        drop(oldest(), l, why);
    }

    private void drop(Datagram d, CaptureListener l, String why) {
        pending.remove(d.key);
        bytes -= d.data.length;
        l.skipped(d.firstPacket, dropReason(d, why));
    }

    static String dropReason(Datagram d, String why) {
        return (d.key.v6() ? "IPv6" : "IPv4") + " datagram " + d.src.getHostAddress() + " -> " + d.dst.getHostAddress()
                + " id 0x" + Integer.toHexString(d.key.id()) + ": " + d.fragments
                + (d.fragments == 1 ? " fragment" : " fragments") + " (" + d.covered.cardinality() + " of "
                + (d.total < 0 ? "?" : String.valueOf(d.total)) + " bytes) dropped, " + why;
    }
}

package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One direction of a connection: where its stream starts in sequence space, how far it has been
 * delivered, the bytes held out of order, its FIN, and how far the other side has acknowledged it.
 *
 * <p>Stream offsets are 64-bit and count from the stream's first byte (the byte after the SYN, or
 * the first byte captured). A 32-bit sequence number is placed at the offset nearest to the next
 * expected one ({@link #offsetOf}), which handles sequence wrap-around and streams longer than
 * 4 GiB alike.
 */
final class HalfStream {
    private final TcpConnection connection;
    /** The direction, by the connection's current roles (flipped by {@link TcpConnection#swapRoles}). */
    boolean fromClient;
    /** A segment from this side was seen before the current one. */
    boolean sentAnything;
    /** {@link #base} is known. */
    boolean based;
    /** The sequence number of stream offset 0. */
    int base;
    /** {@link #base} is the sequence number after a captured SYN. */
    boolean synSeen;
    /** The offset of the next byte to deliver: bytes delivered plus bytes declared missing. */
    long next;
    /** The offset of this direction's FIN (its stream length), or -1. */
    long fin = -1;
    /** Every byte before the FIN was delivered or declared missing. */
    boolean ended;
    /** The highest offset the other side acknowledged (offsets up to it were received). */
    long ackedTo;
    /** Segments from this side that carried payload (retransmissions too), as captured. */
    long payloadSegments;
    /** Bytes held out of order; null when none. */
    private PendingSegments pending;

    HalfStream(TcpConnection connection, boolean fromClient) {
        this.connection = connection;
        this.fromClient = fromClient;
    }

    long offsetOf(long seq) {
        return next + ((int) seq - (base + (int) next));
    }

    void baseAt(long seq) {
        base = (int) seq;
        based = true;
    }

    boolean holdsData() {
        return pending != null;
    }

    /** Payload bytes held out of order. */
    long heldBytes() {
        return pending == null ? 0 : pending.bytes();
    }

    /**
     * A segment's payload (possibly empty) and FIN. {@code dataSeq} is the sequence number of its
     * first payload byte (the SYN's sequence number plus one for a SYN).
     */
    void receive(TcpReassembler r, long dataSeq, ByteBuf payload, boolean finFlag) {
        int length = payload == null ? 0 : payload.readableBytes();
        if (!based) {
            if (length == 0 && !finFlag) {
                return;
            }
            baseAt(dataSeq); // no SYN seen: the stream starts at the first byte captured
        }
        long o = offsetOf(dataSeq);
        long end = o + length;
        if (finFlag && fin < 0 && end >= next) {
            fin = end; // a FIN behind bytes already delivered is not believed
        }
        if (ended) {
            r.counters.beyondFinBytes += Math.max(0, end - Math.max(o, fin));
            r.counters.duplicateBytes += Math.max(0, Math.min(end, fin) - o);
            return;
        }
        long stop = fin >= 0 ? Math.min(end, fin) : end;
        if (end > stop) {
            r.counters.beyondFinBytes += end - Math.max(o, stop);
        }
        if (pending != null && pending.firstStart() <= next) {
            drain(r); // only after a listener threw in the middle of a delivery
        }
        if (o < next) {
            r.counters.duplicateBytes += Math.max(0, Math.min(stop, next) - o);
        }
        if (stop > next) {
            int readerIndex = payload.readerIndex();
            if (o <= next) {
                inOrder(r, payload, readerIndex, o, stop);
            } else if (stop > o) { // (not all of it beyond the FIN)
                outOfOrder(r, payload, readerIndex, o, stop);
            }
        }
        reachFin(r);
    }

    /** Bytes [o, stop) with o <= next < stop: delivered now, interleaved with held bytes (which win). */
    private void inOrder(TcpReassembler r, ByteBuf payload, int readerIndex, long o, long stop) {
        long from = next;
        long live = 0;
        while (next < stop) {
            if (pending != null) {
                long held = pending.firstStart();
                if (held <= next) {
                    deliverFirstHeld(r);
                    continue;
                }
                if (held < stop) {
                    live += deliverLive(r, payload, readerIndex, o, held);
                    continue;
                }
            }
            live += deliverLive(r, payload, readerIndex, o, stop);
        }
        r.counters.duplicateBytes += (stop - from) - live;
        drain(r);
    }

    private void outOfOrder(TcpReassembler r, ByteBuf payload, int readerIndex, long o, long stop) {
        if (pending == null) {
            pending = new PendingSegments();
        }
        int length = (int) (stop - o);
        long added = pending.insert(o, payload, readerIndex, length);
        r.counters.outOfOrderSegments++;
        r.counters.duplicateBytes += length - added;
        while (pending != null && pending.charged() > r.options.maxBufferedPerDirection()) {
            skipTo(r, pending.firstStart());
        }
    }

    /** Delivers payload bytes [next, to) (stream offsets; the payload starts at offset o) as they are. */
    private int deliverLive(TcpReassembler r, ByteBuf payload, int readerIndex, long o, long to) {
        long at = next;
        int index = readerIndex + (int) (at - o);
        int length = (int) (to - at);
        int writerIndex = payload.writerIndex();
        next = to;
        r.counters.deliveredBytes += length;
        payload.setIndex(index, index + length);
        try {
            r.listener.data(connection, fromClient, r.packetNumber, r.timestamp, payload, at);
        } finally {
            payload.setIndex(readerIndex, writerIndex);
        }
        return length;
    }

    /** Delivers the part of the first held piece from {@link #next} on (and before the FIN), and drops the piece. */
    private void deliverFirstHeld(TcpReassembler r) {
        long start = pending.firstStart();
        byte[] bytes = pending.firstData();
        pending.removeFirst();
        if (pending.isEmpty()) {
            pending = null;
        }
        long end = start + bytes.length;
        long to = fin >= 0 ? Math.min(end, fin) : end;
        if (end > to) {
            r.counters.beyondFinBytes += end - Math.max(start, to);
        }
        if (start < next) {
            r.counters.duplicateBytes += Math.min(next, end) - start;
        }
        if (to > next) {
            long at = next;
            next = to;
            r.counters.deliveredBytes += to - at;
            ByteBuf view = Unpooled.wrappedBuffer(bytes, (int) (at - start), (int) (to - at));
            r.listener.data(connection, fromClient, r.packetNumber, r.timestamp, view, at);
        }
    }

    private void drain(TcpReassembler r) {
        while (pending != null && pending.firstStart() <= next) {
            deliverFirstHeld(r);
        }
    }

    /** Declares [next, offset) missing and delivers what was held behind it. */
    private void skipTo(TcpReassembler r, long offset) {
        if (offset <= next) {
            return;
        }
        long at = next;
        next = offset;
        r.counters.gaps++;
        r.counters.gapBytes += offset - at;
        r.listener.gap(connection, fromClient, r.packetNumber, r.timestamp, at, offset - at);
        drain(r);
    }

    private void reachFin(TcpReassembler r) {
        if (fin >= 0 && next >= fin && !ended) {
            ended = true;
            if (pending != null) {
                // held before the FIN was known, and all beyond it (the rest was drained)
                r.counters.beyondFinBytes += pending.bytes();
                pending = null;
            }
        }
    }

    /** The other side acknowledged up to {@code ackSeq}. */
    void acknowledged(TcpReassembler r, long ackSeq) {
        if (!based) {
            return;
        }
        long a = offsetOf(ackSeq);
        if (a <= ackedTo) {
            return;
        }
        ackedTo = a;
        if (r.options.gapsFromAcks() && fin >= 0 && a > fin && !ended) {
            flushTo(r, fin); // the FIN was received: nothing before it can still come
        }
    }

    /**
     * A segment from this side arrived (after its payload was taken): if the other side had
     * already acknowledged past the next expected byte and bytes after it are held, the bytes in
     * between were received but not captured, and a later segment of this side came after them.
     */
    void afterSegment(TcpReassembler r) {
        sentAnything = true;
        if (r.options.gapsFromAcks()) {
            while (pending != null && ackedTo > next) {
                skipTo(r, Math.min(ackedTo, pending.firstStart()));
            }
            reachFin(r);
        }
    }

    /**
     * The connection closes: every hole becomes a gap, up to the FIN or what the other side
     * acknowledged. An acknowledgment of exactly one sequence number past the last byte captured
     * (with no FIN seen) acknowledges a FIN that is not in the capture, not a lost byte.
     */
    void close(TcpReassembler r) {
        if (ended || !based) {
            return;
        }
        if (fin < 0 && r.options.gapsFromAcks()) {
            flushTo(r, next); // the held bytes first: next is then the end of what was captured
            flushTo(r, ackedTo == next + 1 ? next : Math.max(next, ackedTo));
            return;
        }
        flushTo(r, fin >= 0 ? fin : next);
    }

    private void flushTo(TcpReassembler r, long offset) {
        while (pending != null) {
            skipTo(r, pending.firstStart());
        }
        skipTo(r, offset);
        reachFin(r);
    }
}

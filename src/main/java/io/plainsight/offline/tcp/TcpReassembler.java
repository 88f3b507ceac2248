package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;

/**
 * Turns captured TCP segments, in capture order, into each connection's two ordered byte
 * streams, reported to a {@link StreamListener}. Pure: no threads, no I/O; one thread calls it.
 *
 * <p>What it does with the segments of a connection (see the package documentation for the
 * reasons):
 * <ul>
 * <li>Bytes are delivered as soon as they are contiguous, in capture order across both
 * directions. In-order payloads are passed through without a copy; only bytes that arrive
 * ahead of a hole are copied and held, up to {@link ReassemblyOptions#maxBufferedPerDirection}.
 * <li>Retransmissions and overlaps: for any stream byte, the first captured copy wins; later
 * copies are dropped even if they differ.
 * <li>A hole that cannot fill any more is reported as a {@link StreamListener#gap} with its
 * offset and length, and the stream goes on after it.
 * <li>Sequence numbers wrap around at 2^32; streams may be longer than 4 GiB.
 * <li>Without a SYN (a capture started mid-connection), a direction's stream starts at its
 * first captured payload byte; keep-alives (0 or 1 byte at the next sequence number minus one)
 * are old bytes and ignored; a zero-window probe's byte is the stream's next byte, delivered once.
 * <li>A connection closes on FIN from both sides (once all their bytes are in), on RST, when a
 * SYN reuses its addresses and ports ({@link CloseReason#REUSED}), or at {@link #finish}.
 * </ul>
 * Bad input never throws: impossible segments are counted in {@link #counters()} and ignored.
 */
public final class TcpReassembler {
    final StreamListener listener;
    final ReassemblyOptions options;
    final ReassemblyCounters counters = new ReassemblyCounters();
    private final HashMap<ConnectionKey, TcpConnection> table = new HashMap<>();
    private final ConnectionKey probe = new ConnectionKey();
    /** Closed by FIN or RST, still answering for their addresses and ports, oldest first. */
    private final ArrayDeque<TcpConnection> lingering = new ArrayDeque<>();
    private long nextId;
    private int open;
    /** The packet being handled (or the last one), for the events it causes. */
    long packetNumber = -1;
    long timestamp;
    /** The latest capture time seen. */
    private long now = Long.MIN_VALUE;
    private boolean busy;

    public TcpReassembler(StreamListener listener, ReassemblyOptions options) {
        if (listener == null || options == null) {
            throw new NullPointerException("listener and options are required");
        }
        this.listener = listener;
        this.options = options;
    }

    public TcpReassembler(StreamListener listener) {
        this(listener, ReassemblyOptions.defaults());
    }

    /**
     * One captured TCP segment. The reassembler neither retains nor releases {@code payload}; it
     * copies what it holds, and may pass {@code payload} itself (with its indexes narrowed during
     * the call) to {@link StreamListener#data}.
     *
     * @param packetNumber    the capture's packet number (1 for the first, like tshark's), echoed in events
     * @param timestampMicros capture time; it need not increase (the latest one seen is "now")
     * @param seq             the raw sequence number, 0 to 2^32-1 (only the low 32 bits are read)
     * @param ack             the raw acknowledgment number, read only with {@link TcpFlags#ACK}
     * @param flags           {@link TcpFlags} bits
     * @param payload         the TCP payload, readable bytes only; null or empty for none. A
     *                        payload cut short by the capture's snap length must be passed as
     *                        what was captured; the missing rest then becomes a gap.
     * @return the connection the segment belongs to (also one that closed already), or null for
     *     an invalid segment
     */
    public TcpConnection segment(long packetNumber, long timestampMicros, InetAddress src, int srcPort, InetAddress dst,
                        int dstPort, long seq, long ack, int flags, ByteBuf payload) {
        enter();
        try {
            counters.segments++;
            if (src == null || dst == null || (srcPort & ~0xFFFF) != 0 || (dstPort & ~0xFFFF) != 0) {
                counters.invalidSegments++;
                return null;
            }
            if (payload != null) {
                counters.payloadBytes += payload.readableBytes();
            }
            this.packetNumber = packetNumber;
            this.timestamp = timestampMicros;
            if (timestampMicros > now) {
                now = timestampMicros;
                expireLingering();
            }
            boolean rst = (flags & TcpFlags.RST) != 0;
            boolean syn = (flags & TcpFlags.SYN) != 0 && !rst;
            TcpConnection c = table.get(probe.set(src, srcPort, dst, dstPort));
            if (c == null) {
                c = open(null, src, srcPort, dst, dstPort, flags);
            } else if (c.closed) {
                if (!syn || !c.startsAnother(src, srcPort, seq, flags)) {
                    counters.afterCloseSegments++;
                    return c; // still its packet (a last ACK, a retransmitted FIN)
                }
                c = open(c.key, src, srcPort, dst, dstPort, flags);
            } else if (syn && c.startsAnother(src, srcPort, seq, flags)) {
                close(c, CloseReason.REUSED);
                c = open(c.key, src, srcPort, dst, dstPort, flags);
            }
            if (rst) {
                close(c, CloseReason.RST);
                return c;
            }
            c.segment(this, src, srcPort, seq, ack, flags, payload);
            return c;
        } finally {
            busy = false;
        }
    }

    /**
     * The capture ended: every open connection (in {@link TcpConnection#id()} order) has its holes
     * declared as gaps and is closed with {@link CloseReason#EOF}. The reassembler can be used
     * again afterwards (numbering goes on).
     */
    public void finish(long timestampMicros) {
        enter();
        try {
            timestamp = timestampMicros;
            List<TcpConnection> still = new ArrayList<>(open);
            for (TcpConnection c : table.values()) {
                if (!c.closed) {
                    still.add(c);
                }
            }
            still.sort(Comparator.comparingLong(TcpConnection::id));
            for (TcpConnection c : still) {
                close(c, CloseReason.EOF);
            }
            table.clear();
            lingering.clear();
        } finally {
            busy = false;
        }
    }

    /** Connections opened and not yet closed. */
    public int openConnections() {
        return open;
    }

    /** Connections the reassembler still knows: open ones plus closed ones lingering. */
    public int trackedConnections() {
        return table.size();
    }

    public ReassemblyCounters counters() {
        return counters;
    }

    // ---------------------------------------------------------------- internals

    private void enter() {
        if (busy) {
            throw new IllegalStateException("TcpReassembler called from inside its own listener");
        }
        busy = true;
    }

    private TcpConnection open(ConnectionKey key, InetAddress src, int srcPort, InetAddress dst, int dstPort, int flags) {
        boolean syn = (flags & (TcpFlags.SYN | TcpFlags.RST)) == TcpFlags.SYN;
        boolean sourceIsClient = syn ? (flags & TcpFlags.ACK) == 0 : ServerPortRule.sourceIsClient(srcPort, dstPort);
        if (key == null) {
            key = probe.copy();
        }
        TcpConnection c = sourceIsClient
                ? new TcpConnection(this, key, nextId++, src, srcPort, dst, dstPort, syn)
                : new TcpConnection(this, key, nextId++, dst, dstPort, src, srcPort, syn);
        table.put(key, c);
        open++;
        counters.connections++;
        listener.opened(c, packetNumber, timestamp);
        return c;
    }

    /** Declares what is missing, reports the close, and keeps the connection lingering (FIN, RST) or forgets it. */
    void close(TcpConnection c, CloseReason reason) {
        c.flush(this);
        c.closed = true;
        c.closedAt = now;
        open--;
        if (reason == CloseReason.FIN || reason == CloseReason.RST) {
            if (options.closedLingerMicros() > 0) {
                lingering.addLast(c);
            } else {
                table.remove(c.key);
            }
        } else if (reason == CloseReason.EOF) {
            table.remove(c.key);
        } // REUSED: the caller puts the new connection in its place
        listener.closed(c, timestamp, reason);
    }

    private void expireLingering() {
        while (!lingering.isEmpty()) {
            TcpConnection c = lingering.peekFirst();
            if (now - c.closedAt <= options.closedLingerMicros()) {
                return;
            }
            lingering.pollFirst();
            if (table.get(c.key) == c) {
                table.remove(c.key);
            }
        }
    }
}

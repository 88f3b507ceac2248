package io.plainsight.offline.tcp;

/**
 * Limits and choices of {@link TcpReassembler}.
 *
 * @param maxBufferedPerDirection bytes one direction may hold out of order, waiting for a hole
 *        to fill; each held piece is charged its length plus {@link #PIECE_OVERHEAD}. Beyond it,
 *        the oldest hole is declared a gap and the bytes after it are delivered. At least 0 (0:
 *        every hole is a gap at once, nothing is held).
 * @param closedLingerMicros capture time a connection closed by FIN or RST keeps its addresses
 *        and ports, so that its late packets (the last ACK, retransmissions) are not taken for a
 *        new connection. A SYN ends the lingering at once (port reuse). At least 0.
 * @param gapsFromAcks whether the receiver's acknowledgments declare holes: when the receiver
 *        has acknowledged past the next expected byte and the sender sends a later segment, or
 *        when it acknowledges the sender's FIN, the bytes it acknowledged were sent and received
 *        but not captured, so waiting for them is pointless. Off: holes wait for the buffer
 *        limit or the close.
 */
public record ReassemblyOptions(long maxBufferedPerDirection, long closedLingerMicros, boolean gapsFromAcks) {
    /** Bytes charged per out-of-order piece beyond its payload (headers, the array slot). */
    public static final int PIECE_OVERHEAD = 64;

    public ReassemblyOptions {
        if (maxBufferedPerDirection < 0) {
            throw new IllegalArgumentException("maxBufferedPerDirection < 0: " + maxBufferedPerDirection);
        }
        if (closedLingerMicros < 0) {
            throw new IllegalArgumentException("closedLingerMicros < 0: " + closedLingerMicros);
        }
    }

    /**
     * 16 MiB per direction; 60 s of linger (Linux's TIME_WAIT: after it the hosts themselves no
     * longer know the connection; each lingering connection costs as much as an open one, about
     * 260 bytes); gaps from ACKs.
     */
    public static ReassemblyOptions defaults() {
        return new ReassemblyOptions(16L << 20, 60_000_000L, true);
    }

    public ReassemblyOptions withMaxBufferedPerDirection(long bytes) {
        return new ReassemblyOptions(bytes, closedLingerMicros, gapsFromAcks);
    }

    public ReassemblyOptions withClosedLingerMicros(long micros) {
        return new ReassemblyOptions(maxBufferedPerDirection, micros, gapsFromAcks);
    }

    public ReassemblyOptions withGapsFromAcks(boolean on) {
        return new ReassemblyOptions(maxBufferedPerDirection, closedLingerMicros, on);
    }
}

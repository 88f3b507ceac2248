package io.plainsight.offline.tcp;

import io.netty.buffer.ByteBuf;

/**
 * What {@link TcpReassembler} reports, synchronously, from inside {@link TcpReassembler#segment}
 * and {@link TcpReassembler#finish}. Per connection the order is: {@code opened}, then
 * {@code data} and {@code gap} events of both directions interleaved in the order the capture
 * made them known, then {@code closed} exactly once (also for connections still open at
 * {@link TcpReassembler#finish}). Within one direction, {@code data} and {@code gap} events tile
 * the stream: each starts at the offset where the previous one ended.
 *
 * <p>A listener must not call back into the reassembler's {@code segment} or {@code finish}
 * (that throws {@link IllegalStateException}). If it throws, the exception propagates out of the
 * reassembler's method; the event it was given counts as reported, and the reassembler stays
 * consistent: held bytes that were about to follow are delivered by a later call, and the rest
 * of the segment being delivered is treated as not captured (it fills in if it is sent again,
 * or becomes a gap).
 */
public interface StreamListener {
    /**
     * A new connection: the first packet of its addresses and ports (or a SYN that reuses them).
     * {@link TcpConnection#id()} counts 0, 1, 2... in this order.
     */
    void opened(TcpConnection connection, long packetNumber, long timestampMicros);

    /**
     * Contiguous bytes of one direction. {@code bytes} is readable from its reader index to its
     * writer index and is valid only during the call: it is often (a view of) the caller's packet
     * buffer. Retain a slice, or copy, to keep it; do not release it. Its indexes are restored
     * after the call, so reading from it is fine.
     *
     * @param fromClient    the direction, by the connection's roles at the time of the call
     * @param packetNumber  the packet whose arrival made these bytes contiguous (for bytes that
     *                      waited out of order, the packet that filled the hole before them)
     * @param timestampMicros that packet's timestamp
     * @param streamOffset  the offset of the first byte in this direction's stream (0 is the
     *                      byte after the SYN, or the first byte captured when no SYN was seen)
     */
    void data(TcpConnection connection, boolean fromClient, long packetNumber, long timestampMicros,
              ByteBuf bytes, long streamOffset);

    /**
     * Bytes that the capture does not hold: {@code missingBytes} bytes of the stream starting at
     * {@code streamOffset} (raw sequence number {@link TcpConnection#sequenceAt}) are skipped;
     * the next {@code data} of this direction starts after them. Declared when the bytes can no
     * longer arrive: the receiver acknowledged past them, the out-of-order buffer is full, or the
     * connection closes. A consumer parsing records (TLS) has lost its place.
     *
     * @param packetNumber the packet whose arrival declared the gap (the last packet of the
     *                     capture when {@link TcpReassembler#finish} declares it)
     */
    void gap(TcpConnection connection, boolean fromClient, long packetNumber, long timestampMicros,
             long streamOffset, long missingBytes);

    /** The connection ended; no more events follow for it. */
    void closed(TcpConnection connection, long timestampMicros, CloseReason reason);
}

package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;

/**
 * Decodes one connection's application bytes (both directions, in the order they were relayed),
 * reporting to a {@link DecodeListener}. Pure: no threads, no I/O. Never throws on bad input: it
 * reports the connection as undecodable instead and ignores the rest of that direction.
 */
public interface ConnectionDecoder {
    /**
     * Bytes relayed in {@code direction}: the readable bytes of {@code data}. The decoder copies
     * what it keeps; it must not change {@code data}'s indexes or keep a reference after returning.
     */
    void data(Direction direction, long timestampMicros, ByteBuf data);

    /** The connection ended: report exchanges still open (marked incomplete, with a note). */
    void end(long timestampMicros);
}

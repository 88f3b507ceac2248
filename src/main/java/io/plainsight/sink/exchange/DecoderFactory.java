package io.plainsight.sink.exchange;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import io.plainsight.http.ConnectionDecoder;
import io.plainsight.http.DecodeListener;

/** Picks the decoder for a connection from what it negotiated and its first bytes. */
public interface DecoderFactory {
    /**
     * @param first the first application bytes seen on the connection (not consumed)
     * @param direction who sent them
     * @return a decoder, or null when the connection carries nothing we decode
     */
    ConnectionDecoder create(ConnectionMeta connection, Direction direction, ByteBuf first, DecodeListener listener);

    /**
     * The same choice, with decoders that count response bodies without keeping their bytes (for
     * when no output reads them); by default this factory itself.
     */
    default DecoderFactory withoutResponseBodies() {
        return this;
    }
}

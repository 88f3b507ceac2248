package io.plainsight.http;

import io.plainsight.event.Direction;

/** Where decoders report what they understood. Called on the decoding thread. */
public interface DecodeListener {
    /** A request/response exchange ended (or its connection did). */
    void exchange(Exchange exchange);

    /** A WebSocket message or control frame was complete. */
    void webSocket(WebSocketMessage message);

    /**
     * The decoder cannot make sense of one direction of a connection from {@code offset} (bytes of
     * application data in that direction, from 0) on, and stops decoding it; the raw capture is
     * unaffected.
     */
    void undecodable(long connectionId, Direction direction, long offset, String reason);
}

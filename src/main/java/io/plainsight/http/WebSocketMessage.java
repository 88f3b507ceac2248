package io.plainsight.http;

import io.plainsight.event.Direction;

/**
 * One WebSocket message (data frames reassembled, permessage-deflate decompressed) or control frame.
 *
 * @param payload the payload kept, up to the body limit (text: UTF-8 bytes)
 * @param size the payload size after decompression
 * @param wireSize the frame bytes on the wire (headers, masks and compressed payload)
 * @param closeCode CLOSE only: the status code, or 0 when absent
 * @param closeReason CLOSE only: the reason, or null
 * @param note protocol violations the decoder tolerated ("unmasked client frame"), or that the
 *     message was cut short by the end of the connection; null when there is nothing to say
 */
public record WebSocketMessage(long connectionId, Direction direction, long timestampMicros, Type type, byte[] payload,
        long size, long wireSize, boolean truncated, boolean compressed, int closeCode, String closeReason,
        String note) {

    public enum Type { TEXT, BINARY, PING, PONG, CLOSE }

    /** A message with nothing to note. */
    public WebSocketMessage(long connectionId, Direction direction, long timestampMicros, Type type, byte[] payload,
            long size, long wireSize, boolean truncated, boolean compressed, int closeCode, String closeReason) {
        this(connectionId, direction, timestampMicros, type, payload, size, wireSize, truncated, compressed, closeCode,
                closeReason, null);
    }
}

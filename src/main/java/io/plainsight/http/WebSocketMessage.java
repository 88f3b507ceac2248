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
 */
public record WebSocketMessage(long connectionId, Direction direction, long timestampMicros, Type type, byte[] payload,
        long size, long wireSize, boolean truncated, boolean compressed, int closeCode, String closeReason) {

    public enum Type { TEXT, BINARY, PING, PONG, CLOSE }
}

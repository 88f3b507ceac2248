package io.plainsight.event;

/**
 * A conversation ended. The last event of a connection.
 *
 * @param closedBy which side closed first (null when unknown or on error)
 * @param error a one-line reason when {@code how} is ERROR (or a RST had a cause), else null
 * @param bytesClientToServer application bytes relayed client to server
 * @param bytesServerToClient application bytes relayed server to client
 * @param chunksClientToServer how many reads carried those bytes client to server (the live
 *     modes' nearest thing to a packet count; packets offline), 0 when not counted
 * @param chunksServerToClient the same, server to client
 */
public record ConnectionClosed(
        long connectionId,
        long timestampMicros,
        CloseKind how,
        Direction closedBy,
        String error,
        long bytesClientToServer,
        long bytesServerToClient,
        long chunksClientToServer,
        long chunksServerToClient)
        implements CaptureEvent {

    /** Without chunk counts. */
    public ConnectionClosed(long connectionId, long timestampMicros, CloseKind how, Direction closedBy, String error,
            long bytesClientToServer, long bytesServerToClient) {
        this(connectionId, timestampMicros, how, closedBy, error, bytesClientToServer, bytesServerToClient, 0, 0);
    }
}

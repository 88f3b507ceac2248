package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;

/**
 * Decodes a WebSocket connection (RFC 6455) after an HTTP/1.1 101 Switching Protocols, both
 * directions, with permessage-deflate (RFC 7692) when the server accepted it. Pure: no threads,
 * no I/O; bytes may arrive split anywhere and the directions interleaved.
 *
 * <p>Reported through {@link DecodeListener#webSocket}: each data message once its final frame is
 * read (continuation frames joined; control frames interleaved in a fragmented message reported
 * on their own, in order) and each control frame, stamped with the time of the bytes that
 * completed it. The payload kept is at most {@link DecodeOptions#maxBody()} bytes of the
 * decompressed message; its size counts all of them.
 *
 * <p>Tolerated, and said in {@link WebSocketMessage#note()}: an unmasked client frame or a masked
 * server frame, a payload length in more bytes than needed, a close code an endpoint may not send,
 * a close reason that is not UTF-8, frames after a close frame. At the end of the connection a data
 * message under way is reported with what came of it, noted as cut short.
 *
 * <p>Undecodable (reported through {@link DecodeListener#undecodable}, offset of the frame or, for
 * decompression failures, of the message's first frame; that direction is then ignored): a
 * reserved opcode, a 64-bit length with its top bit set, RSV2/RSV3, RSV1 without permessage-deflate
 * or on a continuation frame, a control frame that is fragmented, longer than 125 bytes or has RSV1,
 * a continuation with no message to continue, a new message inside a fragmented one, a 1-byte close
 * payload, invalid deflate data, and a compressed message that inflates beyond
 * {@link #inflateBound(int)}: decompression then stops (no counting on), so that a decompression
 * bomb costs a bounded amount of work; memory stays bounded in any case, as output goes through a
 * fixed buffer into the kept payload.
 *
 * <p>Offsets count the bytes this decoder was given in that direction, from 0: a caller that hands
 * over mid-connection (after the 101) adds its own base.
 */
public final class WebSocketDecoder implements ConnectionDecoder {
    /** The least decompression bound, whatever the body limit. */
    static final long MIN_INFLATE_BOUND = 16L * 1024 * 1024;

    private final WebSocketReader clientToServer;
    private final WebSocketReader serverToClient;

    /**
     * @param extensions the server's Sec-WebSocket-Extensions response header, or null
     */
    public WebSocketDecoder(long connectionId, DecodeListener listener, DecodeOptions options, String extensions) {
        PerMessageDeflate deflate = PerMessageDeflate.parse(extensions);
        long bound = inflateBound(options.maxBody());
        clientToServer = new WebSocketReader(connectionId, Direction.CLIENT_TO_SERVER, listener, options.maxBody(),
                deflate, bound, extensions);
        serverToClient = new WebSocketReader(connectionId, Direction.SERVER_TO_CLIENT, listener, options.maxBody(),
                deflate, bound, extensions);
    }

    /** How far one compressed message may inflate: 64 times the body limit, and at least 16 MiB. */
    public static long inflateBound(int maxBody) {
        return Math.max(64L * Math.max(0, maxBody), MIN_INFLATE_BOUND);
    }

    @Override
    public void data(Direction direction, long timestampMicros, ByteBuf data) {
        (direction == Direction.CLIENT_TO_SERVER ? clientToServer : serverToClient).data(timestampMicros, data);
    }

    @Override
    public void end(long timestampMicros) {
        clientToServer.end(timestampMicros);
        serverToClient.end(timestampMicros);
    }
}

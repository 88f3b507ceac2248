package io.plainsight.http;

import static io.netty.handler.codec.http2.Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;
import static io.netty.handler.codec.http2.Http2CodecUtil.FRAME_HEADER_LENGTH;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits one direction of an HTTP/2 connection (RFC 9113 section 4) into frames, whatever the
 * sizes of the slices it is fed. Pure code: it copies what it keeps and never holds the caller's
 * buffer.
 *
 * <p>The client's direction starts with the connection preface; each direction's first frame must
 * be SETTINGS. DATA payloads are streamed to the handler as they arrive (never accumulated), with
 * their padding reported apart. GOAWAY keeps its first {@link #MAX_GOAWAY_DEBUG} bytes of debug
 * data, frames of unknown types are skipped, and every other frame is buffered whole (header
 * blocks up to the head limit plus room for padding and priority fields) and handed over once
 * complete. A frame longer than the receiver's SETTINGS_MAX_FRAME_SIZE, a fixed-size frame of the
 * wrong size, a padding length beyond the frame or a header frame over the head limit stops the
 * reader: the handler is told once, with the offset of the frame, and every later byte is ignored.
 */
final class Http2FrameReader {
    /** "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n". */
    static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    /** GOAWAY debug data kept (the rest of the frame is skipped). */
    static final int MAX_GOAWAY_DEBUG = 256;
    /** Room beyond the head limit for a header frame's pad length, padding (255), priority (5) and promised stream (4). */
    private static final int HEADER_FRAME_SLACK = 1 + 255 + 5 + 4;

    /** What the frames are handed to; called during {@link #feed}. */
    interface Handler {
        /**
         * A complete frame other than DATA (unknown types are not reported). {@code payload[0..length)}
         * is only valid during the call; for GOAWAY it may be cut after {@link #MAX_GOAWAY_DEBUG}
         * bytes of debug data.
         */
        void frame(int type, int flags, int streamId, byte[] payload, int length);

        /** A DATA frame starts ({@code length}: its whole payload, pad length and padding included). */
        void dataBegin(int streamId, int flags, int length);

        /** Data bytes of the current DATA frame: {@code buf[index, index + length)}, not to be kept. */
        void dataPayload(ByteBuf buf, int index, int length);

        /** Bytes of the current DATA frame that are not data: the pad length field and the padding. */
        void dataPadding(int length);

        /** The current DATA frame is complete. */
        void dataEnd(int streamId, int flags);

        /** The reader stopped at {@code offset}; nothing more is reported. */
        void failed(long offset, String reason);
    }

    private static final int PREFACE_STATE = 0;
    private static final int HEADER = 1;
    private static final int BUFFER = 2;
    private static final int DATA_PAD_LENGTH = 3;
    private static final int DATA = 4;
    private static final int DATA_PADDING = 5;
    private static final int SKIP = 6;
    private static final int FAILED = 7;

    private final Handler handler;
    private final String sender;
    private final int maxHead;
    private int state;
    private boolean settingsSeen;
    private long offset;
    private int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;

    private final byte[] header = new byte[FRAME_HEADER_LENGTH];
    private int headerFill;
    private int length;
    private int type;
    private int flags;
    private int streamId;
    private long frameOffset;
    private long frameStartMicros;
    /** DATA, BUFFER, SKIP: payload bytes of the current state still to come. */
    private int remaining;
    /** DATA: padding that follows the data. */
    private int padding;
    /** BUFFER: bytes kept of the current frame, and how many are skipped after them (GOAWAY). */
    private byte[] payload = new byte[256];
    private int payloadFill;
    private int keep;

    /**
     * @param handler receives the frames
     * @param client whether this is the client's direction (it starts with the connection preface)
     * @param maxHead the largest header block fragment accepted in one frame
     */
    Http2FrameReader(Handler handler, boolean client, int maxHead) {
        this.handler = handler;
        this.sender = client ? "client" : "server";
        this.maxHead = Math.max(0, maxHead);
        this.state = client ? PREFACE_STATE : HEADER;
    }

    /** The largest frame payload this direction may send (the receiver's SETTINGS_MAX_FRAME_SIZE). */
    void maxFrameSize(int size) {
        this.maxFrameSize = size;
    }

    int maxFrameSize() {
        return maxFrameSize;
    }

    /** Bytes consumed so far. */
    long offset() {
        return offset;
    }

    /** Offset of the first byte of the current (or last) frame. */
    long frameOffset() {
        return frameOffset;
    }

    /** Timestamp of the slice that held the first byte of the current (or last) frame. */
    long frameStartMicros() {
        return frameStartMicros;
    }

    boolean isFailed() {
        return state == FAILED;
    }

    /** Whether the reader is between frames (nothing partial buffered). */
    boolean atFrameBoundary() {
        return state == HEADER && headerFill == 0;
    }

    /** Stops the reader: the handler is told, and later bytes are ignored. Does nothing if already stopped. */
    void fail(long at, String reason) {
        if (state != FAILED) {
            state = FAILED;
            payload = new byte[0];
            handler.failed(at, reason);
        }
    }

    /** Reads the readable bytes of {@code buf} without changing its indexes. */
    void feed(ByteBuf buf, long timestampMicros) {
        int i = buf.readerIndex();
        int end = buf.writerIndex();
        while (i < end && state != FAILED) {
            int n = Math.min(end - i, remaining);
            switch (state) {
                case PREFACE_STATE -> {
                    n = Math.min(end - i, PREFACE.length - (int) offset);
                    if (!matchesPreface(buf, i, n)) {
                        return;
                    }
                }
                case HEADER -> {
                    if (headerFill == 0) {
                        frameOffset = offset;
                        frameStartMicros = timestampMicros;
                    }
                    n = Math.min(end - i, FRAME_HEADER_LENGTH - headerFill);
                    buf.getBytes(i, header, headerFill, n);
                    headerFill += n;
                }
                case BUFFER -> {
                    int take = Math.min(n, keep - payloadFill);
                    if (take > 0) {
                        buf.getBytes(i, payload, payloadFill, take);
                        payloadFill += take;
                    }
                }
                case DATA_PAD_LENGTH -> {
                    n = 1;
                    padding = buf.getUnsignedByte(i);
                }
                case DATA -> handler.dataPayload(buf, i, n);
                case DATA_PADDING -> handler.dataPadding(n);
                case SKIP -> {
                }
                default -> throw new IllegalStateException("state " + state);
            }
            i += n;
            offset += n;
            if (state != HEADER && state != PREFACE_STATE) {
                remaining -= n;
            }
            step();
        }
    }

    /** Checks {@code n} bytes against the preface (from the offset reached); fails the reader if they differ. */
    private boolean matchesPreface(ByteBuf buf, int i, int n) {
        int at = (int) offset;
        for (int k = 0; k < n; k++) {
            byte b = buf.getByte(i + k);
            if (b != PREFACE[at + k]) {
                byte[] sent = Arrays.copyOf(PREFACE, at + k + 1);
                sent[at + k] = b;
                boolean method = at + k == 0 && b >= 'A' && b <= 'Z';
                fail(0, "not HTTP/2: the client did not send the connection preface (it sent \"" + printable(sent)
                        + "\"" + (method ? ", an HTTP/1 request?" : "") + ")");
                return false;
            }
        }
        return true;
    }

    /** After bytes were consumed: completes what the current state can complete without more. */
    private void step() {
        switch (state) {
            case PREFACE_STATE -> {
                if (offset == PREFACE.length) {
                    state = HEADER;
                }
            }
            case HEADER -> {
                if (headerFill == FRAME_HEADER_LENGTH) {
                    headerFill = 0;
                    begin();
                    advance();
                }
            }
            case DATA_PAD_LENGTH -> {
                handler.dataPadding(1);
                if (padding > remaining) {
                    fail(frameOffset, "DATA frame on stream " + streamId + " has " + padding
                            + " bytes of padding in a payload of " + length + " bytes");
                    return;
                }
                remaining -= padding;
                state = DATA;
                advance();
            }
            default -> advance();
        }
    }

    /** Moves on when the current state has no bytes left to read. */
    private void advance() {
        while (remaining == 0) {
            switch (state) {
                case BUFFER -> {
                    state = HEADER;
                    handler.frame(type, flags, streamId, payload, payloadFill);
                }
                case DATA -> {
                    state = DATA_PADDING;
                    remaining = padding;
                }
                case DATA_PADDING -> {
                    state = HEADER;
                    handler.dataEnd(streamId, flags);
                }
                case SKIP -> state = HEADER;
                default -> {
                    return;
                }
            }
        }
    }

    /** A frame header is complete: checks it and chooses how its payload is read. */
    private void begin() {
        length = (header[0] & 0xFF) << 16 | (header[1] & 0xFF) << 8 | header[2] & 0xFF;
        type = header[3] & 0xFF;
        flags = header[4] & 0xFF;
        streamId = ((header[5] & 0x7F) << 24) | (header[6] & 0xFF) << 16 | (header[7] & 0xFF) << 8 | header[8] & 0xFF;
        if (!settingsSeen) {
            if (type != Http2FrameTypes.SETTINGS || (flags & Http2Flags.ACK) != 0) {
                boolean http1 = new String(header, 0, 5, StandardCharsets.ISO_8859_1).equals("HTTP/");
                fail(frameOffset, http1 ? "not HTTP/2: the " + sender + " answered in HTTP/1 (\"" + printable(header) + "\")"
                        : "not HTTP/2: the " + sender + "'s first frame must be SETTINGS, not " + typeName(type)
                                + ((flags & Http2Flags.ACK) != 0 && type == Http2FrameTypes.SETTINGS ? " ACK" : "")
                                + " (\"" + printable(header) + "\")");
                return;
            }
            settingsSeen = true;
        }
        if (length > maxFrameSize) {
            fail(frameOffset, typeName(type) + " frame of " + length + " bytes on stream " + streamId
                    + " is over the SETTINGS_MAX_FRAME_SIZE of " + maxFrameSize + " for the " + sender);
            return;
        }
        String wrongSize = wrongSize();
        if (wrongSize != null) {
            fail(frameOffset, typeName(type) + " frame on stream " + streamId + " " + wrongSize);
            return;
        }
        remaining = length;
        switch (type) {
            case Http2FrameTypes.DATA -> {
                padding = 0;
                state = (flags & Http2Flags.PADDED) != 0 ? DATA_PAD_LENGTH : DATA;
                handler.dataBegin(streamId, flags, length); // may stop the reader
            }
            case Http2FrameTypes.HEADERS, Http2FrameTypes.PUSH_PROMISE, Http2FrameTypes.CONTINUATION -> {
                if (length > maxHead + HEADER_FRAME_SLACK) {
                    fail(frameOffset, typeName(type) + " frame of " + length + " bytes on stream " + streamId
                            + " is over the header block limit of " + maxHead + " bytes");
                    return;
                }
                buffer(length);
            }
            case Http2FrameTypes.GO_AWAY -> buffer(Math.min(length, 8 + MAX_GOAWAY_DEBUG));
            case Http2FrameTypes.SETTINGS, Http2FrameTypes.PRIORITY, Http2FrameTypes.RST_STREAM, Http2FrameTypes.PING,
                    Http2FrameTypes.WINDOW_UPDATE -> buffer(length);
            default -> state = SKIP;
        }
    }

    /** Why the frame's length or stream cannot be right for its type (RFC 9113 section 6), or null. */
    private String wrongSize() {
        boolean padded = (flags & Http2Flags.PADDED) != 0;
        return switch (type) {
            case Http2FrameTypes.DATA -> streamId == 0 ? "must not be on stream 0"
                    : padded && length < 1 ? "is padded but has no pad length" : null;
            case Http2FrameTypes.HEADERS, Http2FrameTypes.CONTINUATION -> streamId == 0 ? "must not be on stream 0" : null;
            case Http2FrameTypes.PUSH_PROMISE -> streamId == 0 ? "must not be on stream 0"
                    : length < (padded ? 5 : 4) ? "has " + length + " bytes, too short for the promised stream id" : null;
            case Http2FrameTypes.PRIORITY -> length != 5 ? "has " + length + " bytes instead of 5" : null;
            case Http2FrameTypes.RST_STREAM -> length != 4 ? "has " + length + " bytes instead of 4"
                    : streamId == 0 ? "must not be on stream 0" : null;
            case Http2FrameTypes.SETTINGS -> streamId != 0 ? "must be on stream 0"
                    : (flags & Http2Flags.ACK) != 0 && length != 0 ? "is an ACK with " + length + " bytes"
                    : length % 6 != 0 ? "has " + length + " bytes, not a multiple of 6"
                    : length > Math.max(maxHead, 6 * 64) ? "has " + length + " bytes of settings" : null;
            case Http2FrameTypes.PING -> length != 8 ? "has " + length + " bytes instead of 8"
                    : streamId != 0 ? "must be on stream 0" : null;
            case Http2FrameTypes.GO_AWAY -> length < 8 ? "has " + length + " bytes, fewer than 8"
                    : streamId != 0 ? "must be on stream 0" : null;
            case Http2FrameTypes.WINDOW_UPDATE -> length != 4 ? "has " + length + " bytes instead of 4" : null;
            default -> null;
        };
    }

    private void buffer(int kept) {
        keep = kept;
        payloadFill = 0;
        if (payload.length < kept) {
            payload = Arrays.copyOf(payload, Math.max(kept, payload.length * 2));
        }
        state = BUFFER;
    }

    /** The name of a frame type ("HEADERS", or "type 0x0b" for unknown types). */
    static String typeName(int type) {
        return switch (type) {
            case Http2FrameTypes.DATA -> "DATA";
            case Http2FrameTypes.HEADERS -> "HEADERS";
            case Http2FrameTypes.PRIORITY -> "PRIORITY";
            case Http2FrameTypes.RST_STREAM -> "RST_STREAM";
            case Http2FrameTypes.SETTINGS -> "SETTINGS";
            case Http2FrameTypes.PUSH_PROMISE -> "PUSH_PROMISE";
            case Http2FrameTypes.PING -> "PING";
            case Http2FrameTypes.GO_AWAY -> "GOAWAY";
            case Http2FrameTypes.WINDOW_UPDATE -> "WINDOW_UPDATE";
            case Http2FrameTypes.CONTINUATION -> "CONTINUATION";
            default -> String.format("type 0x%02x", type);
        };
    }

    /** Bytes as text for a message: printable ASCII as is, anything else as \xNN. */
    static String printable(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xFF;
            if (c == '\r') {
                s.append("\\r");
            } else if (c == '\n') {
                s.append("\\n");
            } else if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
                s.append((char) c);
            } else {
                s.append(String.format("\\x%02x", c));
            }
        }
        return s.toString();
    }
}

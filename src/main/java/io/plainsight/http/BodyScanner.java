package io.plainsight.http;

import io.netty.buffer.ByteBuf;

/**
 * Finds where one HTTP/1.x body ends, incrementally and without changing or consuming any byte,
 * so that a relay can pass bytes on as they arrive and know where the next message starts. Pure
 * code: one instance per body, fed the bytes that follow the head in order.
 *
 * <p>Chunked bodies (RFC 9112 7.1) are checked as they pass: hexadecimal chunk sizes (at most
 * {@code Long.MAX_VALUE}), chunk extensions ({@code ;name=value}, any visible characters and
 * whitespace), CRLF after each chunk's data, the last chunk {@code 0}, trailer fields (a token,
 * a colon, a value without NUL or CR) and the final empty line. Bare LF is accepted wherever CRLF
 * is expected, as for heads; a CR must be followed by LF. A chunk-size line longer than
 * {@link #DEFAULT_MAX_LINE} bytes, or a trailer section longer than
 * {@link Http1HeadParser#DEFAULT_MAX_HEAD}, is rejected. Offsets in exceptions count from the
 * first byte of the body. After an exception the scanner is spent: every later call throws it
 * again.
 */
public final class BodyScanner {
    /** The longest chunk-size line accepted (size and extensions, without CRLF). */
    public static final int DEFAULT_MAX_LINE = 4096;

    /**
     * Receives the parts of a body as {@link #scan} passes over them, for a caller that wants the
     * payload (de-chunked) or the trailers and not only where the body ends. Calls are made before
     * {@code scan} returns, with ranges of the buffer given to it; bytes of a chunked body that
     * turn out to be broken are not passed on.
     */
    public interface Parts {
        /** Payload bytes {@code [index, index + length)} of {@code buf}: the body without chunk framing. */
        void payload(ByteBuf buf, int index, int length);

        /**
         * Bytes of the trailer section of a chunked body, in wire order and possibly in several
         * pieces: the trailer field lines and the empty line that ends the body (checked as
         * described for the class).
         */
        void trailer(ByteBuf buf, int index, int length);
    }

    private static final int SIZE_START = 0;
    private static final int SIZE = 1;
    private static final int SIZE_WS = 2;
    private static final int EXT = 3;
    private static final int SIZE_CR = 4;
    private static final int DATA = 5;
    private static final int DATA_END = 6;
    private static final int DATA_END_LF = 7;
    private static final int TRAILER_START = 8;
    private static final int TRAILER_NAME = 9;
    private static final int TRAILER_VALUE = 10;
    private static final int TRAILER_VALUE_CR = 11;
    private static final int END_CR = 12;
    private static final int DONE = 13;

    private final BodyFraming framing;
    private final int maxLine;
    private final int maxTrailers;
    private final Parts parts;
    private boolean complete;
    private long wireBytes;
    private long dataBytes;
    private Http1ParseException failure;

    // LENGTH: bytes still to come; CHUNKED: bytes still to come in the current chunk's data
    private long remaining;
    private int state = SIZE_START;
    private long chunkSize;
    private int lineLength;
    private int trailerBytes;
    private int trailerLine;

    public BodyScanner(BodyFraming framing) {
        this(framing, DEFAULT_MAX_LINE, Http1HeadParser.DEFAULT_MAX_HEAD);
    }

    /**
     * @param maxLine the longest chunk-size line accepted, in bytes
     * @param maxTrailers the longest trailer section accepted (all trailer lines and the final empty line)
     */
    public BodyScanner(BodyFraming framing, int maxLine, int maxTrailers) {
        this(framing, maxLine, maxTrailers, null);
    }

    /** As {@link #BodyScanner(BodyFraming, int, int)}, reporting payload and trailers to {@code parts} (null: nowhere). */
    public BodyScanner(BodyFraming framing, int maxLine, int maxTrailers, Parts parts) {
        if (framing == null) {
            throw new NullPointerException("framing");
        }
        this.framing = framing;
        this.maxLine = maxLine;
        this.maxTrailers = maxTrailers;
        this.parts = parts;
        switch (framing.kind()) {
            case NONE -> complete = true;
            case LENGTH -> {
                remaining = framing.length();
                complete = remaining == 0;
            }
            default -> { }
        }
    }

    public BodyFraming framing() {
        return framing;
    }

    /**
     * Looks at bytes {@code [index, index + length)} of {@code buf}, which follow the bytes given
     * to earlier calls, and returns how many of them belong to this body (at most {@code length};
     * fewer only when the body ends within them). Neither the buffer's indexes nor its bytes
     * change. Once {@link #isComplete()}, returns 0.
     *
     * @throws Http1ParseException if chunked framing is broken, with the offset from the start
     *     of the body
     */
    public int scan(ByteBuf buf, int index, int length) throws Http1ParseException {
        if (failure != null) {
            throw failure;
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative length " + length);
        }
        if (complete || length == 0) {
            return 0;
        }
        switch (framing.kind()) {
            case LENGTH -> {
                int n = (int) Math.min(remaining, length);
                remaining -= n;
                wireBytes += n;
                dataBytes += n;
                complete = remaining == 0;
                if (parts != null && n > 0) {
                    parts.payload(buf, index, n);
                }
                return n;
            }
            case UNTIL_CLOSE, TUNNEL -> {
                wireBytes += length;
                dataBytes += length;
                if (parts != null) {
                    parts.payload(buf, index, length);
                }
                return length;
            }
            case CHUNKED -> {
                try {
                    return scanChunked(buf, index, length);
                } catch (Http1ParseException e) {
                    failure = e;
                    throw e;
                }
            }
            default -> throw new IllegalStateException(framing.toString());
        }
    }

    /** True once the whole body has been seen: at once for NONE and LENGTH 0, never for UNTIL_CLOSE and TUNNEL. */
    public boolean isComplete() {
        return complete;
    }

    /** Body bytes on the wire seen so far, chunk framing and trailers included. */
    public long wireBytes() {
        return wireBytes;
    }

    /** Payload bytes seen so far: chunk sizes, extensions, CRLFs and trailers excluded. */
    public long dataBytes() {
        return dataBytes;
    }

    private int scanChunked(ByteBuf buf, int index, int length) throws Http1ParseException {
        final int end = index + length;
        int i = index;
        int trailerFrom = -1; // where this call's share of the trailer section starts
        while (i < end) {
            if (state == DATA) {
                int n = (int) Math.min(remaining, end - i);
                remaining -= n;
                dataBytes += n;
                if (parts != null) {
                    parts.payload(buf, i, n);
                }
                i += n;
                if (remaining == 0) {
                    state = DATA_END;
                }
                continue;
            }
            int b = buf.getByte(i) & 0xff;
            long at = wireBytes + (i - index);
            if (trailerFrom < 0 && state >= TRAILER_START) {
                trailerFrom = i;
            }
            switch (state) {
                case SIZE_START -> {
                    int digit = hexValue(b);
                    if (digit < 0) {
                        throw error(b == '\r' || b == '\n' ? "empty chunk size"
                                : "invalid character " + Http1HeadParser.hex(b) + " in chunk size", at);
                    }
                    chunkSize = digit;
                    lineLength = 1;
                    state = SIZE;
                }
                case SIZE -> {
                    int digit = hexValue(b);
                    if (digit >= 0) {
                        if (chunkSize > (Long.MAX_VALUE >> 4)) {
                            throw error("chunk size overflows 63 bits", at);
                        }
                        chunkSize = (chunkSize << 4) | digit;
                        countLine(at);
                    } else {
                        sizeLineByte(b, at, "in chunk size");
                    }
                }
                case SIZE_WS -> sizeLineByte(b, at, "after chunk size");
                case EXT -> {
                    if (b == '\r') {
                        state = SIZE_CR;
                    } else if (b == '\n') {
                        endSizeLine();
                    } else if ((b < 0x20 && b != '\t') || b == 0x7f) {
                        throw error("invalid character " + Http1HeadParser.hex(b) + " in chunk extension", at);
                    } else {
                        countLine(at);
                    }
                }
                case SIZE_CR -> {
                    if (b != '\n') {
                        throw error("CR not followed by LF in chunk size line", at);
                    }
                    endSizeLine();
                }
                case DATA_END -> {
                    if (b == '\r') {
                        state = DATA_END_LF;
                    } else if (b == '\n') {
                        state = SIZE_START;
                    } else {
                        throw error("chunk data not followed by CRLF (found " + Http1HeadParser.hex(b) + ")", at);
                    }
                }
                case DATA_END_LF -> {
                    if (b != '\n') {
                        throw error("chunk data not followed by CRLF (found CR " + Http1HeadParser.hex(b) + ")", at);
                    }
                    state = SIZE_START;
                }
                case TRAILER_START -> {
                    countTrailer(at);
                    trailerLine++;
                    if (b == '\r') {
                        state = END_CR;
                    } else if (b == '\n') {
                        return finish(buf, trailerFrom, i + 1, index);
                    } else if (b == ' ' || b == '\t') {
                        throw error(trailer() + "starts with whitespace (obs-fold continuation line)", at);
                    } else if (b == ':') {
                        throw error(trailer() + "empty field name", at);
                    } else if (!Http1HeadParser.isTchar(b)) {
                        throw error(trailer() + "invalid character " + Http1HeadParser.hex(b) + " in field name", at);
                    } else {
                        state = TRAILER_NAME;
                    }
                }
                case TRAILER_NAME -> {
                    countTrailer(at);
                    if (b == ':') {
                        state = TRAILER_VALUE;
                    } else if (b == ' ' || b == '\t') {
                        throw error(trailer() + "whitespace in field name", at);
                    } else if (b == '\r' || b == '\n') {
                        throw error(trailer() + "missing colon", at);
                    } else if (!Http1HeadParser.isTchar(b)) {
                        throw error(trailer() + "invalid character " + Http1HeadParser.hex(b) + " in field name", at);
                    }
                }
                case TRAILER_VALUE -> {
                    countTrailer(at);
                    if (b == '\r') {
                        state = TRAILER_VALUE_CR;
                    } else if (b == '\n') {
                        state = TRAILER_START;
                    } else if (b == 0) {
                        throw error(trailer() + "NUL in field value", at);
                    }
                }
                case TRAILER_VALUE_CR -> {
                    countTrailer(at);
                    if (b != '\n') {
                        throw error(trailer() + "CR in field value", at - 1);
                    }
                    state = TRAILER_START;
                }
                case END_CR -> {
                    countTrailer(at);
                    if (b != '\n') {
                        throw error("CR not followed by LF at the end of the chunked body", at);
                    }
                    return finish(buf, trailerFrom, i + 1, index);
                }
                default -> throw new IllegalStateException("state " + state);
            }
            i++;
        }
        if (parts != null && trailerFrom >= 0) {
            parts.trailer(buf, trailerFrom, end - trailerFrom);
        }
        wireBytes += length;
        return length;
    }

    /** A byte after the hex digits of a chunk size: whitespace, ';', or the line end. */
    private void sizeLineByte(int b, long at, String where) throws Http1ParseException {
        if (b == ' ' || b == '\t') {
            state = SIZE_WS;
            countLine(at);
        } else if (b == ';') {
            state = EXT;
            countLine(at);
        } else if (b == '\r') {
            state = SIZE_CR;
        } else if (b == '\n') {
            endSizeLine();
        } else {
            throw error("invalid character " + Http1HeadParser.hex(b) + " " + where, at);
        }
    }

    private void countLine(long at) throws Http1ParseException {
        if (++lineLength > maxLine) {
            throw error("chunk size line longer than " + maxLine + " bytes", at);
        }
    }

    private void countTrailer(long at) throws Http1ParseException {
        if (++trailerBytes > maxTrailers) {
            throw error("trailer section longer than " + maxTrailers + " bytes", at);
        }
    }

    private void endSizeLine() {
        if (chunkSize == 0) {
            state = TRAILER_START;
        } else {
            remaining = chunkSize;
            state = DATA;
        }
    }

    /** The body ended before {@code stop}, in the call that started at {@code index}. */
    private int finish(ByteBuf buf, int trailerFrom, int stop, int index) {
        if (parts != null) {
            parts.trailer(buf, trailerFrom, stop - trailerFrom);
        }
        int share = stop - index;
        wireBytes += share;
        state = DONE;
        complete = true;
        return share;
    }

    private String trailer() {
        return "trailer line " + trailerLine + ": ";
    }

    private static int hexValue(int b) {
        if (b >= '0' && b <= '9') {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f') {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F') {
            return b - 'A' + 10;
        }
        return -1;
    }

    private static Http1ParseException error(String message, long at) {
        return new Http1ParseException(message, at);
    }
}

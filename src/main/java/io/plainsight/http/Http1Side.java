package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * One direction of an HTTP/1 connection as {@link Http1Decoder} reads it: its bytes, where it is
 * (a head, a body, held back, or no longer read), and the message being read.
 */
final class Http1Side implements BodyScanner.Parts {
    enum State {
        /** Waiting for (the rest of) a message head. */
        HEAD,
        /** Reading the body of {@link #message}. */
        BODY,
        /** Client only: bytes after an Upgrade or CONNECT request, kept until its response decides what they are. */
        HELD,
        /** Undecodable, or the connection switched protocols: bytes are ignored. */
        DEAD
    }

    final Direction direction;
    /** Head lines parsed before (on any connection of this thread), or null. */
    private final Http1LineCache lines;
    final Http1Input input = new Http1Input();
    State state = State.HEAD;

    /** The message being read (BODY), its exchange, and where its body started. */
    HttpMessage message;
    Http1Decoder.Pending pending;
    BodyScanner scanner;
    long bodyOffset;
    /** Timestamp of the last byte of {@link #message} seen so far. */
    long lastMicros;

    // the head being read: bytes already looked at, and what they hold of a request line
    private int headSeen;
    private boolean startLineBegun;
    private boolean startLineEnded;
    private boolean methodEnded;
    private boolean badMethodByte;

    private byte[] trailer = new byte[0];
    private int trailerLength;

    Http1Side(Direction direction, Http1LineCache lines) {
        this.direction = direction;
        this.lines = lines;
    }

    boolean isClient() {
        return direction == Direction.CLIENT_TO_SERVER;
    }

    /**
     * The head at the reader index of {@code work}, or null while it is incomplete. The parser
     * (which starts over each time) runs only when the new bytes can change its answer: a line
     * end, the size limit reached, a response's first five bytes (which must be "HTTP/"), or a
     * byte before the first space of a request line that is not a token character (an invalid
     * method: non-HTTP clients are told at once). So when a direction fails does not depend on
     * how its bytes were split.
     */
    Http1Head head(ByteBuf work, int maxHead) throws Http1ParseException {
        if (headSeen == 0 && work.indexOf(work.readerIndex(), work.writerIndex(), (byte) '\n') >= 0) {
            // the usual case, a new head with a line end: the scan below would parse at once too;
            // only when the head is not complete yet does it run, to note what it has seen
            Http1Head head = parseHead(work, maxHead);
            if (head != null) {
                return head;
            }
        }
        int available = work.readableBytes();
        boolean parse = available >= maxHead || (!isClient() && headSeen < 5);
        int i = work.readerIndex() + Math.min(headSeen, available);
        int end = work.writerIndex();
        while (i < end) {
            if (startLineEnded || !isClient()) {
                parse |= work.indexOf(i, end, (byte) '\n') >= 0;
                break;
            }
            byte b = work.getByte(i++);
            if (b == '\n') {
                parse = true;
                startLineEnded = startLineBegun; // else an empty line before the request line
            } else if (!startLineBegun && b != '\r') {
                startLineBegun = true;
            }
            if (startLineBegun && !startLineEnded && !methodEnded) {
                if (b == ' ') {
                    methodEnded = true;
                } else if (!Http1HeadParser.isTchar(b)) {
                    badMethodByte = true; // the parser decides (a CR may be the line's end)
                }
            }
        }
        headSeen = available;
        if (!parse && !badMethodByte) {
            return null;
        }
        return parseHead(work, maxHead);
    }

    /** Parses the head at the reader index of {@code work} now, whatever was seen before. */
    Http1Head parseHead(ByteBuf work, int maxHead) throws Http1ParseException {
        Http1Head head = isClient() ? Http1HeadParser.parseRequest(work, maxHead, lines)
                : Http1HeadParser.parseResponse(work, maxHead, lines);
        if (head != null) {
            headSeen = 0;
            startLineBegun = false;
            startLineEnded = false;
            methodEnded = false;
            badMethodByte = false;
        }
        return head;
    }

    /** Starts reading the body of {@code m} (framing other than NONE) at direction offset {@code offset}. */
    void startBody(HttpMessage m, Http1Decoder.Pending p, BodyFraming framing, long offset, int maxTrailers) {
        message = m;
        pending = p;
        scanner = new BodyScanner(framing, BodyScanner.DEFAULT_MAX_LINE, maxTrailers, this);
        bodyOffset = offset;
        lastMicros = m.endMicros;
        trailerLength = 0;
        state = State.BODY;
    }

    /** Forgets the message read (its body ended or was given up). */
    void endBody() {
        message = null;
        pending = null;
        scanner = null;
        trailerLength = 0;
        if (trailer.length > 4096) {
            trailer = new byte[0];
        }
    }

    @Override
    public void payload(ByteBuf buf, int index, int length) {
        message.body.append(buf, index, length);
    }

    @Override
    public void trailer(ByteBuf buf, int index, int length) {
        if (trailerLength + length > trailer.length) {
            trailer = Arrays.copyOf(trailer, Math.max(trailerLength + length, trailer.length * 2));
        }
        buf.getBytes(index, trailer, trailerLength, length);
        trailerLength += length;
    }

    /** Adds the trailer fields seen (already checked by the scanner) to {@code out}. */
    void trailers(List<Http1Header> out) {
        int start = 0;
        while (start < trailerLength) {
            int lf = start;
            while (lf < trailerLength && trailer[lf] != '\n') {
                lf++;
            }
            int end = lf > start && trailer[lf - 1] == '\r' ? lf - 1 : lf;
            int colon = start;
            while (colon < end && trailer[colon] != ':') {
                colon++;
            }
            if (colon < end) {
                int a = colon + 1;
                int z = end;
                while (a < z && (trailer[a] == ' ' || trailer[a] == '\t')) {
                    a++;
                }
                while (z > a && (trailer[z - 1] == ' ' || trailer[z - 1] == '\t')) {
                    z--;
                }
                out.add(new Http1Header(new String(trailer, start, colon - start, StandardCharsets.ISO_8859_1),
                        new String(trailer, a, z - a, StandardCharsets.ISO_8859_1)));
            }
            start = lf + 1;
        }
    }
}

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

    /** A head shorter than this is parsed before its first line ends, so that non-HTTP bytes are told at once. */
    private static final int EARLY_START_LINE = 256;

    final Direction direction;
    final Http1Input input = new Http1Input();
    State state = State.HEAD;

    /** The message being read (BODY), its exchange, and where its body started. */
    HttpMessage message;
    Http1Decoder.Pending pending;
    BodyScanner scanner;
    long bodyOffset;
    /** Timestamp of the last byte of {@link #message} seen so far. */
    long lastMicros;

    // the head being read: bytes already looked at, and whether they hold a line end
    private int headSeen;
    private boolean headHasLf;

    private byte[] trailer = new byte[0];
    private int trailerLength;

    Http1Side(Direction direction) {
        this.direction = direction;
    }

    boolean isClient() {
        return direction == Direction.CLIENT_TO_SERVER;
    }

    /**
     * The head at the reader index of {@code work}, or null while it is incomplete. The parser
     * runs again only when new bytes can change its answer: a new line end, the size limit
     * reached, or a first line still short enough to be checked early.
     */
    Http1Head head(ByteBuf work, int maxHead) throws Http1ParseException {
        int available = work.readableBytes();
        int from = work.readerIndex() + Math.min(headSeen, available);
        boolean newLine = work.indexOf(from, work.writerIndex(), (byte) '\n') >= 0;
        boolean parse = newLine || available >= maxHead || (!headHasLf && available <= EARLY_START_LINE);
        headSeen = available;
        headHasLf |= newLine;
        if (!parse) {
            return null;
        }
        Http1Head head = isClient() ? Http1HeadParser.parseRequest(work, maxHead) : Http1HeadParser.parseResponse(work, maxHead);
        if (head != null) {
            headSeen = 0;
            headHasLf = false;
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

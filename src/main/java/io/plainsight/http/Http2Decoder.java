package io.plainsight.http;

import static io.netty.handler.codec.http2.Http2CodecUtil.DEFAULT_MAX_FRAME_SIZE;
import static io.netty.handler.codec.http2.Http2CodecUtil.MAX_FRAME_SIZE_LOWER_BOUND;
import static io.netty.handler.codec.http2.Http2CodecUtil.MAX_FRAME_SIZE_UPPER_BOUND;
import static io.netty.handler.codec.http2.Http2CodecUtil.SETTINGS_HEADER_TABLE_SIZE;
import static io.netty.handler.codec.http2.Http2CodecUtil.SETTINGS_MAX_FRAME_SIZE;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Flags;
import io.netty.handler.codec.http2.Http2FrameTypes;
import io.plainsight.event.Direction;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.TreeMap;

/**
 * Decodes the plaintext of one HTTP/2 connection (RFC 9113) into exchanges, one per stream.
 *
 * <p>Each direction is split into frames by its own {@link Http2FrameReader} and its header blocks
 * are decoded by its own {@link HpackBlockDecoder}. SETTINGS_HEADER_TABLE_SIZE and
 * SETTINGS_MAX_FRAME_SIZE announced by one side bound what the other side sends once the other side
 * acknowledges them (a larger frame size is allowed at once). Request pseudo-header fields fill
 * {@link HttpMessage#method}, {@link HttpMessage#target}, {@link HttpMessage#scheme} (else the
 * connection's scheme) and {@link HttpMessage#authority} (else the Host field); {@code :status}
 * fills {@link HttpMessage#status}; the other fields go to {@link HttpMessage#headers} in wire
 * order. A header block after the first one on the same side of a stream holds trailers. 1xx
 * responses go to {@link Exchange#interim}. {@link HttpMessage#headerBytes} counts the compressed
 * header block fragments (padding and priority fields excluded; trailers included), and
 * {@link HttpMessage#wireBodyBytes} the DATA payloads with their padding. A message is complete
 * when its END_STREAM was seen. PUSH_PROMISE opens a pushed exchange on the promised stream.
 *
 * <p>An exchange is reported when its response ends or either side resets its stream; the rest
 * when the connection ends, with a note saying what is missing and why (the connection closed, a
 * GOAWAY that left the stream unprocessed, a direction that could not be decoded). Bad input in one
 * direction (no preface, a frame over the size limit, a malformed frame, an HPACK error, a header
 * block over {@link DecodeOptions#maxHead()}) is reported through
 * {@link DecodeListener#undecodable} and the rest of that direction is ignored; the other direction
 * is still decoded. A header list that decodes to more than 4 × maxHead bytes (RFC 7541 sizes) keeps
 * its first fields, with a note. A request still being sent when its response ends keeps what came
 * before (with a note); frames of a stream after its exchange was reported are ignored.
 */
public final class Http2Decoder implements ConnectionDecoder {
    /** Settings not yet acknowledged kept per side; beyond this the oldest are applied without waiting. */
    private static final int MAX_UNACKNOWLEDGED = 64;
    /** Decoded header lists are kept up to this many times maxHead: indexed fields decode to far more than their bytes. */
    private static final long MAX_LIST_FACTOR = 4;

    private final long connectionId;
    private final DecodeListener listener;
    private final DecodeOptions options;
    private final String scheme;
    private final Side client;
    private final Side server;
    private final TreeMap<Integer, Http2StreamState> streams = new TreeMap<>();
    /** The highest stream id the client opened. */
    private int lastClientStream;
    /** The highest stream id the server promised. */
    private int lastPromisedStream;
    private boolean ended;

    /**
     * A decoder for a connection that starts with the client connection preface (h2 negotiated by
     * ALPN, or h2c with prior knowledge).
     *
     * @param scheme "https" or "http": the scheme of requests that have no {@code :scheme}
     */
    public Http2Decoder(long connectionId, DecodeListener listener, DecodeOptions options, String scheme) {
        this.connectionId = connectionId;
        this.listener = listener;
        this.options = options;
        this.scheme = scheme;
        long maxListSize = Math.max(1L, MAX_LIST_FACTOR * options.maxHead());
        this.client = new Side(Direction.CLIENT_TO_SERVER, maxListSize);
        this.server = new Side(Direction.SERVER_TO_CLIENT, maxListSize);
    }

    /**
     * A decoder for the bytes after an HTTP/1.1 {@code 101 Switching Protocols} to h2c: the upgrade
     * request becomes stream 1, whose response comes over HTTP/2, and its {@code HTTP2-Settings}
     * apply to what the server sends. The client still starts with the connection preface.
     */
    public static Http2Decoder afterUpgrade(long connectionId, DecodeListener listener, DecodeOptions options,
            HttpMessage upgradeRequest) {
        Http2Decoder d = new Http2Decoder(connectionId, listener, options,
                upgradeRequest.scheme != null ? upgradeRequest.scheme : "http");
        Exchange e = new Exchange(connectionId, 1, upgradeRequest);
        e.notes.add("h2c upgrade: the request was sent in HTTP/1.1, the response came over HTTP/2");
        Http2StreamState s = new Http2StreamState(e);
        s.requestEnded = true;
        d.streams.put(1, s);
        d.lastClientStream = 1;
        String settings = upgradeRequest.header("HTTP2-Settings");
        if (settings != null) {
            try {
                byte[] payload = Base64.getUrlDecoder().decode(settings.strip());
                if (payload.length % 6 != 0) {
                    throw new IllegalArgumentException(payload.length + " bytes, not a multiple of 6");
                }
                d.server.apply(Side.settings(payload, payload.length));
            } catch (IllegalArgumentException bad) {
                e.notes.add("HTTP2-Settings not decodable (" + bad.getMessage() + "): default settings assumed");
            }
        }
        return d;
    }

    @Override
    public void data(Direction direction, long timestampMicros, ByteBuf data) {
        Side side = direction == Direction.CLIENT_TO_SERVER ? client : server;
        if (ended || side.reader.isFailed()) {
            return;
        }
        side.now = timestampMicros;
        try {
            side.reader.feed(data, timestampMicros);
        } catch (RuntimeException e) {
            side.reader.fail(side.reader.offset(), "internal decoder error: " + e);
        }
    }

    @Override
    public void end(long timestampMicros) {
        if (ended) {
            return;
        }
        ended = true;
        for (Http2StreamState s : new ArrayList<>(streams.values())) {
            Exchange e = s.exchange;
            // the server's GOAWAY covers the streams clients open; the client's covers pushed ones
            Side refuser = e.pushed ? client : server;
            if (refuser.goAway && e.streamId > refuser.goAwayLastStream) {
                e.notes.add("not processed: GOAWAY " + errorName(refuser.goAwayCode) + " by " + refuser.name
                        + " (last stream " + refuser.goAwayLastStream + ")" + refuser.goAwayDebug);
            } else if (e.response == null || !e.response.complete) {
                String why = server.reader.isFailed()
                        ? "the server's bytes could not be decoded from byte " + server.failedAt
                        : "the connection closed";
                e.notes.add((e.response == null ? "response missing: " : "response incomplete: ") + why);
            }
            if (!s.requestEnded && !e.request.complete && e.request.method != null) {
                e.notes.add("request incomplete: " + (client.reader.isFailed()
                        ? "the client's bytes could not be decoded from byte " + client.failedAt
                        : "the connection closed"));
            }
            report(s);
        }
    }

    private void report(Http2StreamState s) {
        s.reported = true;
        streams.remove(s.id());
        listener.exchange(s.exchange);
    }

    private static String errorName(long code) {
        Http2Error e = Http2Error.valueOf(code);
        return e != null ? e.name() : String.format("0x%x", code);
    }

    /** One direction: its frames, its HPACK state, and what it announced. */
    private final class Side implements Http2FrameReader.Handler {
        final Direction direction;
        final boolean isClient;
        final String name;
        final Http2FrameReader reader;
        final HpackBlockDecoder hpack;
        /** The timestamp of the slice being read. */
        long now;
        long failedAt = -1;
        /** Settings this side announced that the other has not acknowledged: {header table size, max frame size}, -1 when absent. */
        final ArrayDeque<long[]> unacknowledged = new ArrayDeque<>();
        /** The frame size this side may send, as acknowledged. */
        int maxFrameSize = DEFAULT_MAX_FRAME_SIZE;

        /** The header block being received (stream 0: none): HEADERS or PUSH_PROMISE, then CONTINUATION. */
        int blockStream;
        int blockType;
        int blockFlags;
        int promisedStream;
        long blockStartMicros;
        long blockOffset;
        byte[] block = new byte[0];
        int blockLength;

        /** The stream and message the current DATA frame belongs to (null: ignored). */
        Http2StreamState dataStream;
        HttpMessage dataMessage;

        boolean goAway;
        long goAwayLastStream;
        long goAwayCode;
        String goAwayDebug = "";

        Side(Direction direction, long maxListSize) {
            this.direction = direction;
            this.isClient = direction == Direction.CLIENT_TO_SERVER;
            this.name = isClient ? "client" : "server";
            this.reader = new Http2FrameReader(this, isClient, options.maxHead());
            this.hpack = new HpackBlockDecoder(maxListSize);
        }

        Side peer() {
            return this == client ? server : client;
        }

        @Override
        public void failed(long offset, String reason) {
            failedAt = offset;
            blockStream = 0;
            block = new byte[0];
            dataStream = null;
            dataMessage = null;
            listener.undecodable(connectionId, direction, offset, reason);
        }

        @Override
        public void frame(int type, int flags, int streamId, byte[] payload, int length) {
            if (blockStream != 0 && type != Http2FrameTypes.CONTINUATION) {
                reader.fail(reader.frameOffset(), "expected a CONTINUATION of the header block of stream " + blockStream
                        + ", got a " + Http2FrameReader.typeName(type) + " frame");
                return;
            }
            switch (type) {
                case Http2FrameTypes.HEADERS, Http2FrameTypes.PUSH_PROMISE -> startBlock(type, flags, streamId, payload,
                        length);
                case Http2FrameTypes.CONTINUATION -> {
                    if (blockStream != streamId) {
                        reader.fail(reader.frameOffset(), "CONTINUATION frame on stream " + streamId
                                + " without a header block to continue");
                        return;
                    }
                    if (appendFragment(payload, 0, length) && (flags & Http2Flags.END_HEADERS) != 0) {
                        endBlock();
                    }
                }
                case Http2FrameTypes.RST_STREAM -> {
                    Http2StreamState s = streams.get(streamId);
                    if (s != null) {
                        s.exchange.notes.add("RST_STREAM " + errorName(uint32(payload, 0)) + " by " + name);
                        report(s);
                    }
                }
                case Http2FrameTypes.SETTINGS -> {
                    if ((flags & Http2Flags.ACK) != 0) {
                        long[] acknowledged = peer().unacknowledged.poll();
                        if (acknowledged != null) {
                            apply(acknowledged);
                        }
                    } else {
                        if (unacknowledged.size() == MAX_UNACKNOWLEDGED) {
                            peer().apply(unacknowledged.poll());
                        }
                        unacknowledged.add(settings(payload, length));
                        peer().updateFrameLimit();
                    }
                }
                case Http2FrameTypes.GO_AWAY -> {
                    goAway = true;
                    goAwayLastStream = uint32(payload, 0) & 0x7FFFFFFFL;
                    goAwayCode = uint32(payload, 4);
                    goAwayDebug = length > 8
                            ? ": \"" + Http2FrameReader.printable(Arrays.copyOfRange(payload, 8, length)) + "\"" : "";
                }
                default -> {
                    // PRIORITY, PING, WINDOW_UPDATE: nothing to show
                }
            }
        }

        /** {header table size, max frame size} of a SETTINGS payload (the last valid value of each), -1 when absent. */
        static long[] settings(byte[] payload, int length) {
            long[] s = {-1, -1};
            for (int i = 0; i + 6 <= length; i += 6) {
                int id = (payload[i] & 0xFF) << 8 | payload[i + 1] & 0xFF;
                long value = uint32(payload, i + 2);
                if (id == SETTINGS_HEADER_TABLE_SIZE) {
                    s[0] = value;
                } else if (id == SETTINGS_MAX_FRAME_SIZE && value >= MAX_FRAME_SIZE_LOWER_BOUND
                        && value <= MAX_FRAME_SIZE_UPPER_BOUND) {
                    s[1] = value;
                }
            }
            return s;
        }

        /** Applies settings the other side announced (and this side acknowledged) to what this side sends. */
        void apply(long[] settings) {
            if (settings[0] >= 0) {
                hpack.maxTableSize(settings[0]);
            }
            if (settings[1] >= 0) {
                maxFrameSize = (int) settings[1];
            }
            updateFrameLimit();
        }

        /** This side may send frames as large as acknowledged, or as announced and not yet acknowledged. */
        void updateFrameLimit() {
            int limit = maxFrameSize;
            for (long[] s : peer().unacknowledged) {
                limit = (int) Math.max(limit, s[1]);
            }
            reader.maxFrameSize(limit);
        }

        private void startBlock(int type, int flags, int streamId, byte[] payload, int length) {
            int at = 0;
            int padding = 0;
            if ((flags & Http2Flags.PADDED) != 0) {
                padding = length > 0 ? payload[0] & 0xFF : 0;
                at = 1;
            }
            if (type == Http2FrameTypes.HEADERS && (flags & Http2Flags.PRIORITY) != 0) {
                at += 5;
            }
            if (type == Http2FrameTypes.PUSH_PROMISE) {
                if (isClient) {
                    reader.fail(reader.frameOffset(), "PUSH_PROMISE frame from the client on stream " + streamId);
                    return;
                }
                promisedStream = length >= at + 4 ? (int) (uint32(payload, at) & 0x7FFFFFFF) : 0;
                at += 4;
            }
            if (at + padding > length) {
                reader.fail(reader.frameOffset(), Http2FrameReader.typeName(type) + " frame on stream " + streamId
                        + " has " + length + " bytes, too few for its " + padding + " bytes of padding and fields");
                return;
            }
            blockStream = streamId;
            blockType = type;
            blockFlags = flags;
            blockStartMicros = reader.frameStartMicros();
            blockOffset = reader.frameOffset();
            blockLength = 0;
            if (appendFragment(payload, at, length - padding - at) && (flags & Http2Flags.END_HEADERS) != 0) {
                endBlock();
            }
        }

        /** Adds a header block fragment; false if the block is now over the limit (the reader is stopped). */
        private boolean appendFragment(byte[] payload, int from, int length) {
            if ((long) blockLength + length > options.maxHead()) {
                reader.fail(blockOffset, "header block of stream " + blockStream + " is over the limit of "
                        + options.maxHead() + " bytes");
                return false;
            }
            if (block.length < blockLength + length) {
                block = Arrays.copyOf(block, Math.max(blockLength + length, Math.min(options.maxHead(), block.length * 2)));
            }
            System.arraycopy(payload, from, block, blockLength, length);
            blockLength += length;
            return true;
        }

        /** The header block is complete (END_HEADERS): decodes it and applies it to its stream. */
        private void endBlock() {
            int stream = blockStream;
            blockStream = 0;
            HpackBlockDecoder.Block b = hpack.decode(stream, block, 0, blockLength);
            if (block.length > 4096) {
                block = new byte[0]; // a rare large block is not kept around
            }
            if (b.fatal()) {
                blockFailed(stream, b.error());
                return;
            }
            boolean endStream = (blockFlags & Http2Flags.END_STREAM) != 0;
            if (blockType == Http2FrameTypes.PUSH_PROMISE) {
                promise(stream, b);
            } else if (isClient) {
                requestHeaders(stream, b, endStream);
            } else {
                responseHeaders(stream, b, endStream);
            }
        }

        private void blockFailed(int stream, String error) {
            Http2StreamState s = streams.get(stream);
            String what;
            if (blockType == Http2FrameTypes.PUSH_PROMISE) {
                what = "the promise of stream " + promisedStream;
            } else if (isClient) {
                if (s == null && isNewClientStream(stream)) {
                    s = open(stream, newRequest());
                    if ((blockFlags & Http2Flags.END_STREAM) != 0) {
                        endRequest(s);
                    }
                    what = "request header block";
                } else {
                    what = "request trailers";
                }
            } else {
                what = s != null && s.responseHead ? "response trailers" : "response header block";
            }
            if (s != null) {
                s.exchange.notes.add(what + " not decoded: " + error);
            }
            reader.fail(blockOffset, "HPACK error in the header block of stream " + stream + ": " + error);
        }

        private void requestHeaders(int stream, HpackBlockDecoder.Block b, boolean endStream) {
            Http2StreamState s = streams.get(stream);
            if (s == null) {
                if (!isNewClientStream(stream)) {
                    return; // a stream already reported (or not the client's to open): nothing to add to
                }
                s = open(stream, newRequest());
                fillHead(s.exchange, s.exchange.request, b);
            } else if (!s.requestEnded) {
                fillTrailers(s.exchange, s.exchange.request, b);
            } else {
                return;
            }
            if (endStream) {
                endRequest(s);
            }
        }

        private void responseHeaders(int stream, HpackBlockDecoder.Block b, boolean endStream) {
            Http2StreamState s = streams.get(stream);
            if (s == null) {
                if (!client.reader.isFailed() || !isNewClientStream(stream)) {
                    return; // a response to a stream already reported
                }
                s = open(stream, new HttpMessage(HttpMessage.Kind.REQUEST, options.maxBody()));
                s.exchange.notes.add("request not decoded: the client's bytes could not be decoded from byte "
                        + client.failedAt);
            }
            HttpMessage m;
            if (s.responseHead) {
                m = s.exchange.response;
                fillTrailers(s.exchange, m, b);
            } else {
                m = new HttpMessage(HttpMessage.Kind.RESPONSE, options.maxResponseBody());
                fillHead(s.exchange, m, b);
                if (m.status >= 100 && m.status < 200 && !endStream) {
                    m.complete = true;
                    m.endMicros = now;
                    s.exchange.interim.add(m);
                    return;
                }
                s.exchange.response = m;
                s.responseHead = true;
            }
            if (endStream) {
                endResponse(s);
            }
        }

        private void promise(int stream, HpackBlockDecoder.Block b) {
            int promised = promisedStream;
            if (promised % 2 != 0 || promised <= lastPromisedStream) {
                return; // not a stream a server may promise: nothing to attach the request to
            }
            lastPromisedStream = promised;
            HttpMessage request = newRequest();
            Exchange e = new Exchange(connectionId, promised, request);
            e.pushed = true;
            e.notes.add("server push promised on stream " + stream);
            fillHead(e, request, b);
            request.complete = true;
            request.endMicros = now;
            Http2StreamState s = new Http2StreamState(e);
            s.requestEnded = true;
            streams.put(promised, s);
        }

        private boolean isNewClientStream(int stream) {
            return stream % 2 == 1 && stream > lastClientStream;
        }

        private Http2StreamState open(int stream, HttpMessage request) {
            lastClientStream = Math.max(lastClientStream, stream);
            Http2StreamState s = new Http2StreamState(new Exchange(connectionId, stream, request));
            streams.put(stream, s);
            return s;
        }

        private HttpMessage newRequest() {
            HttpMessage m = new HttpMessage(HttpMessage.Kind.REQUEST, options.maxBody());
            m.version = "HTTP/2";
            m.startMicros = blockStartMicros;
            return m;
        }

        /** Fills a message's head from the first header block of its side of the stream. */
        private void fillHead(Exchange e, HttpMessage m, HpackBlockDecoder.Block b) {
            m.version = "HTTP/2";
            m.startMicros = blockStartMicros;
            m.headerBytes += blockLength;
            String status = null;
            for (Http1Header f : b.fields()) {
                String n = f.name();
                if (!n.startsWith(":")) {
                    m.headers.add(f);
                } else if (m.kind == HttpMessage.Kind.REQUEST && n.equals(":method")) {
                    m.method = f.value();
                } else if (m.kind == HttpMessage.Kind.REQUEST && n.equals(":path")) {
                    m.target = f.value();
                } else if (m.kind == HttpMessage.Kind.REQUEST && n.equals(":scheme")) {
                    m.scheme = f.value();
                } else if (m.kind == HttpMessage.Kind.REQUEST && n.equals(":authority")) {
                    m.authority = f.value();
                } else if (m.kind == HttpMessage.Kind.RESPONSE && n.equals(":status")) {
                    status = f.value();
                } else {
                    e.notes.add((m.kind == HttpMessage.Kind.REQUEST ? "request" : "response") + " pseudo-header " + f);
                }
            }
            if (m.kind == HttpMessage.Kind.REQUEST) {
                if (m.authority == null) {
                    m.authority = m.header("host");
                }
                if (m.scheme == null && m.target != null) {
                    m.scheme = scheme;
                }
                if (m.target == null && "CONNECT".equals(m.method)) {
                    m.target = m.authority;
                }
            } else {
                m.reason = "";
                if (status != null && status.length() == 3 && status.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    m.status = Integer.parseInt(status);
                } else {
                    e.notes.add(status == null ? "response without :status" : "response :status is \"" + status + "\"");
                }
            }
            if (b.error() != null) {
                e.notes.add((m.kind == HttpMessage.Kind.REQUEST ? "request " : "response ") + b.error());
            }
        }

        private void fillTrailers(Exchange e, HttpMessage m, HpackBlockDecoder.Block b) {
            m.headerBytes += blockLength;
            for (Http1Header f : b.fields()) {
                if (f.name().startsWith(":")) {
                    e.notes.add("pseudo-header in trailers: " + f);
                } else {
                    m.trailers.add(f);
                }
            }
            if (b.error() != null) {
                e.notes.add((m.kind == HttpMessage.Kind.REQUEST ? "request trailers: " : "response trailers: ")
                        + b.error());
            }
        }

        private void endRequest(Http2StreamState s) {
            s.requestEnded = true;
            s.exchange.request.complete = true;
            s.exchange.request.endMicros = now;
        }

        private void endResponse(Http2StreamState s) {
            HttpMessage m = s.exchange.response;
            m.complete = true;
            m.endMicros = now;
            if (!s.requestEnded && s.exchange.request.method != null) {
                s.exchange.notes.add("request incomplete: the response ended first");
            }
            report(s);
        }

        @Override
        public void dataBegin(int streamId, int flags, int length) {
            if (blockStream != 0) {
                reader.fail(reader.frameOffset(), "expected a CONTINUATION of the header block of stream " + blockStream
                        + ", got a DATA frame");
                return;
            }
            Http2StreamState s = streams.get(streamId);
            dataStream = s;
            dataMessage = null;
            if (s != null) {
                if (isClient) {
                    dataMessage = s.requestEnded ? null : s.exchange.request;
                } else {
                    dataMessage = s.responseHead ? s.exchange.response : null;
                }
            }
        }

        @Override
        public void dataPayload(ByteBuf buf, int index, int length) {
            if (dataMessage != null && !dataStream.reported) {
                dataMessage.body.append(buf, index, length);
                dataMessage.wireBodyBytes += length;
            }
        }

        @Override
        public void dataPadding(int length) {
            if (dataMessage != null && !dataStream.reported) {
                dataMessage.wireBodyBytes += length;
            }
        }

        @Override
        public void dataEnd(int streamId, int flags) {
            Http2StreamState s = dataStream;
            boolean counted = dataMessage != null;
            dataStream = null;
            dataMessage = null;
            if (counted && (flags & Http2Flags.END_STREAM) != 0 && !s.reported) {
                if (isClient) {
                    endRequest(s);
                } else {
                    endResponse(s);
                }
            }
        }
    }

    private static long uint32(byte[] b, int at) {
        return (b[at] & 0xFFL) << 24 | (b[at + 1] & 0xFFL) << 16 | (b[at + 2] & 0xFFL) << 8 | b[at + 3] & 0xFFL;
    }

    @Override
    public String toString() {
        return "Http2Decoder[connection " + connectionId + ", " + streams.size() + " open streams]";
    }
}

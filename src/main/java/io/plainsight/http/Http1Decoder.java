package io.plainsight.http;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.Direction;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Locale;

/**
 * Decodes the HTTP/1.0 and HTTP/1.1 exchanges of one connection from its captured bytes (both
 * directions, in relay order, split anywhere). Pure: no threads, no I/O; it copies what it keeps
 * and never holds on to the caller's buffers.
 *
 * <p>Requests are matched to responses in order (a FIFO, so pipelining works). An exchange is
 * reported when both its request and its response have ended, normally when the response ends;
 * exchanges still open when the connection ends are reported by {@link #end} with notes.
 * Interim 1xx responses (100 Continue, 103 Early Hints) go to {@link Exchange#interim}. Response
 * bodies are framed by the request's method (HEAD, CONNECT) and the status (1xx, 204, 304 have
 * none). A body that runs until the connection closes is complete at {@link #end}, noted as such.
 *
 * <p>Switching: a request with an Upgrade header, or a CONNECT, holds back the client's later
 * bytes until its response decides what they are. A 101 to "websocket" or "h2c", or a 2xx to
 * CONNECT, reports the exchange and hands the rest of the connection, both directions and the
 * held bytes first, to the decoder that {@link UpgradeHandler} builds (nothing more is decoded if
 * it returns null); any other final response releases the held bytes as HTTP/1.
 *
 * <p>Bad input never throws: the direction is reported once to
 * {@link DecodeListener#undecodable} (offset in that direction's bytes, and a reason) and its
 * later bytes are ignored; the other direction goes on. A message cut short by that is reported
 * incomplete with a note. In particular:
 * <ul>
 * <li>a head that breaks RFC 9112, or longer than {@link DecodeOptions#maxHead()}, an HTTP
 * version other than 1.x, conflicting or invalid Content-Length, a request Transfer-Encoding not
 * ending in chunked, and broken chunked framing make the direction undecodable (when the head
 * was read, its exchange is still reported, with the note);
 * <li>a response that arrives when no request is waiting is reported as an exchange whose
 * request is empty (method, target and the rest null; not complete) with the note
 * "response without a request";
 * <li>more than {@link #MAX_WAITING} requests waiting for their responses, or more than
 * {@link DecodeOptions#maxHead()} bytes held back after an Upgrade or CONNECT request, make the
 * client direction undecodable (memory stays bounded);
 * <li>a connection that ends inside a head reports it on the exchange waiting for it (responses),
 * or as undecodable when there is none (requests).
 * </ul>
 * Bodies are kept up to {@link DecodeOptions#maxBody()} bytes (responses:
 * {@link DecodeOptions#maxResponseBody()}), de-chunked, not content-decoded, and counted beyond.
 */
public final class Http1Decoder implements ConnectionDecoder {
    /** Requests waiting for their responses, at most (pipelining is rarely deeper than a few). */
    public static final int MAX_WAITING = 256;

    static final String RESPONSE_MISSING = "response missing: the connection closed";
    static final String UNTIL_CLOSE = "response delimited by the connection close";
    static final String WITHOUT_REQUEST = "response without a request";

    /** An exchange being decoded, and which of its halves have ended. */
    static final class Pending {
        final Exchange exchange;
        /** The request asked to switch (Upgrade header, or CONNECT): later client bytes wait for the response. */
        final boolean switching;
        boolean requestEnded;
        boolean responseEnded;
        /** A final response that does not switch has been read. */
        boolean answered;

        Pending(Exchange exchange, boolean switching) {
            this.exchange = exchange;
            this.switching = switching;
        }
    }

    private final long connectionId;
    private final DecodeListener listener;
    private final DecodeOptions options;
    private final String scheme;
    private final UpgradeHandler upgrades;

    private final Http1Side client;
    private final Http1Side server;
    /** Exchanges whose response has not ended, in request order. */
    private final ArrayDeque<Pending> waiting = new ArrayDeque<>();
    /** The exchange whose response ended before its request did (an early response), or null. */
    private Pending answeredEarly;
    /** Why the server direction is undecodable, once it is. */
    private String serverDead;

    private boolean switched;
    private ConnectionDecoder successor;
    private boolean ended;
    /** Bytes seen in each direction (client, server), decoded or not. */
    private final long[] received = new long[2];

    /**
     * @param scheme "https" or "http": the scheme of requests in origin form
     * @param upgrades builds the decoder that takes over after a protocol switch
     */
    public Http1Decoder(long connectionId, DecodeListener listener, DecodeOptions options, String scheme,
            UpgradeHandler upgrades) {
        this(connectionId, listener, options, scheme, upgrades, null);
    }

    /**
     * As {@link #Http1Decoder(long, DecodeListener, DecodeOptions, String, UpgradeHandler)}, taking
     * head lines seen before from {@code lines} (shared by the decoders of one thread; null: none).
     */
    public Http1Decoder(long connectionId, DecodeListener listener, DecodeOptions options, String scheme,
            UpgradeHandler upgrades, Http1LineCache lines) {
        this.client = new Http1Side(Direction.CLIENT_TO_SERVER, lines);
        this.server = new Http1Side(Direction.SERVER_TO_CLIENT, lines);
        this.connectionId = connectionId;
        this.listener = listener;
        this.options = options;
        this.scheme = scheme;
        this.upgrades = upgrades == null ? UpgradeHandler.NONE : upgrades;
    }

    @Override
    public void data(Direction direction, long timestampMicros, ByteBuf data) {
        if (ended || !data.isReadable()) {
            return;
        }
        received[direction.ordinal()] += data.readableBytes();
        try {
            if (switched) {
                if (successor != null) {
                    successor.data(direction, timestampMicros, data);
                }
                return;
            }
            Http1Side side = direction == Direction.CLIENT_TO_SERVER ? client : server;
            if (side.state == Http1Side.State.DEAD) {
                return;
            }
            ByteBuf work = side.input.begin(timestampMicros, data);
            read(side, work);
            finish(side, work);
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    @Override
    public void end(long timestampMicros) {
        if (ended) {
            return;
        }
        ended = true;
        try {
            if (switched) {
                if (successor != null) {
                    successor.end(timestampMicros);
                }
                return;
            }
            endClient();
            endServer();
            if (answeredEarly != null) {
                report(answeredEarly);
                answeredEarly = null;
            }
            while (!waiting.isEmpty()) {
                Pending p = waiting.poll();
                if (p.exchange.response == null) {
                    p.exchange.notes.add(RESPONSE_MISSING);
                }
                report(p);
            }
        } catch (RuntimeException e) {
            internalError(e);
        }
    }

    // ---------------------------------------------------------------- reading

    private void read(Http1Side side, ByteBuf work) {
        while (work.isReadable() && !switched) {
            switch (side.state) {
                case HEAD -> {
                    if (!(side.isClient() ? requestHead(work) : responseHead(work))) {
                        return;
                    }
                }
                case BODY -> body(side, work);
                case HELD -> {
                    // every unread byte of work is held: kept bytes are all in it
                    if (work.readableBytes() > options.maxHead()) {
                        fail(client, client.input.offset(work.readerIndex()), "the client sent more than "
                                + options.maxHead() + " bytes after an Upgrade or CONNECT request before its response");
                    }
                    return;
                }
                case DEAD -> {
                    return;
                }
            }
        }
    }

    /** Keeps what {@link #read} left, unless the side is no longer read. */
    private void finish(Http1Side side, ByteBuf work) {
        if (switched || side.state == Http1Side.State.DEAD) {
            side.input.clear();
        } else {
            side.input.finish(work);
        }
    }

    /** Reads bytes the client sent after a switching request, now that the response did not switch. */
    private void release() {
        if (client.state != Http1Side.State.HELD) {
            return;
        }
        client.state = Http1Side.State.HEAD;
        ByteBuf work = client.input.resume();
        read(client, work);
        finish(client, work);
    }

    /** Reads a request head at the reader index of {@code work}; false while it is incomplete. */
    private boolean requestHead(ByteBuf work) {
        long offset = client.input.offset(work.readerIndex());
        Http1Head head;
        try {
            head = client.head(work, options.maxHead());
        } catch (Http1ParseException e) {
            fail(client, offset + Math.max(0, e.offset()), headProblem("request", e));
            return false;
        }
        if (head == null) {
            return false;
        }
        if (!isHttp1(head.version())) {
            fail(client, offset, unsupportedVersion(head));
            return false;
        }
        if (waiting.size() >= MAX_WAITING) {
            fail(client, offset, "more than " + MAX_WAITING + " requests waiting for their responses");
            return false;
        }
        HttpMessage m = new HttpMessage(HttpMessage.Kind.REQUEST, options.maxBody());
        m.method = head.method();
        m.target = head.target();
        m.scheme = schemeOf(head.target());
        m.authority = head.header("Host");
        fill(m, head, client, offset);
        work.skipBytes(head.length());
        boolean switching = "CONNECT".equals(head.method()) || head.header("Upgrade") != null;
        Pending p = new Pending(new Exchange(connectionId, 0, m), switching);
        waiting.add(p);
        BodyFraming framing;
        try {
            framing = BodyFraming.forRequest(head);
        } catch (Http1ParseException e) {
            p.exchange.notes.add("request undecodable: " + e.problem());
            requestEnded(p);
            fail(client, offset, "request head: " + e.problem());
            return false;
        }
        noteFraming(p, head, framing, "request");
        long bodyOffset = offset + head.length();
        if (framing.length() == 0) { // NONE, or a length of 0
            m.complete = true;
            requestEnded(p);
        } else {
            client.startBody(m, p, framing, bodyOffset, options.maxHead());
        }
        return true;
    }

    /** Reads a response head at the reader index of {@code work}; false while it is incomplete. */
    private boolean responseHead(ByteBuf work) {
        long offset = server.input.offset(work.readerIndex());
        Http1Head head;
        try {
            head = server.head(work, options.maxHead());
        } catch (Http1ParseException e) {
            fail(server, offset + Math.max(0, e.offset()), headProblem("response", e));
            return false;
        }
        if (head == null) {
            return false;
        }
        if (!isHttp1(head.version())) {
            fail(server, offset, unsupportedVersion(head));
            return false;
        }
        HttpMessage m = new HttpMessage(HttpMessage.Kind.RESPONSE, options.maxResponseBody());
        m.status = head.status();
        m.reason = head.reason();
        fill(m, head, server, offset);
        work.skipBytes(head.length());
        Pending p = waiting.peek();
        if (p == null) {
            p = withoutRequest();
            waiting.add(p);
        }
        int status = head.status();
        if (status >= 100 && status < 200 && status != 101) {
            m.complete = true;
            p.exchange.interim.add(m);
            return true;
        }
        p.exchange.response = m;
        String method = p.exchange.request.method;
        if (status == 101) {
            m.complete = true;
            switchProtocols(p, m, work);
            return false;
        }
        if ("CONNECT".equals(method) && status >= 200 && status < 300) {
            m.complete = true;
            tunnel(p, work);
            return false;
        }
        p.answered = true;
        if (p.switching) {
            release();
        }
        BodyFraming framing;
        try {
            framing = BodyFraming.forResponse(head, method);
        } catch (Http1ParseException e) {
            p.exchange.notes.add("response undecodable: " + e.problem());
            responseEnded(p);
            fail(server, offset, "response head: " + e.problem());
            return false;
        }
        noteFraming(p, head, framing, "response");
        if (framing.length() == 0) { // NONE, or a length of 0
            m.complete = true;
            responseEnded(p);
        } else {
            server.startBody(m, p, framing, offset + head.length(), options.maxHead());
        }
        return true;
    }

    /** Fills what requests and responses share from their head. */
    private void fill(HttpMessage m, Http1Head head, Http1Side side, long offset) {
        m.version = head.version();
        m.headers.addAll(head.headers());
        m.headerBytes = head.length();
        m.startMicros = side.input.micros(offset);
        m.endMicros = side.input.micros(offset + head.length() - 1);
        side.lastMicros = m.endMicros;
    }

    /** Reads body bytes of the side's message. */
    private void body(Http1Side side, ByteBuf work) {
        HttpMessage m = side.message;
        Pending p = side.pending;
        int index = work.readerIndex();
        int n;
        try {
            n = side.scanner.scan(work, index, work.readableBytes());
        } catch (Http1ParseException e) {
            String what = side.isClient() ? "request" : "response";
            String problem = what + " body: " + e.problem();
            long lastByte = side.bodyOffset + e.longOffset() - 1;
            if (lastByte >= side.input.offset(index)) { // read in this call
                side.lastMicros = side.input.micros(lastByte);
            }
            // the body's bytes are those before the one that broke it
            fail(side, side.bodyOffset + Math.max(0, e.longOffset()), problem, what + " undecodable: " + problem,
                    Math.max(0, e.longOffset()));
            return;
        }
        if (n > 0) {
            side.lastMicros = side.input.micros(side.input.offset(index + n - 1));
            work.skipBytes(n);
        }
        m.wireBodyBytes = side.scanner.wireBytes();
        if (side.scanner.isComplete()) {
            m.complete = true;
            m.endMicros = side.lastMicros;
            side.trailers(m.trailers);
            side.endBody();
            side.state = Http1Side.State.HEAD;
            if (side.isClient()) {
                requestEnded(p);
            } else {
                responseEnded(p);
            }
        }
    }

    // ---------------------------------------------------------------- exchanges

    private void requestEnded(Pending p) {
        p.requestEnded = true;
        if (client.state != Http1Side.State.DEAD) {
            client.state = p.switching && !p.answered ? Http1Side.State.HELD : Http1Side.State.HEAD;
        }
        if (answeredEarly == p) {
            answeredEarly = null;
            report(p);
        } else if (serverDead != null && waiting.peek() == p && p.exchange.response == null) {
            waiting.poll();
            p.exchange.notes.add("response missing: " + serverDead);
            report(p);
        }
    }

    private void responseEnded(Pending p) {
        p.responseEnded = true;
        waiting.remove(p);
        if (p.requestEnded) {
            report(p);
        } else {
            answeredEarly = p;
        }
    }

    private void report(Pending p) {
        listener.exchange(p.exchange);
    }

    /** A placeholder exchange for a response that came when no request was waiting. */
    private Pending withoutRequest() {
        HttpMessage none = new HttpMessage(HttpMessage.Kind.REQUEST, 0);
        Pending p = new Pending(new Exchange(connectionId, 0, none), false);
        p.requestEnded = true;
        p.exchange.notes.add(client.state == Http1Side.State.DEAD
                ? WITHOUT_REQUEST + " (the client's bytes are undecodable)" : WITHOUT_REQUEST);
        return p;
    }

    private static void noteFraming(Pending p, Http1Head head, BodyFraming framing, String what) {
        if (framing.kind() == BodyFraming.Kind.CHUNKED && head.header("Content-Length") != null) {
            p.exchange.notes.add(what + " has both Transfer-Encoding and Content-Length: framed as chunked");
        } else if (framing.kind() == BodyFraming.Kind.UNTIL_CLOSE && head.header("Transfer-Encoding") != null) {
            p.exchange.notes.add(what + " Transfer-Encoding does not end with chunked: delimited by the connection close");
        }
    }

    // ---------------------------------------------------------------- switching protocols

    private void switchProtocols(Pending p, HttpMessage response, ByteBuf work) {
        HttpMessage request = p.exchange.request;
        String asked = request.header("Upgrade");
        String protocol = firstToken(response.header("Upgrade"));
        if (protocol == null) {
            protocol = firstToken(asked);
        }
        ConnectionDecoder next = null;
        if (asked == null) {
            p.exchange.notes.add("101 Switching Protocols to a request without Upgrade: the rest is not decoded");
        } else if ("websocket".equalsIgnoreCase(protocol)) {
            p.exchange.notes.add("upgraded to websocket");
            next = upgrades.webSocket(connectionId, response.header("Sec-WebSocket-Extensions"));
        } else if ("h2c".equalsIgnoreCase(protocol)) {
            p.exchange.notes.add("upgraded to h2c");
            next = upgrades.h2c(connectionId, request);
        } else {
            p.exchange.notes.add("upgraded to " + (protocol == null ? "an unnamed protocol" : protocol)
                    + ": not decoded");
            switchTo(p, null, work);
            return;
        }
        if (next == null && asked != null) {
            p.exchange.notes.add("the bytes after the switch are not decoded");
        }
        switchTo(p, next, work);
    }

    private void tunnel(Pending p, ByteBuf work) {
        String authority = p.exchange.request.target;
        p.exchange.notes.add("tunnel to " + authority);
        ConnectionDecoder next = upgrades.tunnel(connectionId, authority);
        if (next == null) {
            p.exchange.notes.add("the tunnelled bytes are not decoded");
        }
        switchTo(p, next, work);
    }

    /**
     * Ends HTTP/1 on this connection after {@code p}'s response head: reports what is open and
     * passes the held client bytes, then the server's bytes after the head, to {@code next}.
     */
    private void switchTo(Pending p, ConnectionDecoder next, ByteBuf serverWork) {
        if (!p.requestEnded) {
            HttpMessage request = p.exchange.request;
            request.endMicros = client.lastMicros;
            if (client.message == request) {
                request.wireBodyBytes = client.scanner.wireBytes();
            }
            p.exchange.notes.add("request cut short by the protocol switch");
            p.requestEnded = true;
        }
        p.responseEnded = true;
        waiting.remove(p);
        if (answeredEarly != null) {
            report(answeredEarly);
            answeredEarly = null;
        }
        report(p);
        for (Pending other : waiting) {
            other.exchange.notes.add("response missing: the connection switched protocols");
            report(other);
        }
        waiting.clear();
        switched = true;
        successor = next;
        if (next != null) {
            if (client.state != Http1Side.State.DEAD) {
                client.input.forward(client.input.resume(), Direction.CLIENT_TO_SERVER, next);
            }
            server.input.forward(serverWork, Direction.SERVER_TO_CLIENT, next);
        }
        client.state = Http1Side.State.DEAD;
        client.input.clear();
        server.state = Http1Side.State.DEAD;
    }

    // ---------------------------------------------------------------- failure and end

    /** The side is undecodable from {@code offset}: says so once and ignores its later bytes. */
    private void fail(Http1Side side, long offset, String reason) {
        fail(side, offset, reason, null, -1);
    }

    /**
     * As {@link #fail(Http1Side, long, String)}; a message whose body was being read ends
     * incomplete with {@code note} (null: a note naming the offset), its body counted as
     * {@code wireBodyBytes} (-1: as far as it was read). When the server side fails, the requests
     * waiting for responses are reported as missing them.
     */
    private void fail(Http1Side side, long offset, String reason, String note, long wireBodyBytes) {
        if (side.state == Http1Side.State.DEAD) {
            return;
        }
        String why = (side.isClient() ? "the client's" : "the server's") + " bytes are undecodable from offset " + offset;
        Pending current = null;
        if (side.state == Http1Side.State.BODY) {
            HttpMessage m = side.message;
            current = side.pending;
            m.endMicros = side.lastMicros;
            m.wireBodyBytes = wireBodyBytes >= 0 ? wireBodyBytes : side.scanner.wireBytes();
            current.exchange.notes.add(note != null ? note
                    : (side.isClient() ? "request" : "response") + " cut short: " + why);
            side.endBody();
        }
        side.state = Http1Side.State.DEAD;
        side.input.clear();
        if (!side.isClient()) {
            serverDead = why;
        }
        if (current != null) {
            if (side.isClient()) {
                requestEnded(current);
            } else {
                responseEnded(current);
            }
        }
        listener.undecodable(connectionId, side.direction, offset, reason);
        if (!side.isClient()) {
            while (!waiting.isEmpty() && waiting.peek().requestEnded) {
                Pending p = waiting.poll();
                p.exchange.notes.add("response missing: " + serverDead);
                report(p);
            }
            if (client.state == Http1Side.State.HELD) { // no response will tell what these bytes are
                fail(client, client.input.consumed(), "bytes after an Upgrade or CONNECT request whose response "
                        + "is undecodable");
            }
        }
    }

    private void endClient() {
        switch (client.state) {
            case BODY -> {
                HttpMessage m = client.message;
                Pending p = client.pending;
                m.endMicros = client.lastMicros;
                m.wireBodyBytes = client.scanner.wireBytes();
                p.exchange.notes.add("request cut short: the connection closed " + bodyProgress(client.scanner));
                client.endBody();
                client.state = Http1Side.State.HEAD;
                requestEnded(p);
            }
            case HEAD -> {
                if (client.input.keptBytes() > 0 && !client.input.keptOnlyLineEnds() && !headFailsAtEnd(client)) {
                    fail(client, client.input.consumed(), "request head cut short: the connection closed after "
                            + client.input.keptBytes() + " bytes of it");
                }
            }
            default -> { }
        }
    }

    private void endServer() {
        switch (server.state) {
            case BODY -> {
                HttpMessage m = server.message;
                Pending p = server.pending;
                m.endMicros = server.lastMicros;
                m.wireBodyBytes = server.scanner.wireBytes();
                if (server.scanner.framing().kind() == BodyFraming.Kind.UNTIL_CLOSE) {
                    m.complete = true;
                    p.exchange.notes.add(UNTIL_CLOSE);
                } else {
                    p.exchange.notes.add("response cut short: the connection closed " + bodyProgress(server.scanner));
                }
                server.endBody();
                server.state = Http1Side.State.HEAD;
                responseEnded(p);
            }
            case HEAD -> {
                int kept = server.input.keptBytes();
                if (kept > 0 && !headFailsAtEnd(server)) {
                    Pending p = waiting.peek();
                    String what = "response head cut short: the connection closed after " + kept + " bytes of it";
                    if (p != null) {
                        p.exchange.notes.add(what);
                    } else {
                        fail(server, server.input.consumed(), what);
                    }
                }
            }
            default -> { }
        }
    }

    /**
     * Whether the incomplete head kept at the end is invalid as far as it goes (the parser is not
     * run on every event): then the side is reported undecodable with what is wrong.
     */
    private boolean headFailsAtEnd(Http1Side side) {
        ByteBuf kept = side.input.resume();
        try {
            side.parseHead(kept, options.maxHead());
            return false;
        } catch (Http1ParseException e) {
            fail(side, side.input.consumed() + Math.max(0, e.offset()),
                    headProblem(side.isClient() ? "request" : "response", e));
            return true;
        }
    }

    private static String bodyProgress(BodyScanner scanner) {
        BodyFraming f = scanner.framing();
        return switch (f.kind()) {
            case LENGTH -> "after " + scanner.dataBytes() + " of " + f.length() + " body bytes";
            default -> "after " + scanner.wireBytes() + " bytes of its chunked body";
        };
    }

    /**
     * A bug (here, in the listener, or in the decoder after a switch) must not escape into the
     * capture pipeline: decoding stops, and each direction still decoded is reported once.
     */
    private void internalError(RuntimeException e) {
        boolean after = successor != null;
        switched = true;
        successor = null;
        String reason = (after ? "the decoder after the protocol switch failed: " : "internal error in the HTTP/1 decoder: ") + e;
        for (Http1Side side : List.of(client, server)) {
            if (after || side.state != Http1Side.State.DEAD) {
                side.state = Http1Side.State.DEAD;
                long offset = after ? received[side.direction.ordinal()] : side.input.consumed();
                try {
                    listener.undecodable(connectionId, side.direction, offset, reason);
                } catch (RuntimeException ignored) {
                    // the listener failed too: nothing more can be said
                }
            }
        }
    }

    // ---------------------------------------------------------------- small helpers

    private static boolean isHttp1(String version) {
        return version.startsWith("HTTP/1.");
    }

    private static String unsupportedVersion(Http1Head head) {
        if (head.request() && "PRI".equals(head.method()) && "HTTP/2.0".equals(head.version())) {
            return "HTTP/2 connection preface: not HTTP/1";
        }
        return "unsupported HTTP version " + head.version();
    }

    /** "request header line 3: ...", "request line: ...", "request head larger than ...". */
    private static String headProblem(String what, Http1ParseException e) {
        String problem = e.problem();
        return problem.startsWith("request line") || problem.startsWith("status line") ? problem : what + " " + problem;
    }

    private String schemeOf(String target) {
        int colon = target.indexOf("://");
        if (colon > 0) {
            return target.substring(0, colon).toLowerCase(Locale.ROOT);
        }
        return scheme;
    }

    private static String firstToken(String value) {
        if (value == null) {
            return null;
        }
        List<String> out = new java.util.ArrayList<>(1);
        Http1Head.splitList(value, out);
        return out.isEmpty() ? null : out.get(0);
    }
}

package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.timeout.IdleStateEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.http.BodyFraming;
import io.plainsight.http.BodyScanner;
import io.plainsight.http.Http1Head;
import io.plainsight.http.Http1HeadParser;
import io.plainsight.http.Http1Header;
import io.plainsight.http.Http1ParseException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Forwards absolute-form {@code http://} proxy requests to their origin servers, one request at a
 * time per client connection, keeping origin connections alive between requests to the same
 * origin. The request line becomes origin-form and the {@code Proxy-*} headers are dropped;
 * bodies and responses are relayed byte for byte, framed (Content-Length, chunked, close) only to
 * know where each message ends. Each origin connection is a conversation of its own in the
 * capture, holding the request as the origin saw it.
 */
final class HttpForwardHandler extends ByteToMessageDecoder {
    private enum State { HEAD, CONNECTING, BODY, AWAIT_RESPONSE, TUNNEL, DONE }

    private final Conversation conv;
    private final ProxySettings settings;
    private final ProxyTls tls;
    private final UpstreamConnector connector;
    private ChannelHandlerContext ctx;
    private State state = State.HEAD;
    private BodyScanner requestBody;
    private Origin origin;
    /** The client ended its side (FIN): no request follows the one in flight. */
    private boolean clientDone;

    HttpForwardHandler(Conversation conv, ProxySettings settings, ProxyTls tls, UpstreamConnector connector) {
        this.conv = conv;
        this.settings = settings;
        this.tls = tls;
        this.connector = connector;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable() && !ctx.isRemoved()) {
                switch (state) {
                    case HEAD -> {
                        if (!head(ctx, in)) {
                            return;
                        }
                    }
                    case BODY -> {
                        int n = requestBody.scan(in, in.readerIndex(), in.readableBytes());
                        if (n > 0) {
                            origin.send(in.readRetainedSlice(n));
                        }
                        origin.channel.flush();
                        if (!requestBody.isComplete()) {
                            return;
                        }
                        requestSent(true);
                    }
                    case TUNNEL -> {
                        origin.send(in.readRetainedSlice(in.readableBytes()));
                        origin.channel.flush();
                    }
                    default -> {
                        return; // pipelined bytes wait for the response in flight
                    }
                }
            }
        } catch (Http1ParseException e) {
            in.skipBytes(in.readableBytes());
            refuse(400, "Bad Request", "malformed request: " + e.getMessage());
        }
    }

    /** Reads one request head and sends it on; false when more bytes are needed. */
    private boolean head(ChannelHandlerContext ctx, ByteBuf in) throws Http1ParseException {
        Http1Head head = Http1HeadParser.parseRequest(in, Http1HeadParser.DEFAULT_MAX_HEAD);
        if (head == null) {
            return false;
        }
        AbsoluteUrl url = AbsoluteUrl.parse(head.target());
        if (url == null || head.method().equals("CONNECT") || Onboarding.isFor(url.host())) {
            // not ours (CONNECT, onboarding, an error): a fresh front handler takes it from here
            closeOrigin();
            state = State.DONE;
            ctx.pipeline().replace(this, "front", new ProxyFrontHandler(conv, settings, tls, connector));
            return false;
        }
        if (settings.auth() != null && !settings.auth().acceptsHeader(head.header("Proxy-Authorization"))) {
            in.skipBytes(in.readableBytes());
            refuse(407, "Proxy Authentication Required", "proxy authentication failed",
                    "Proxy-Authenticate: Basic realm=\"plainsight\"");
            return false;
        }
        BodyFraming framing = BodyFraming.forRequest(head);
        in.skipBytes(head.length());
        requestBody = new BodyScanner(framing);
        ByteBuf rewritten = rewrite(head, url);
        HostPort dest = url.hostPort();
        if (origin != null && origin.dest.equals(dest) && origin.channel.isActive() && !origin.closing) {
            origin.startRequest(head);
            origin.send(rewritten);
            headSent(true);
            return true;
        }
        closeOrigin();
        connect(dest, head, rewritten);
        return false;
    }

    /** The head went out: flush it, and the request is complete when it has no body. */
    private void headSent(boolean inDecode) {
        state = State.BODY;
        origin.channel.flush();
        if (requestBody.isComplete()) {
            requestSent(inDecode);
        } else if (!inDecode) {
            redecode(); // body bytes read while connecting
        }
    }

    private void requestSent(boolean inDecode) {
        if (!origin.responseEnded) {
            state = State.AWAIT_RESPONSE;
            ctx.channel().config().setAutoRead(false); // pipelined requests wait
        } else if (inDecode) {
            state = State.HEAD; // an early response (before the body ended): go on with the next request
            ctx.channel().config().setAutoRead(true);
        } else {
            nextRequest();
        }
    }

    private void nextRequest() {
        if (clientDone) {
            closeOrigin();
            ctx.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            state = State.DONE;
            return;
        }
        state = State.HEAD;
        ctx.channel().config().setAutoRead(true);
        redecode(); // what the client pipelined meanwhile
    }

    /** Runs the decoder again over the bytes already read (they waited for a connection or a response). */
    private void redecode() {
        try {
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
    }

    /** The request line in origin form, the headers minus the proxy's own. */
    static ByteBuf rewrite(Http1Head head, AbsoluteUrl url) {
        StringBuilder sb = new StringBuilder(head.length() + 16);
        sb.append(head.method()).append(' ').append(url.pathAndQuery()).append(' ').append(head.version()).append("\r\n");
        boolean host = false;
        for (Http1Header h : head.headers()) {
            if (h.name().equalsIgnoreCase("Proxy-Authorization") || h.name().equalsIgnoreCase("Proxy-Connection")) {
                continue;
            }
            host |= h.name().equalsIgnoreCase("Host");
            sb.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        if (!host) {
            sb.append("Host: ").append(url.hostHeader()).append("\r\n");
        }
        sb.append("\r\n");
        return Unpooled.wrappedBuffer(sb.toString().getBytes(StandardCharsets.ISO_8859_1));
    }

    private void connect(HostPort dest, Http1Head head, ByteBuf rewritten) {
        state = State.CONNECTING;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        Origin o = new Origin(dest, conv.newTap());
        Resolver.resolve(dest, client.eventLoop()).addListener(r -> {
            if (!r.isSuccess()) {
                rewritten.release();
                refuse(502, "Bad Gateway", "cannot connect to " + dest + ": " + Failures.connect(r.cause()));
                return;
            }
            if (!client.isActive()) {
                rewritten.release();
                return;
            }
            new io.netty.bootstrap.Bootstrap()
                    .group(client.eventLoop())
                    .channel(Transport.socketChannel())
                    .option(io.netty.channel.ChannelOption.TCP_NODELAY, true)
                    .option(io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                    .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ProxyServer.addIdleTimeout(ch, settings);
                            ch.pipeline().addLast("origin", o);
                            if (conv.wire) {
                                WireTap.addTo(ch.pipeline(), o.tap, io.plainsight.event.Leg.UPSTREAM);
                            }
                        }
                    })
                    .connect((InetSocketAddress) r.getNow())
                    .addListener((io.netty.channel.ChannelFuture f) -> {
                        if (!f.isSuccess()) {
                            rewritten.release();
                            refuse(502, "Bad Gateway", "cannot connect to " + dest + ": " + Failures.connect(f.cause()));
                            return;
                        }
                        if (!client.isActive()) {
                            rewritten.release();
                            f.channel().close();
                            return;
                        }
                        origin = o;
                        o.tap.open((InetSocketAddress) client.remoteAddress(), (InetSocketAddress) f.channel().remoteAddress(),
                                conv.listener, null, false, Interception.PLAIN,
                                f.channel().localAddress() instanceof InetSocketAddress local ? local : null);
                        o.startRequest(head);
                        o.send(rewritten);
                        client.config().setAutoRead(true);
                        headSent(false);
                    });
        });
    }

    private void closeOrigin() {
        if (origin != null) {
            origin.closing = true;
            origin.channel.close();
            origin = null;
        }
    }

    /** Answers the client with an error, logs it, and closes the client. */
    private void refuse(int status, String reason, String message, String... headers) {
        state = State.DONE;
        Channel client = ctx.channel();
        if (client.isActive()) {
            client.writeAndFlush(HttpReplies.error(ctx.alloc(), status, reason, message, headers))
                    .addListener(ChannelFutureListener.CLOSE);
        }
        conv.fail("client: " + status + " " + message);
        closeOrigin();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable() && origin != null && origin.channel.isActive()) {
            origin.channel.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // the client sent all it will: finish the exchange in flight, then close
            clientDone = true;
            if (state == State.HEAD || state == State.DONE) {
                closeOrigin();
                ctx.close();
            } else if (state == State.TUNNEL && origin != null && origin.channel instanceof io.netty.channel.socket.DuplexChannel d) {
                d.shutdownOutput();
            }
            return;
        }
        if (evt instanceof IdleStateEvent) {
            if (origin != null) {
                origin.kind = CloseKind.TIMEOUT;
            }
            closeOrigin();
            ctx.close();
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        if (origin != null) {
            origin.closedBy = Direction.CLIENT_TO_SERVER;
        }
        closeOrigin();
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (origin != null) {
            origin.kind = Failures.isReset(cause) ? CloseKind.RST : CloseKind.ERROR;
            origin.closedBy = Direction.CLIENT_TO_SERVER;
        }
        closeOrigin();
        ctx.close();
    }

    /** One origin connection: relays its responses to the client and knows where each ends. */
    private final class Origin extends io.netty.channel.ChannelInboundHandlerAdapter {
        final HostPort dest;
        final CaptureTap tap;
        Channel channel;
        boolean closing;
        CloseKind kind;
        Direction closedBy;
        String error;
        private String requestMethod;
        private boolean requestClose;
        private ByteBuf pendingHead;
        private BodyScanner responseBody;
        private boolean tunnel;
        private boolean responseStarted;
        boolean responseEnded;
        private boolean closeAfterResponse;

        Origin(HostPort dest, CaptureTap tap) {
            this.dest = dest;
            this.tap = tap;
        }

        @Override
        public void handlerAdded(ChannelHandlerContext octx) {
            channel = octx.channel();
        }

        void startRequest(Http1Head head) {
            requestMethod = head.method();
            requestClose = head.hasToken("Connection", "close")
                    || (head.version().equals("HTTP/1.0") && !head.hasToken("Connection", "keep-alive"));
            responseStarted = false;
            responseEnded = false;
        }

        /** A piece of the request (head or body) towards the origin, captured as sent. */
        void send(ByteBuf buf) {
            tap.data(Direction.CLIENT_TO_SERVER, buf);
            channel.write(buf, channel.voidPromise());
            if (!channel.isWritable()) {
                ctx.channel().config().setAutoRead(false);
            }
        }

        private void toClient(ByteBuf buf) {
            tap.data(Direction.SERVER_TO_CLIENT, buf);
            Channel client = ctx.channel();
            client.write(buf, client.voidPromise());
            if (!client.isWritable()) {
                channel.config().setAutoRead(false);
            }
        }

        @Override
        public void channelRead(ChannelHandlerContext octx, Object msg) {
            if (!(msg instanceof ByteBuf buf)) {
                io.netty.util.ReferenceCountUtil.release(msg);
                return;
            }
            if (tunnel) {
                toClient(buf);
                return;
            }
            ByteBuf in = buf;
            if (pendingHead != null) {
                pendingHead.writeBytes(buf);
                buf.release();
                in = pendingHead;
                pendingHead = null;
            }
            try {
                response(in);
            } catch (Http1ParseException e) {
                error = "server " + dest + " sent a malformed response: " + e.getMessage();
                kind = CloseKind.ERROR;
                in.skipBytes(in.readableBytes());
                if (!responseStarted) {
                    refuse(502, "Bad Gateway", error);
                } else {
                    conv.fail(error);
                }
                octx.close();
            } finally {
                if (in.refCnt() > 0 && in != pendingHead) {
                    in.release();
                }
            }
        }

        private void response(ByteBuf in) throws Http1ParseException {
            while (in.isReadable()) {
                if (tunnel) {
                    toClient(in.readRetainedSlice(in.readableBytes()));
                    return;
                }
                if (responseBody == null) {
                    Http1Head head = Http1HeadParser.parseResponse(in, Http1HeadParser.DEFAULT_MAX_HEAD);
                    if (head == null) {
                        pendingHead = ctx.alloc().buffer(in.readableBytes() * 2);
                        pendingHead.writeBytes(in);
                        return;
                    }
                    responseStarted = true;
                    BodyFraming framing = BodyFraming.forResponse(head, requestMethod);
                    toClient(in.readRetainedSlice(head.length()));
                    if (head.status() >= 100 && head.status() < 200 && head.status() != 101) {
                        continue; // interim (100 Continue, 103 Early Hints): the final response follows
                    }
                    closeAfterResponse = requestClose || head.hasToken("Connection", "close")
                            || (head.version().equals("HTTP/1.0") && !head.hasToken("Connection", "keep-alive"));
                    if (framing.kind() == BodyFraming.Kind.TUNNEL) {
                        tunnel = true;
                        state = State.TUNNEL;
                        ctx.channel().config().setAutoRead(true);
                        redecode();
                        continue;
                    }
                    responseBody = new BodyScanner(framing);
                } else {
                    int n = responseBody.scan(in, in.readerIndex(), in.readableBytes());
                    if (n > 0) {
                        toClient(in.readRetainedSlice(n));
                    }
                }
                if (responseBody.isComplete()) {
                    responseBody = null;
                    responseDone();
                    if (in.isReadable()) {
                        conv.fail("server " + dest + " sent " + in.readableBytes() + " bytes after its response");
                        in.skipBytes(in.readableBytes());
                        channel.close();
                    }
                    return;
                }
            }
        }

        private void responseDone() {
            Channel client = ctx.channel();
            client.flush();
            responseEnded = true;
            if (closeAfterResponse) {
                closing = true;
                channel.close();
                client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
                state = State.DONE;
                return;
            }
            if (state == State.AWAIT_RESPONSE) {
                nextRequest();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext octx) {
            ctx.channel().flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext octx) {
            if (octx.channel().isWritable() && (state == State.BODY || state == State.TUNNEL)) {
                ctx.channel().config().setAutoRead(true);
            }
            octx.fireChannelWritabilityChanged();
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext octx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                kind = CloseKind.TIMEOUT;
                octx.close();
                return;
            }
            octx.fireUserEventTriggered(evt);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext octx, Throwable cause) {
            if (kind == null) {
                kind = Failures.isReset(cause) ? CloseKind.RST : CloseKind.ERROR;
                closedBy = Direction.SERVER_TO_CLIENT;
                error = kind == CloseKind.ERROR ? "server " + dest + ": " + Failures.rootMessage(cause) : null;
            }
            octx.close();
        }

        @Override
        public void channelInactive(ChannelHandlerContext octx) {
            if (pendingHead != null) {
                pendingHead.release();
                pendingHead = null;
            }
            if (closedBy == null && !closing) {
                closedBy = Direction.SERVER_TO_CLIENT;
            }
            tap.close(kind, closedBy == null ? Direction.CLIENT_TO_SERVER : closedBy, error);
            if (origin == this) {
                origin = null;
            }
            Channel client = ctx.channel();
            if (closing || !client.isActive()) {
                return;
            }
            boolean inFlight = state == State.BODY || state == State.AWAIT_RESPONSE || state == State.TUNNEL
                    || (responseStarted && !responseEnded);
            if (!inFlight) {
                return; // an idle keep-alive connection ended: the next request opens a new one
            }
            if (!responseStarted) {
                refuse(502, "Bad Gateway", "server " + dest + " closed the connection without a response");
                return;
            }
            // the response ends with the connection (no length), or was cut short: either way the client's ends too
            state = State.DONE;
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }
}

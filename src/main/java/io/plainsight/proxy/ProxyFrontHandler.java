package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.Promise;
import io.plainsight.http.Http1Head;
import io.plainsight.http.Http1HeadParser;
import io.plainsight.http.Http1ParseException;
import io.plainsight.proxy.socks.Socks5Greeting;
import io.plainsight.proxy.socks.SocksCodec;
import io.plainsight.proxy.socks.SocksCredentials;
import io.plainsight.proxy.socks.SocksException;
import io.plainsight.proxy.socks.SocksRequest;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first bytes of a forward-proxy client: SOCKS5 (first byte 5), SOCKS4/4a (4), or an HTTP
 * proxy request — CONNECT opens a tunnel, an absolute-form {@code http://} request is forwarded,
 * {@code http://plainsight/} is the onboarding page. Once a tunnel's upstream is connected the
 * client is answered and {@link InterceptHandler} takes over.
 */
final class ProxyFrontHandler extends ByteToMessageDecoder {
    private enum State { START, HTTP, SOCKS5_GREETING, SOCKS5_AUTH, SOCKS5_REQUEST, SOCKS4, WAITING }

    private static final byte[] CONNECTED = "HTTP/1.1 200 Connection established\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final Conversation conv;
    private final ProxySettings settings;
    private final ProxyTls tls;
    private final UpstreamConnector connector;
    private State state = State.START;
    /** The client sent its FIN while its tunnel was being opened. */
    private boolean inputEnded;

    ProxyFrontHandler(Conversation conv, ProxySettings settings, ProxyTls tls, UpstreamConnector connector) {
        this.conv = conv;
        this.settings = settings;
        this.tls = tls;
        this.connector = connector;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        try {
            while (in.isReadable() && state != State.WAITING && !ctx.isRemoved()) {
                if (!step(ctx, in)) {
                    return;
                }
            }
        } catch (SocksException e) {
            in.skipBytes(in.readableBytes());
            state = State.WAITING;
            conv.fail("client: " + e.getMessage());
        } catch (Http1ParseException e) {
            in.skipBytes(in.readableBytes());
            refuseHttp(ctx, 400, "Bad Request", "malformed proxy request: " + e.getMessage());
        }
    }

    /** One step; false when more bytes are needed. */
    private boolean step(ChannelHandlerContext ctx, ByteBuf in) throws SocksException, Http1ParseException {
        switch (state) {
            case START -> {
                int first = in.getUnsignedByte(in.readerIndex());
                state = first == 5 ? State.SOCKS5_GREETING : first == 4 ? State.SOCKS4 : State.HTTP;
                return true;
            }
            case HTTP -> {
                Http1Head head = Http1HeadParser.parseRequest(in, Http1HeadParser.DEFAULT_MAX_HEAD);
                if (head == null) {
                    return false;
                }
                http(ctx, in, head);
                return true;
            }
            case SOCKS5_GREETING -> {
                Socks5Greeting g = SocksCodec.parseGreeting(in);
                if (g == null) {
                    return false;
                }
                socks5Greeting(ctx, g);
                return true;
            }
            case SOCKS5_AUTH -> {
                SocksCredentials c = SocksCodec.parseUserPass(in);
                if (c == null) {
                    return false;
                }
                boolean ok = settings.auth() == null || settings.auth().accepts(c.username(), c.password());
                ctx.writeAndFlush(SocksCodec.userPassReply(ctx.alloc(), ok));
                if (ok) {
                    state = State.SOCKS5_REQUEST;
                } else {
                    state = State.WAITING;
                    conv.fail("client: SOCKS5 authentication failed for user '" + c.username() + "'");
                }
                return true;
            }
            case SOCKS5_REQUEST -> {
                SocksRequest r = SocksCodec.parseRequest5(in);
                if (r == null) {
                    return false;
                }
                socksConnect(ctx, r);
                return true;
            }
            case SOCKS4 -> {
                SocksRequest r = SocksCodec.parseRequest4(in);
                if (r == null) {
                    return false;
                }
                if (settings.auth() != null) {
                    state = State.WAITING;
                    ctx.writeAndFlush(SocksCodec.reply4(ctx.alloc(), false, null));
                    conv.fail("client: SOCKS4 has no password; this proxy requires authentication (use SOCKS5)");
                    return true;
                }
                socksConnect(ctx, r);
                return true;
            }
            default -> {
                return false;
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            if (state == State.WAITING) {
                inputEnded = true; // passed on once the tunnel is open
                return;
            }
            state = State.WAITING;
            conv.fail("client closed its side before completing its proxy request");
            return;
        }
        super.userEventTriggered(ctx, evt);
    }

    private void socks5Greeting(ChannelHandlerContext ctx, Socks5Greeting g) {
        int method;
        if (settings.auth() != null) {
            method = g.methods().contains(SocksCodec.METHOD_USER_PASS) ? SocksCodec.METHOD_USER_PASS : SocksCodec.METHOD_NONE_ACCEPTABLE;
        } else if (g.methods().contains(SocksCodec.METHOD_NO_AUTH)) {
            method = SocksCodec.METHOD_NO_AUTH;
        } else {
            method = g.methods().contains(SocksCodec.METHOD_USER_PASS) ? SocksCodec.METHOD_USER_PASS : SocksCodec.METHOD_NONE_ACCEPTABLE;
        }
        ctx.writeAndFlush(SocksCodec.methodSelection(ctx.alloc(), method));
        if (method == SocksCodec.METHOD_NONE_ACCEPTABLE) {
            state = State.WAITING;
            conv.fail("client: SOCKS5 offered no acceptable authentication method"
                    + (settings.auth() != null ? " (this proxy requires username/password)" : ""));
        } else {
            state = method == SocksCodec.METHOD_USER_PASS ? State.SOCKS5_AUTH : State.SOCKS5_REQUEST;
        }
    }

    private void socksConnect(ChannelHandlerContext ctx, SocksRequest r) {
        boolean v5 = r.version() == 5;
        state = State.WAITING;
        if (r.command() != SocksCodec.CMD_CONNECT) {
            ctx.writeAndFlush(v5 ? SocksCodec.reply5(ctx.alloc(), SocksCodec.REP_COMMAND_NOT_SUPPORTED, null)
                    : SocksCodec.reply4(ctx.alloc(), false, null));
            conv.fail("client: SOCKS" + r.version() + " command " + r.command() + " is not supported (only CONNECT)");
            return;
        }
        openTunnel(ctx, new HostPort(r.host(), r.port()), (ok, cause) -> {
            if (ok) {
                InetSocketAddress bound = (InetSocketAddress) conv.upstream.localAddress();
                return v5 ? SocksCodec.reply5(ctx.alloc(), SocksCodec.REP_SUCCEEDED, bound) : SocksCodec.reply4(ctx.alloc(), true, bound);
            }
            return v5 ? SocksCodec.reply5(ctx.alloc(), socksReply(cause), null) : SocksCodec.reply4(ctx.alloc(), false, null);
        });
    }

    private static int socksReply(Throwable cause) {
        if (Failures.find(cause, java.net.UnknownHostException.class) != null) {
            return SocksCodec.REP_HOST_UNREACHABLE;
        }
        if (Failures.connect(cause).equals("connection refused")) {
            return SocksCodec.REP_CONNECTION_REFUSED;
        }
        if (Failures.find(cause, io.netty.channel.ConnectTimeoutException.class) != null) {
            return SocksCodec.REP_TTL_EXPIRED;
        }
        if (Failures.find(cause, java.net.NoRouteToHostException.class) != null) {
            return SocksCodec.REP_HOST_UNREACHABLE;
        }
        return SocksCodec.REP_GENERAL_FAILURE;
    }

    private void http(ChannelHandlerContext ctx, ByteBuf in, Http1Head head) {
        if (settings.auth() != null && !settings.auth().acceptsHeader(head.header("Proxy-Authorization"))) {
            in.skipBytes(in.readableBytes());
            refuseHttp(ctx, 407, "Proxy Authentication Required",
                    head.header("Proxy-Authorization") == null ? "proxy authentication required" : "proxy authentication failed",
                    "Proxy-Authenticate: Basic realm=\"plainsight\"");
            return;
        }
        String target = head.target();
        if (head.method().equals("CONNECT")) {
            HostPort hp;
            try {
                hp = HostPort.parse("CONNECT", target);
            } catch (IllegalArgumentException e) {
                in.skipBytes(in.readableBytes());
                refuseHttp(ctx, 400, "Bad Request", e.getMessage());
                return;
            }
            in.skipBytes(head.length());
            state = State.WAITING;
            openTunnel(ctx, hp, (ok, cause) -> ok ? ctx.alloc().buffer(CONNECTED.length).writeBytes(CONNECTED)
                    : HttpReplies.error(ctx.alloc(), 502, "Bad Gateway", "cannot connect to " + hp + ": " + Failures.connect(cause)));
            return;
        }
        AbsoluteUrl url = AbsoluteUrl.parse(target);
        String host = url != null ? url.host() : head.header("Host");
        if (Onboarding.isFor(host) || (url == null && target.startsWith("/") && isProxyItself(host))) {
            in.skipBytes(head.length());
            ctx.writeAndFlush(Onboarding.respond(ctx.alloc(), url != null ? url.pathAndQuery() : target, tls.authority()));
            conv.handOver();
            return;
        }
        if (url == null) {
            in.skipBytes(in.readableBytes());
            refuseHttp(ctx, 400, "Bad Request", target.startsWith("/")
                    ? "this is a proxy: send absolute-form requests (GET http://host/path) or CONNECT host:port"
                    : "unsupported request target '" + Failures.oneLine(target) + "' (http:// URLs and CONNECT only)");
            return;
        }
        // absolute-form http:// request: the forwarder takes this request and the ones after it
        conv.handOver();
        ctx.pipeline().replace(this, "forward", new HttpForwardHandler(conv, settings, tls, connector));
    }

    private boolean isProxyItself(String host) {
        if (host == null) {
            return true;
        }
        InetSocketAddress l = conv.listener;
        String h = host.toLowerCase(java.util.Locale.ROOT);
        return h.equals(l.getAddress().getHostAddress() + ":" + l.getPort()) || h.equals("localhost:" + l.getPort());
    }

    /** The answer to the client once the upstream connection is made (or failed). */
    private interface Reply {
        ByteBuf build(boolean ok, Throwable cause);
    }

    private void openTunnel(ChannelHandlerContext ctx, HostPort target, Reply reply) {
        conv.target = target;
        Channel client = ctx.channel();
        client.config().setAutoRead(false);
        Promise<Channel> promise = ctx.executor().newPromise();
        promise.addListener(f -> {
            if (!client.isActive()) {
                conv.closeBoth();
                return;
            }
            if (!f.isSuccess()) {
                ctx.writeAndFlush(reply.build(false, f.cause())).addListener(ChannelFutureListener.CLOSE);
                conv.fail("cannot connect to " + conv.upstreamName() + ": " + Failures.connect(f.cause()));
                return;
            }
            ctx.writeAndFlush(reply.build(true, null));
            ctx.pipeline().replace(this, "intercept", new InterceptHandler(conv, tls, connector, settings.intercept(), null));
            if (inputEnded) {
                // events fired from this (removed) context reach its replacement; re-enabling reads
                // after a FIN fails with Netty 4.2.18's epoll (the registration is gone)
                ctx.fireUserEventTriggered(io.netty.channel.socket.ChannelInputShutdownEvent.INSTANCE);
            } else {
                client.config().setAutoRead(true);
            }
        });
        connector.connectTcp(conv, promise);
    }

    private void refuseHttp(ChannelHandlerContext ctx, int status, String reason, String message, String... headers) {
        state = State.WAITING;
        ctx.writeAndFlush(HttpReplies.error(ctx.alloc(), status, reason, message, headers)).addListener(ChannelFutureListener.CLOSE);
        conv.fail("client: " + status + " " + message);
    }
}

package io.plainsight.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Promise;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * A transparently redirected client: finds where it meant to go (SO_ORIGINAL_DST or the TPROXY
 * socket address), connects there, then lets {@link InterceptHandler} look at its first bytes.
 * Without an original destination the connection is routed by the SNI of its ClientHello.
 *
 * <p>While the server connection is being made the client is not read, except that the kernel's
 * news of a FIN makes Netty read what came before it: those bytes and the FIN are kept here and
 * handed to {@link InterceptHandler} once the server connection is up.
 */
final class RedirectedStart extends ChannelInboundHandlerAdapter {
    private final Conversation conv;
    private final ProxyTls tls;
    private final UpstreamConnector connector;
    private final InterceptPolicy policy;
    private final boolean tproxy;
    private final OwnConnections own;

    /** Between channelActive and the server connection's outcome. */
    private boolean connecting;
    private final ArrayDeque<Object> early = new ArrayDeque<>();
    private boolean inputEnded;

    RedirectedStart(Conversation conv, ProxyTls tls, UpstreamConnector connector, InterceptPolicy policy, boolean tproxy,
            OwnConnections own) {
        this.conv = conv;
        this.tls = tls;
        this.connector = connector;
        this.policy = policy;
        this.tproxy = tproxy;
        this.own = own;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        InetSocketAddress dst = OriginalDestination.of(client, tproxy);
        InterceptHandler next = new InterceptHandler(conv, tls, connector, policy, own);
        if (dst == null) {
            // InterceptHandler routes it by its SNI, and says so
            ctx.pipeline().replace(this, "intercept", next);
            ctx.fireChannelActive();
            return;
        }
        conv.target = new HostPort(dst.getAddress().getHostAddress(), dst.getPort());
        if (own.isOurs(client.remoteAddress())) {
            conv.fail(OwnConnections.loop(conv.target));
            return;
        }
        connecting = true;
        client.config().setAutoRead(false);
        Promise<Channel> promise = ctx.executor().newPromise();
        promise.addListener(f -> {
            connecting = false;
            if (!client.isActive()) {
                releaseEarly();
                conv.closeBoth(); // the client left first: nothing to tell it
                return;
            }
            if (!f.isSuccess()) {
                releaseEarly();
                if (Failures.find(f.cause(), ConnectException.class) != null) {
                    // the server cannot be had: the client gets a reset, as from a refused connection
                    client.config().setOption(ChannelOption.SO_LINGER, 0);
                }
                conv.fail("cannot connect to " + conv.upstreamName() + ": " + Failures.connect(f.cause()));
                return;
            }
            own.add((Channel) f.getNow());
            if (own.isOurs(client.remoteAddress())) {
                releaseEarly();
                conv.fail(OwnConnections.loop(conv.target));
                return;
            }
            ctx.pipeline().replace(this, "intercept", next);
            // events fired from this (removed) context reach its replacement
            if (!early.isEmpty()) {
                Object msg;
                while ((msg = early.poll()) != null) {
                    ctx.fireChannelRead(msg);
                }
                ctx.fireChannelReadComplete();
            }
            if (inputEnded) {
                // nothing more to read; and with Netty 4.2.18 re-enabling reads on a channel whose
                // FIN was seen while reads were off fails (its epoll registration is gone)
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            } else if (client.isActive()) {
                client.config().setAutoRead(true);
            }
        });
        connector.connectTcp(conv, promise);
        own.add(conv.upstream); // the connect is under way (IP literal: no name to resolve first)
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (connecting) {
            early.add(msg);
        } else {
            ctx.fireChannelRead(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (!connecting) {
            ctx.fireChannelReadComplete();
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (connecting && evt instanceof ChannelInputShutdownEvent) {
            inputEnded = true;
            return;
        }
        if (connecting && evt instanceof ChannelInputShutdownReadComplete) {
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        releaseEarly();
        ctx.fireChannelInactive();
    }

    private void releaseEarly() {
        Object msg;
        while ((msg = early.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }
}

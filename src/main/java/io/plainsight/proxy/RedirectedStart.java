package io.plainsight.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A transparently redirected client: finds where it meant to go (SO_ORIGINAL_DST or the TPROXY
 * socket address), connects there, then lets {@link InterceptHandler} look at its first bytes.
 * Without an original destination the connection is routed by the SNI of its ClientHello.
 */
final class RedirectedStart extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final Conversation conv;
    private final ProxyTls tls;
    private final UpstreamConnector connector;
    private final InterceptPolicy policy;

    RedirectedStart(Conversation conv, ProxyTls tls, UpstreamConnector connector, InterceptPolicy policy) {
        this.conv = conv;
        this.tls = tls;
        this.connector = connector;
        this.policy = policy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        Channel client = ctx.channel();
        InetSocketAddress dst = OriginalDestination.of(client, conv.listener);
        InterceptHandler next = new InterceptHandler(conv, tls, connector, policy);
        if (dst == null) {
            log.info("#{} {}: no original destination (not redirected to this port?); routing by the SNI of its ClientHello",
                    conv.id, Conversation.addr(client.remoteAddress()));
            ctx.pipeline().replace(this, "intercept", next);
            ctx.fireChannelActive();
            return;
        }
        conv.target = new HostPort(dst.getAddress().getHostAddress(), dst.getPort());
        client.config().setAutoRead(false);
        Promise<Channel> promise = ctx.executor().newPromise();
        promise.addListener(f -> {
            if (!f.isSuccess()) {
                conv.fail("cannot connect to " + conv.upstreamName() + ": " + Failures.connect(f.cause()));
                return;
            }
            ctx.pipeline().replace(this, "intercept", next);
            client.config().setAutoRead(true);
        });
        connector.connectTcp(conv, promise);
        ctx.fireChannelActive();
    }
}

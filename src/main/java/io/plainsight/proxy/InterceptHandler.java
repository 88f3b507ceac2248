package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.plainsight.event.Interception;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's first bytes on a tunnel whose upstream TCP connection is already open (after
 * CONNECT, SOCKS, or a transparent redirect): plain bytes are relayed and captured as they are; a
 * TLS ClientHello is intercepted — the upstream handshake is made with the client's SNI and ALPN
 * offer, then the client gets a certificate forged like the upstream's and the ALPN the upstream
 * chose — unless the policy passes the host through.
 */
final class InterceptHandler extends SslClientHelloHandler<Upstream> {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final Conversation conv;
    private final ProxyTls tls;
    private final UpstreamConnector connector;
    private final InterceptPolicy policy;
    /** Transparent mode: plainsight's own upstream connections (null in proxy mode). */
    private final OwnConnections own;
    /** Where a connection without an original destination goes: its SNI, on the HTTPS port. */
    static final int SNI_ROUTED_PORT = 443;

    private boolean decided;
    /** The ClientHello was read and its upstream is being prepared. */
    private boolean looking;
    /** The client ended its side (FIN) before its TLS handshake could finish. */
    private boolean clientEnded;

    InterceptHandler(Conversation conv, ProxyTls tls, UpstreamConnector connector, InterceptPolicy policy) {
        this(conv, tls, connector, policy, null);
    }

    InterceptHandler(Conversation conv, ProxyTls tls, UpstreamConnector connector, InterceptPolicy policy,
            OwnConnections own) {
        this.conv = conv;
        this.tls = tls;
        this.connector = connector;
        this.policy = policy;
        this.own = own;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (!decided && in.isReadable()) {
            decided = true;
            // plainsight's own connection redirected back to it (its first bytes are sent only once
            // the connection is known to be ours, so this check cannot come too early)
            if (own != null && own.isOurs(ctx.channel().remoteAddress())) {
                in.skipBytes(in.readableBytes());
                conv.fail(OwnConnections.loop(conv.upstream != null ? conv.target : null));
                return;
            }
            if (!ClientHelloParser.mayStartTls(in.getUnsignedByte(in.readerIndex()))) {
                if (conv.upstream == null) {
                    String preview = Failures.preview(in);
                    in.skipBytes(in.readableBytes());
                    conv.fail("client did not speak TLS and has no original destination (not redirected to this port?):"
                            + " nowhere to send it (first bytes: \"" + preview + "\")");
                    return;
                }
                relayUntouched(ctx, Interception.PLAIN, false);
                return;
            }
        }
        super.decode(ctx, in, out);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (!(evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent)) {
            super.userEventTriggered(ctx, evt);
            return;
        }
        // the client ended its side before it was relayed: it will not finish a TLS handshake
        if (looking) {
            clientEnded = true; // told once the upstream is ready (or not)
        } else if (!decided) {
            conv.closeBoth(); // connected and closed without a byte: an ordinary, empty conversation
        } else {
            conv.fail("client closed the connection before its TLS ClientHello was complete");
        }
    }

    @Override
    protected Future<Upstream> lookup(ChannelHandlerContext ctx, ByteBuf clientHello) {
        looking = true;
        Promise<Upstream> promise = ctx.executor().newPromise();
        ClientHello hello = ClientLeg.readHello(conv, clientHello, promise);
        if (hello == null) {
            return promise;
        }
        if (conv.upstream != null) {
            proceed(hello, promise);
            return promise;
        }
        // no original destination (transparent mode): the SNI says where to go
        if (hello.sni() == null) {
            conv.fail("client has no original destination (not redirected to this port?) and sent no SNI: nowhere to send it");
            return promise.setFailure(new IllegalStateException("no destination"));
        }
        conv.target = new HostPort(hello.sni(), SNI_ROUTED_PORT);
        Promise<io.netty.channel.Channel> connected = ctx.executor().newPromise();
        connected.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                conv.fail("no original destination (not redirected to this port?), routed by its SNI: cannot connect to "
                        + conv.upstreamName() + ": " + Failures.connect(f.cause()));
                return;
            }
            io.netty.channel.Channel upstream = (io.netty.channel.Channel) f.getNow();
            if (own != null) {
                own.add(upstream);
            }
            log.info("#{} {}: no original destination (not redirected to this port?): routed by its SNI to {} ({})",
                    conv.id, Conversation.addr(ctx.channel().remoteAddress()), conv.target,
                    Conversation.addr(upstream.remoteAddress()));
            proceed(hello, promise);
        });
        connector.connectTcp(conv, connected);
        return promise;
    }

    /** The upstream TCP connection is open: pass through, or start its TLS with the client's SNI and ALPN offer. */
    private void proceed(ClientHello hello, Promise<Upstream> promise) {
        if (!conv.upstream.isActive() || conv.upstream instanceof io.netty.channel.socket.DuplexChannel d && d.isInputShutdown()) {
            // e.g. plainsight's own connection redirected back to it, ended by the loop check
            conv.fail(conv.upstreamName() + " closed the connection before the TLS handshake");
            promise.tryFailure(new java.nio.channels.ClosedChannelException());
            return;
        }
        Interception decision = policy.decide(conv.target, hello.sni(), hello, conv.mode, conv.client.remoteAddress(),
                conv.upstream.remoteAddress());
        if (decision != Interception.DECRYPTED) {
            conv.interception = decision;
            promise.setSuccess(null);
            return;
        }
        conv.open(conv.upstream, true);
        connector.startTls(conv, hello.sni(), hello.alpn(), promise);
    }

    @Override
    protected void onLookupComplete(ChannelHandlerContext ctx, Future<Upstream> future) {
        if (!future.isSuccess()) {
            ClientLeg.refuse(ctx);
            return;
        }
        if (clientEnded) {
            conv.fail("client closed the connection during the TLS handshake");
            return;
        }
        Upstream up = future.getNow();
        if (up == null) {
            log.debug("#{} {} {}: relayed without decryption", conv.id, conv.interception.label(), conv.target);
            relayUntouched(ctx, conv.interception, true);
            return;
        }
        String name = conv.sni != null ? conv.sni : conv.target.host();
        List<String> alpn = up.alpn() == null ? List.of() : List.of(up.alpn());
        ClientLeg.handshake(ctx, this, conv, tls, name, alpn, up.leaf(), cause -> {
            if (cause == null) {
                policy.accepted(conv.target, conv.sni);
            } else if (InterceptPolicy.isCertificateRejection(cause)) {
                policy.rejected(conv.target, conv.sni);
            }
        });
    }

    /** Hands what was read (and all that follows) to the relay as it is. */
    private void relayUntouched(ChannelHandlerContext ctx, Interception how, boolean tlsCarried) {
        conv.interception = how;
        conv.open(conv.upstream, tlsCarried);
        ctx.pipeline().remove(this); // the bytes read so far go on to the relay
        conv.activate();
    }
}

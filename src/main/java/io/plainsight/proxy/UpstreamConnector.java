package io.plainsight.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Promise;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;
import java.net.InetSocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;

/** Opens the upstream leg of a conversation, on the client channel's own event loop. */
final class UpstreamConnector {
    private final ProxySettings settings;
    private final ProxyTls tls;

    UpstreamConnector(ProxySettings settings, ProxyTls tls) {
        this.settings = settings;
        this.tls = tls;
    }

    /**
     * Relay modes: connects to the target; for TLS upstreams completes the handshake with the given
     * SNI and ALPN offer. The promise fails (after the conversation logged why) when the upstream
     * cannot be had.
     */
    void connect(Conversation conv, String sni, List<String> alpnOffer, Promise<Upstream> promise) {
        HostPort target = conv.target;
        boolean upstreamTls = settings.upstreamTls();
        String tlsHost = sni != null ? sni : (settings.upstreamSni() != null ? settings.upstreamSni() : target.host());
        Bootstrap b = bootstrap(conv, ch -> {
            if (upstreamTls) {
                addTls(conv, ch, tls.upstreamLeg(ch.alloc(), tlsHost, target.host(), target.port(), alpnOffer));
            }
        });
        ChannelFuture cf = b.connect(target.host(), target.port());
        conv.upstream = cf.channel();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause()); // first: the client may be told (a TLS alert)
                conv.fail("cannot connect to " + conv.upstreamName() + ": " + Failures.connect(f.cause()));
                conv.upstreamGone();
                return;
            }
            Channel ch = cf.channel();
            if (!conv.client.isActive()) {
                ch.close();
                promise.tryFailure(new IllegalStateException("client went away"));
                return;
            }
            conv.open(ch, true);
            if (!upstreamTls) {
                promise.trySuccess(new Upstream(ch, null, null));
                return;
            }
            awaitHandshake(conv, ch.pipeline().get(SslHandler.class), promise);
        });
    }

    /**
     * Proxy modes: resolves the conversation's target off the I/O thread and opens a plain TCP
     * connection (TLS, if any, is added by {@link #startTls} once the client's hello is read). The
     * promise fails with the cause, unlogged: the caller answers the client (HTTP 502, a SOCKS
     * reply) and then fails the conversation.
     */
    void connectTcp(Conversation conv, Promise<Channel> promise) {
        HostPort target = conv.target;
        Resolver.resolve(target, conv.client.eventLoop()).addListener(r -> {
            if (!r.isSuccess()) {
                promise.tryFailure(r.cause());
                return;
            }
            if (!conv.client.isActive()) {
                promise.tryFailure(new IllegalStateException("client went away"));
                return;
            }
            ChannelFuture cf = bootstrap(conv, ch -> { }).connect((InetSocketAddress) r.getNow());
            conv.upstream = cf.channel();
            cf.addListener(f -> {
                if (!f.isSuccess()) {
                    conv.upstream = null;
                    promise.tryFailure(f.cause());
                    return;
                }
                if (!conv.client.isActive()) {
                    cf.channel().close();
                    promise.tryFailure(new IllegalStateException("client went away"));
                    return;
                }
                promise.trySuccess(cf.channel());
            });
        });
    }

    /**
     * Proxy modes: starts TLS on the connected upstream channel with this SNI (null: none) and ALPN
     * offer; the certificate must name the SNI or else the target host.
     */
    void startTls(Conversation conv, String sni, List<String> alpnOffer, Promise<Upstream> promise) {
        Channel ch = conv.upstream;
        HostPort target = conv.target;
        SslHandler ssl = tls.upstreamLeg(ch.alloc(), sni != null ? sni : target.host(), target.host(), target.port(), alpnOffer);
        addTls(conv, ch, ssl);
        awaitHandshake(conv, ssl, promise);
    }

    /**
     * Puts the upstream leg's TLS handler in its pipeline, behind a {@link HelloRecorder} (the
     * hellos, a server's non-TLS first bytes), with its secrets watched when some output wants them.
     */
    private static void addTls(Conversation conv, Channel ch, SslHandler ssl) {
        conv.watchSecrets(Leg.UPSTREAM, ssl);
        HelloRecorder.addTo(ch.pipeline(), conv, Leg.UPSTREAM, ssl);
        ch.pipeline().addAfter(HelloRecorder.NAME, "tls", ssl);
    }

    private static void awaitHandshake(Conversation conv, SslHandler ssl, Promise<Upstream> promise) {
        ssl.handshakeFuture().addListener(hf -> {
            if (!hf.isSuccess()) {
                promise.tryFailure(hf.cause()); // first: the client may be told (a TLS alert)
                conv.failed(false, false, hf.cause());
                return;
            }
            conv.tlsEstablished(Leg.UPSTREAM, ssl);
            promise.trySuccess(new Upstream(conv.upstream, ssl.applicationProtocol(), leaf(ssl)));
        });
    }

    private Bootstrap bootstrap(Conversation conv, java.util.function.Consumer<Channel> tlsSetup) {
        RelayHandler relay = new RelayHandler(conv, Direction.SERVER_TO_CLIENT);
        conv.upstreamRelay = relay;
        return new Bootstrap()
                .group(conv.client.eventLoop())
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ProxyServer.addIdleTimeout(ch, settings);
                        ch.pipeline().addLast("relay", relay);
                        tlsSetup.accept(ch);
                        if (conv.wire) {
                            WireTap.addTo(ch.pipeline(), conv.tap, Leg.UPSTREAM);
                        }
                    }
                });
    }

    private static X509Certificate leaf(SslHandler ssl) {
        try {
            Certificate[] chain = ssl.engine().getSession().getPeerCertificates();
            return chain.length > 0 && chain[0] instanceof X509Certificate x ? x : null;
        } catch (SSLPeerUnverifiedException e) {
            return null;
        }
    }
}

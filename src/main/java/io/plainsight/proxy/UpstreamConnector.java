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
     * Connects to the target; for TLS upstreams completes the handshake with the given SNI and ALPN
     * offer. The promise fails (after the conversation logged why) when the upstream cannot be had.
     */
    void connect(Conversation conv, String sni, List<String> alpnOffer, Promise<Upstream> promise) {
        HostPort target = settings.target();
        boolean upstreamTls = settings.upstreamTls();
        RelayHandler relay = new RelayHandler(conv, Direction.SERVER_TO_CLIENT);
        conv.upstreamRelay = relay;
        String tlsHost = sni != null ? sni : (settings.upstreamSni() != null ? settings.upstreamSni() : target.host());
        Bootstrap b = new Bootstrap()
                .group(conv.client.eventLoop())
                .channel(Transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ProxyServer.addIdleTimeout(ch, settings);
                        if (upstreamTls) {
                            ch.pipeline().addLast("first-bytes", new FirstBytesRecorder(conv));
                            ch.pipeline().addLast("tls", tls.upstreamLeg(ch.alloc(), tlsHost, target.host(), target.port(), alpnOffer));
                        }
                        ch.pipeline().addLast("relay", relay);
                    }
                });
        ChannelFuture cf = b.connect(target.host(), target.port());
        conv.upstream = cf.channel();
        cf.addListener(f -> {
            if (!f.isSuccess()) {
                conv.fail("cannot connect to backend " + target + ": " + Failures.connect(f.cause()));
                promise.tryFailure(f.cause());
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
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            ssl.handshakeFuture().addListener(hf -> {
                if (!hf.isSuccess()) {
                    conv.failed(false, false, hf.cause());
                    promise.tryFailure(hf.cause());
                    return;
                }
                conv.tlsEstablished(Leg.UPSTREAM, ssl);
                promise.trySuccess(new Upstream(ch, ssl.applicationProtocol(), leaf(ssl)));
            });
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

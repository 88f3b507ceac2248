package io.plainsight.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A listener for one of the relay modes (reverse, terminate, originate): accepts clients, opens
 * the upstream leg per client, relays bytes unchanged and taps them onto the capture bus.
 */
public final class ProxyServer implements AutoCloseable {
    private final ProxySettings settings;
    private final ProxyTls tls;
    private final CaptureBus bus;
    private final UpstreamConnector connector;
    /** Set when some output wants TLS secrets (and the TLS library can give them). */
    private final io.plainsight.tls.TlsKeyLog keyLog;
    /** Whether some output wants the raw wire of both legs. */
    private final boolean wire;
    /** Transparent mode: the connections made to servers, to recognise one redirected back here. */
    private final OwnConnections own = new OwnConnections();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup boss;
    private EventLoopGroup workers;
    private Channel serverChannel;

    public ProxyServer(ProxySettings settings, ProxyTls tls, CaptureBus bus) {
        this.settings = settings;
        this.tls = tls;
        this.bus = bus;
        this.connector = new UpstreamConnector(settings, tls);
        // the TLS library reports secrets, and the pipelines tap the wire, only when an output wants them
        this.keyLog = bus.wantsSecrets() ? tls.enableKeyLog() : null;
        this.wire = bus.wantsWire();
    }

    /** Binds the listener; returns the bound address (useful with port 0). */
    public InetSocketAddress start(int ioThreads) throws InterruptedException {
        boss = Transport.newGroup(1, "accept");
        workers = Transport.newGroup(ioThreads, "io");
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        channels.add(ch);
                        initClient(ch);
                    }
                });
        if (settings.tproxy()) {
            if (!Transport.EPOLL) {
                throw new IllegalStateException("--tproxy needs the Linux epoll transport, which is not available here");
            }
            b.option(io.netty.channel.epoll.EpollChannelOption.IP_TRANSPARENT, true);
        }
        HostPort listen = settings.listen();
        try {
            serverChannel = b.bind(listen.host(), listen.port()).sync().channel();
        } catch (Exception e) {
            close();
            throw new IllegalStateException("cannot listen on " + listen + ": " + Failures.rootMessage(e), e);
        }
        return (InetSocketAddress) serverChannel.localAddress();
    }

    private void initClient(Channel ch) {
        Conversation conv = new Conversation(settings.mode(), bus, ch, settings.target(), settings.intercept());
        conv.keyLog = keyLog;
        conv.wire = wire;
        if (wire) {
            WireTap.addTo(ch.pipeline(), conv.tap, io.plainsight.event.Leg.CLIENT);
        }
        addIdleTimeout(ch, settings);
        RelayHandler relay = new RelayHandler(conv, Direction.CLIENT_TO_SERVER);
        conv.clientRelay = relay;
        if (settings.mode() == Mode.PROXY) {
            ch.pipeline().addLast("front", new ProxyFrontHandler(conv, settings, tls, connector));
            ch.pipeline().addLast("relay", relay);
        } else if (settings.mode() == Mode.TRANSPARENT) {
            ch.pipeline().addLast("redirected", new RedirectedStart(conv, tls, connector, settings.intercept(), settings.tproxy(), own));
            ch.pipeline().addLast("relay", relay);
        } else if (settings.clientTls()) {
            ch.pipeline().addLast("hello", new ClientTlsHandler(conv, settings, tls, connector));
            ch.pipeline().addLast("relay", relay);
        } else {
            ch.pipeline().addLast("relay", relay);
            ch.pipeline().addLast("start", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.pipeline().remove(this);
                    ctx.channel().config().setAutoRead(false);
                    var promise = ctx.executor().<Upstream>newPromise();
                    promise.addListener(f -> {
                        if (f.isSuccess()) {
                            conv.activate();
                        } else {
                            ctx.close();
                        }
                    });
                    connector.connect(conv, null, settings.mode() == Mode.ORIGINATE ? settings.alpn() : java.util.List.of(),
                            promise);
                    ctx.fireChannelActive();
                }
            });
        }
    }

    /** Both legs watch for idleness; the relay closes the conversation on the event. */
    static void addIdleTimeout(Channel ch, ProxySettings settings) {
        long ms = settings.idleTimeout().toMillis();
        if (ms > 0) {
            ch.pipeline().addLast("idle", new io.netty.handler.timeout.IdleStateHandler(0, 0, ms, TimeUnit.MILLISECONDS));
        }
    }

    /** Stops accepting, closes every connection, and stops the I/O threads. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        channels.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        if (workers != null) {
            workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
        if (boss != null) {
            boss.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }
}

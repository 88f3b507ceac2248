package io.plainsight.tls;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.ssl.AbstractSniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A Netty TLS server on 127.0.0.1 (free port) shaped like the proxy: it peeks at the ClientHello's
 * SNI, creates the engine from a {@link ServerTlsContexts} context, assigns key material chosen
 * from the SNI (or nothing, to fall back to imported certificates), releases it after the
 * handshake, then answers any request with a tiny HTTP response.
 */
final class TlsTestServer implements AutoCloseable {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Channel channel;
    final AtomicInteger handshakes = new AtomicInteger();

    TlsTestServer(ServerKeyManager km, SslContext context, Function<String, KeyMaterial> chooser) throws Exception {
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new AbstractSniHandler<String>() {
                            @Override
                            protected Future<String> lookup(ChannelHandlerContext ctx, String hostname) {
                                return ctx.executor().newSucceededFuture(hostname);
                            }

                            @Override
                            protected void onLookupComplete(ChannelHandlerContext ctx, String hostname,
                                                            Future<String> future) {
                                SslHandler ssl = context.newHandler(ctx.alloc());
                                KeyMaterial m = chooser.apply(hostname);
                                if (m != null) {
                                    km.assign(ssl.engine(), m);
                                }
                                ssl.handshakeFuture().addListener(f -> {
                                    km.release(ssl.engine());
                                    if (f.isSuccess()) {
                                        handshakes.incrementAndGet();
                                    }
                                });
                                ctx.pipeline().replace(this, "ssl", ssl);
                            }
                        }, new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                ReferenceCountUtil.release(msg);
                                ByteBuf body = Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
                                        + "Connection: close\r\n\r\nok", StandardCharsets.US_ASCII);
                                ctx.writeAndFlush(body).addListener(ChannelFutureListener.CLOSE);
                            }

                            @Override
                            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close();
                            }
                        });
                    }
                });
        channel = b.bind("127.0.0.1", 0).sync().channel();
    }

    int port() {
        return ((InetSocketAddress) channel.localAddress()).getPort();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}

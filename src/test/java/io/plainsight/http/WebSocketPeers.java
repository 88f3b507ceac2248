package io.plainsight.http;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;
import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Real WebSocket peers talking over loopback, for the decoder's tests: a Netty echo server whose
 * socket is tapped (both directions, as the bytes crossed it, HTTP upgrade included), and two
 * clients: Java's {@link java.net.http.WebSocket} (no compression) and Netty's client with
 * permessage-deflate. The server echoes data frames as they come (fragments as fragments), answers
 * pings with pongs and a close with the same close.
 */
final class WebSocketPeers {
    private WebSocketPeers() {}

    /** The bytes that crossed the server's socket in each direction. */
    record Session(byte[] clientToServer, byte[] serverToClient) {}

    /** What a script sends, in order; {@code last=false} texts are fragments of one message. */
    sealed interface Send {}

    record Text(String text, boolean last) implements Send {}

    record Binary(byte[] bytes) implements Send {}

    record Ping(String text) implements Send {}

    record Close(int code, String reason) implements Send {}

    /** Random bytes, and random text that compresses about by half. */
    static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    static String randomText(int n, long seed) {
        Random r = new Random(seed);
        StringBuilder s = new StringBuilder(n);
        String alphabet = "abcdefghij klmnop ";
        while (s.length() < n) {
            s.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Java's HttpClient WebSocket: it offers no extension. */
    static final List<Send> JDK_SCRIPT = List.of(
            new Text("Hello, server", true),
            new Text("frag", false),
            new Ping("in between"),
            new Text("mented", true),
            new Binary(randomBytes(300, 1)),
            new Binary(randomBytes(70_000, 2)),
            new Ping("are you there?"),
            new Close(1000, "done"));

    /** Netty's client, compressing: "Hello" twice shares the window; a ping between fragments. */
    static final List<Send> NETTY_SCRIPT = List.of(
            new Text("Hello", true),
            new Text("Hello", true),
            new Text(randomText(70_000, 3), true),
            new Text("part one, ", false),
            new Ping("in between"),
            new Text("part two, ", false),
            new Text("part three", true),
            new Binary(randomBytes(70_000, 4)),
            new Ping("ping?"),
            new Close(1000, "bye"));

    static Session jdkClient() throws Exception {
        return withServer(new PerMessageDeflateServerExtensionHandshaker(), (port, opened) -> {
            WebSocket ws = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port + "/ws"), new WebSocket.Listener() {})
                    .get(10, TimeUnit.SECONDS);
            for (Send send : JDK_SCRIPT) {
                CompletableFuture<WebSocket> sent = switch (send) {
                    case Text t -> ws.sendText(t.text(), t.last());
                    case Binary b -> ws.sendBinary(ByteBuffer.wrap(b.bytes()), true);
                    case Ping p -> ws.sendPing(ByteBuffer.wrap(p.text().getBytes(StandardCharsets.UTF_8)));
                    case Close c -> ws.sendClose(c.code(), c.reason());
                };
                sent.get(10, TimeUnit.SECONDS);
            }
        });
    }

    /**
     * Netty's client and server with permessage-deflate; with {@code noContext} the client asks for
     * server_no_context_takeover and the server for client_no_context_takeover.
     */
    static Session nettyClient(boolean noContext) throws Exception {
        PerMessageDeflateServerExtensionHandshaker server = noContext
                ? new PerMessageDeflateServerExtensionHandshaker(6, true, 15, true, true)
                : new PerMessageDeflateServerExtensionHandshaker();
        PerMessageDeflateClientExtensionHandshaker client = noContext
                ? new PerMessageDeflateClientExtensionHandshaker(6, false, 15, true, true)
                : new PerMessageDeflateClientExtensionHandshaker();
        return withServer(server, (port, group) -> {
            CompletableFuture<Channel> ready = new CompletableFuture<>();
            URI uri = URI.create("ws://127.0.0.1:" + port + "/ws");
            Channel ch = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(1 << 16),
                                    new WebSocketClientExtensionHandler(client),
                                    new WebSocketClientProtocolHandler(WebSocketClientHandshakerFactory.newHandshaker(
                                            uri, WebSocketVersion.V13, null, true, EmptyHttpHeaders.INSTANCE, 1 << 20)),
                                    new ChannelInboundHandlerAdapter() {
                                        @Override
                                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                                            if (evt == WebSocketClientProtocolHandler.ClientHandshakeStateEvent.HANDSHAKE_COMPLETE) {
                                                ready.complete(ctx.channel());
                                            }
                                            ctx.fireUserEventTriggered(evt);
                                        }

                                        @Override
                                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                            io.netty.util.ReferenceCountUtil.release(msg); // the echoes: the tap has them
                                        }
                                    });
                        }
                    })
                    .connect("127.0.0.1", port).sync().channel();
            ready.get(10, TimeUnit.SECONDS);
            boolean inMessage = false;
            for (Send send : NETTY_SCRIPT) {
                WebSocketFrame frame = switch (send) {
                    case Text t -> {
                        ByteBuf text = Unpooled.copiedBuffer(t.text(), StandardCharsets.UTF_8);
                        WebSocketFrame f = inMessage ? new ContinuationWebSocketFrame(t.last(), 0, text)
                                : new TextWebSocketFrame(t.last(), 0, text);
                        inMessage = !t.last();
                        yield f;
                    }
                    case Binary b -> new BinaryWebSocketFrame(Unpooled.wrappedBuffer(b.bytes()));
                    case Ping p -> new PingWebSocketFrame(Unpooled.copiedBuffer(p.text(), StandardCharsets.UTF_8));
                    case Close c -> new CloseWebSocketFrame(c.code(), c.reason());
                };
                ch.writeAndFlush(frame).sync();
            }
        });
    }

    private interface Client {
        void run(int port, EventLoopGroup group) throws Exception;
    }

    private static Session withServer(PerMessageDeflateServerExtensionHandshaker deflate, Client client) throws Exception {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        Tap tap = new Tap();
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel c) {
                            c.pipeline().addLast(tap, new HttpServerCodec(), new HttpObjectAggregator(1 << 16),
                                    new WebSocketServerExtensionHandler(deflate),
                                    new WebSocketServerProtocolHandler("/ws", null, true, 1 << 20),
                                    new Echo());
                        }
                    })
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
            client.run(((InetSocketAddress) server.localAddress()).getPort(), group);
            tap.closed.get(10, TimeUnit.SECONDS);
            server.close().sync();
            return tap.session();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /** Copies every byte read from and written to the server's one connection. */
    @io.netty.channel.ChannelHandler.Sharable
    private static final class Tap extends ChannelDuplexHandler {
        private final ByteArrayOutputStream in = new ByteArrayOutputStream();
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            copy((ByteBuf) msg, in);
            ctx.fireChannelRead(msg);
        }

        @Override
        public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
            copy((ByteBuf) msg, out);
            ctx.write(msg, promise);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            closed.complete(null);
            ctx.fireChannelInactive();
        }

        private synchronized void copy(ByteBuf b, ByteArrayOutputStream to) {
            byte[] bytes = new byte[b.readableBytes()];
            b.getBytes(b.readerIndex(), bytes);
            to.writeBytes(bytes);
        }

        synchronized Session session() {
            return new Session(in.toByteArray(), out.toByteArray());
        }
    }

    /** Sends data frames back as they came; the protocol handler answers pings and the close. */
    private static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            ByteBuf content = frame.content().retainedDuplicate();
            WebSocketFrame echo = switch (frame) {
                case TextWebSocketFrame t -> new TextWebSocketFrame(t.isFinalFragment(), 0, content);
                case BinaryWebSocketFrame b -> new BinaryWebSocketFrame(b.isFinalFragment(), 0, content);
                case ContinuationWebSocketFrame c -> new ContinuationWebSocketFrame(c.isFinalFragment(), 0, content);
                default -> null;
            };
            if (echo == null) {
                content.release();
                return;
            }
            ctx.writeAndFlush(echo);
        }
    }
}

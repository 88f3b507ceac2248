package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.plainsight.event.Leg;

/**
 * Sits before a leg's TLS handler while it shakes hands and records the hello messages as they
 * cross the wire, for {@link io.plainsight.event.TlsEstablished} (fingerprints are computed from
 * them by the outputs): on the upstream leg, the server's ServerHello (read) and plainsight's own
 * ClientHello (written); on the client leg, plainsight's ServerHello (the client's ClientHello is
 * taken where it is peeked to route the connection). On the upstream leg it also remembers the
 * first bytes of a server that does not speak TLS, so it can be named with what it said instead.
 * Removes itself once it has what it looks for, so the relay's data path never sees it.
 */
final class HelloRecorder extends ChannelDuplexHandler {
    private final Conversation conv;
    private final Leg leg;
    /** The peer's hello (upstream: the ServerHello), or null when not looked for. */
    private HelloScanner in;
    /** Our own hello (upstream: the ClientHello; client leg: the ServerHello). */
    private HelloScanner out;
    private boolean firstRead = true;

    HelloRecorder(Conversation conv, Leg leg) {
        this.conv = conv;
        this.leg = leg;
        if (leg == Leg.UPSTREAM) {
            in = new HelloScanner(HelloScanner.SERVER_HELLO);
            out = new HelloScanner(HelloScanner.CLIENT_HELLO);
        } else {
            out = new HelloScanner(HelloScanner.SERVER_HELLO);
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            if (firstRead && leg == Leg.UPSTREAM) {
                firstRead = false;
                int first = buf.getUnsignedByte(buf.readerIndex());
                if (first < 20 || first > 23) {
                    conv.upstreamNotTls = Failures.preview(buf);
                }
            }
            if (in != null && !in.done()) {
                in.feed(buf);
                if (in.found() != null) {
                    conv.serverHello(leg, in.found());
                }
            }
        }
        ctx.fireChannelRead(msg);
        removeWhenDone(ctx);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && buf.isReadable() && out != null && !out.done()) {
            out.feed(buf);
            if (out.found() != null) {
                if (leg == Leg.UPSTREAM) {
                    conv.clientHello(leg, out.found());
                } else {
                    conv.serverHello(leg, out.found());
                }
            }
        }
        ctx.write(msg, promise);
        removeWhenDone(ctx);
    }

    private void removeWhenDone(ChannelHandlerContext ctx) {
        if ((in == null || in.done()) && (out == null || out.done()) && !ctx.isRemoved()) {
            ctx.pipeline().remove(this);
        }
    }

    static final String NAME = "hello-recorder";

    /**
     * Puts a recorder for {@code leg} at the head of {@code pipeline} (after a {@link WireTap} if
     * there is one); the caller adds {@code ssl} after it (for a channel already active, only once
     * the recorder is there: the handshake starts when the handler is added). The recorder leaves
     * when it has found what it looks for, or when the handshake ends.
     */
    static void addTo(io.netty.channel.ChannelPipeline pipeline, Conversation conv, Leg leg,
            io.netty.handler.ssl.SslHandler ssl) {
        HelloRecorder recorder = new HelloRecorder(conv, leg);
        WireTap.addFirst(pipeline, NAME, recorder);
        ssl.handshakeFuture().addListener(f -> {
            if (pipeline.context(recorder) != null) {
                pipeline.remove(recorder);
            }
        });
    }
}

package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.DuplexChannel;
import io.plainsight.event.Direction;
import io.plainsight.event.Leg;

/**
 * The head of a leg's pipeline when some output wants the raw wire
 * ({@link io.plainsight.event.WireChunk}): every buffer read from the socket and every buffer
 * written to it (after TLS encryption) is tapped ({@link CaptureCopies}: small chunks copied, large
 * ones retained). Not in the
 * pipeline at all otherwise, so the data path pays nothing for it.
 */
final class WireTap extends ChannelDuplexHandler {
    static final String NAME = "wire";

    private final CaptureTap tap;
    private final Leg leg;
    private final Direction inbound;
    private final Direction outbound;

    WireTap(CaptureTap tap, Leg leg) {
        this.tap = tap;
        this.leg = leg;
        // client leg: the client sends to plainsight; upstream leg: the server sends to plainsight
        this.inbound = leg == Leg.CLIENT ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        this.outbound = inbound.reverse();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf) {
            tap.wire(leg, inbound, buf);
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof ByteBuf buf && sendable(ctx.channel())) {
            tap.wire(leg, outbound, buf);
        }
        ctx.write(msg, promise);
    }

    /**
     * Whether a write can still reach the wire: not after the channel's output was shut (a TLS
     * close_notify written behind a FIN is never sent) or the channel closed.
     */
    private static boolean sendable(Channel ch) {
        return ch.isActive() && !(ch instanceof DuplexChannel d && d.isOutputShutdown());
    }

    /** Adds a tap at the head of {@code pipeline}. */
    static void addTo(ChannelPipeline pipeline, CaptureTap tap, Leg leg) {
        pipeline.addFirst(NAME, new WireTap(tap, leg));
    }

    /** Adds {@code handler} as the first one after the wire tap, or first of all when there is none. */
    static void addFirst(ChannelPipeline pipeline, String name, ChannelHandler handler) {
        if (pipeline.context(NAME) != null) {
            pipeline.addAfter(NAME, name, handler);
        } else {
            pipeline.addFirst(name, handler);
        }
    }
}

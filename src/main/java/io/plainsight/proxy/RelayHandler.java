package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import io.plainsight.event.Direction;
import java.util.ArrayDeque;

/**
 * Relays application bytes read on one channel to the other, unchanged, tapping them onto the
 * capture bus as it goes. Until the conversation is activated (both legs ready), it holds what it
 * reads and stops reading. It follows the peer's writability so a slow reader slows its writer
 * instead of filling memory.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
    private final Conversation conversation;
    private final Direction direction;
    private Channel self;
    private boolean active;
    private ArrayDeque<ByteBuf> held;
    private boolean endedBeforeActive;

    RelayHandler(Conversation conversation, Direction direction) {
        this.conversation = conversation;
        this.direction = direction;
    }

    private Channel peer() {
        return direction == Direction.CLIENT_TO_SERVER ? conversation.upstream : conversation.client;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        self = ctx.channel();
    }

    void activate() {
        if (active) {
            return;
        }
        active = true;
        Channel peer = peer();
        if (held != null) {
            ByteBuf buf;
            while ((buf = held.poll()) != null) {
                forward(peer, buf);
            }
            held = null;
            peer.flush();
        }
        if (self.isActive() && !inputShutdown(self)) {
            self.config().setAutoRead(peer.isWritable());
        }
        if (endedBeforeActive) {
            conversation.inputEnded(self);
        }
    }

    private static boolean inputShutdown(Channel ch) {
        return ch instanceof io.netty.channel.socket.DuplexChannel d && d.isInputShutdown();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf buf)) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (!active) {
            if (held == null) {
                held = new ArrayDeque<>();
            }
            held.add(buf);
            ctx.channel().config().setAutoRead(false);
            return;
        }
        Channel peer = peer();
        forward(peer, buf);
        if (!peer.isWritable()) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    private void forward(Channel peer, ByteBuf buf) {
        conversation.data(direction, buf);
        if (peer != null && peer.isActive()) {
            peer.write(buf, peer.voidPromise());
        } else {
            buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Channel peer = peer();
        if (active && peer != null) {
            peer.flush();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        // this channel drained its outbound buffer: let the other side read again
        Channel peer = peer();
        if (active && ctx.channel().isWritable() && peer != null && peer.isActive() && !inputShutdown(peer)) {
            peer.config().setAutoRead(true);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof io.netty.handler.timeout.IdleStateEvent) {
            conversation.idle();
            return;
        }
        if (evt instanceof SslCloseCompletionEvent || evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
            // close_notify or FIN received: this side is done sending, maybe not reading
            if (active) {
                conversation.inputEnded(ctx.channel());
            } else if (handshaking(ctx)) {
                // the peer ended its side before its TLS handshake finished: it never will (without
                // this, the handshake would wait for its timeout)
                conversation.fail((direction == Direction.CLIENT_TO_SERVER ? "client" : conversation.upstreamName())
                        + " closed the connection during the TLS handshake");
            } else {
                endedBeforeActive = true; // passed on once the other leg is ready
            }
        }
        ReferenceCountUtil.release(evt);
    }

    private static boolean handshaking(ChannelHandlerContext ctx) {
        io.netty.handler.ssl.SslHandler ssl = ctx.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        return ssl != null && !ssl.handshakeFuture().isDone();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (held != null) {
            held.forEach(ByteBuf::release);
            held = null;
        }
        conversation.channelClosed(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (Failures.isReset(cause)) {
            conversation.reset(direction, cause);
            return;
        }
        conversation.failed(direction == Direction.CLIENT_TO_SERVER, active, cause);
    }
}

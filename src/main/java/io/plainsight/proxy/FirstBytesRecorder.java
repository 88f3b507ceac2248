package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;

/**
 * Remembers the first bytes a peer sent (before TLS decoding), so a peer that does not speak TLS
 * can be named with what it said instead. Removes itself after the first read.
 */
final class FirstBytesRecorder extends ChannelInboundHandlerAdapter {
    private final Conversation conv;

    FirstBytesRecorder(Conversation conv) {
        this.conv = conv;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof ByteBuf buf && buf.isReadable()) {
            int first = buf.getUnsignedByte(buf.readerIndex());
            if (first < 20 || first > 23) {
                conv.upstreamNotTls = Failures.preview(buf);
            }
            ctx.pipeline().remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}

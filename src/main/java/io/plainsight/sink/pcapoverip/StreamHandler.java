package io.plainsight.sink.pcapoverip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.plainsight.sink.pcap.PcapFormat;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pipeline of a stream connection: when it becomes active, writes the pcap global header and
 * hands the connection to the fan-out (after the header, so the header comes first); discards
 * whatever the peer sends; closes on errors.
 */
@ChannelHandler.Sharable
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
    private static final byte[] GLOBAL_HEADER = globalHeader();

    private final Consumer<ChannelHandlerContext> onActive;

    /** @param onActive called on the event loop once the header is queued (it makes the subscriber) */
    StreamHandler(Consumer<ChannelHandlerContext> onActive) {
        this.onActive = onActive;
    }

    /** The 24-byte pcap global header every stream starts with. */
    static byte[] globalHeader() {
        ByteBuf b = Unpooled.buffer(PcapFormat.GLOBAL_HEADER_BYTES);
        PcapFormat.writeGlobalHeader(b);
        byte[] bytes = new byte[b.readableBytes()];
        b.readBytes(bytes);
        return bytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(Unpooled.wrappedBuffer(GLOBAL_HEADER));
        onActive.accept(ctx);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ReferenceCountUtil.release(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("pcap-over-ip: {}: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}

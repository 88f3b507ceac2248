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
 * The pipeline of a stream connection: when it becomes active, hands the connection to the fan-out
 * and writes the pcap global header; discards whatever the peer sends; closes on errors. The
 * header still comes first: the fan-out's writes reach the connection as tasks of its event loop,
 * which run after this one. So a reader that has the header has joined.
 */
@ChannelHandler.Sharable
final class StreamHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(StreamHandler.class);
    private static final byte[] GLOBAL_HEADER = globalHeader();

    private final Consumer<ChannelHandlerContext> onActive;

    /** @param onActive called on the event loop when the connection is up, before the header is written */
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
        onActive.accept(ctx);
        ctx.writeAndFlush(Unpooled.wrappedBuffer(GLOBAL_HEADER));
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

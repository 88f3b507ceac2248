package io.plainsight.sink.pcapoverip;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.plainsight.proxy.Transport;
import io.plainsight.sink.console.ConsoleFormat;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code --pcap-over-ip} listener: every reader that connects gets the global header, then
 * joins the fan-out. Readers that go away are forgotten with one line.
 */
final class PcapOverIpServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapOverIpServer.class);

    private final Channel channel;

    private PcapOverIpServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Listens on {@code at}.
     *
     * @throws IllegalArgumentException naming {@code option} and why it cannot listen there
     */
    static PcapOverIpServer bind(String option, EventLoopGroup group, InetSocketAddress at, FanOut fanOut) {
        StreamHandler handler = new StreamHandler(ctx -> {
            Channel ch = ctx.channel();
            Subscriber s = new Subscriber(ch, "reader " + ConsoleFormat.address((InetSocketAddress) ch.remoteAddress()), null);
            log.info("pcap-over-ip: {} connected", s.name);
            // as a task of its own, so that the notices of the last writes (queued tasks too) count first
            ch.closeFuture().addListener(f -> ch.eventLoop().execute(() -> {
                if (!s.dropped) {
                    log.info("pcap-over-ip: {} disconnected after {} packets ({})", s.name, s.sentPackets(),
                            ConsoleFormat.bytes(s.sentBytes()));
                }
            }));
            fanOut.join(s);
        });
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(Transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                // a reader whose input ends (nc with stdin at its end sends a FIN) still reads
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(handler)
                .bind(at)
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            throw new IllegalArgumentException(option + " " + ConsoleFormat.address(at) + ": cannot listen there: "
                    + NetworkFailures.cause(bound.cause()));
        }
        return new PcapOverIpServer(bound.channel());
    }

    /** The address readers connect to (with the port chosen when 0 was asked for). */
    InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().awaitUninterruptibly(2_000);
    }
}

package io.plainsight.sink.pcapoverip;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;
import io.plainsight.proxy.Transport;
import io.plainsight.sink.console.ConsoleFormat;
import io.plainsight.sink.pcap.ConversationTracker;
import io.plainsight.sink.pcap.FrameFollower;
import io.plainsight.sink.pcap.FrameOutput;
import io.plainsight.sink.pcap.PcapOptions;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PCAP-over-IP: the decrypted traffic as a live classic pcap stream, the frames synthesized exactly
 * as the PCAP files have them. Readers that connect to {@code --pcap-over-ip} (e.g.
 * {@code nc 127.0.0.1 57012 | tshark -r -}) and listeners this connects to
 * ({@code --pcap-over-ip-connect}) each get the global header, then every packet from then on.
 *
 * <p>Records are collected on the sink thread into shared blocks (no copy per reader) and written
 * by an event loop of this sink's own, never by the proxy's I/O threads. Each reader may fall
 * {@link PcapOverIpSettings#bufferBytes()} behind; a reader further behind is dropped with a log
 * line, so the traffic never waits, unless {@link PcapOverIpSettings#lossless()} makes the sink wait
 * for it (which, with the bus's block policy, throttles the traffic).
 *
 * <p>Beside a PCAP file or directory it need not synthesize the frames again: as a
 * {@link FrameFollower} of that sink ({@link io.plainsight.sink.pcap.PcapSink#follow}) it takes a
 * copy of each frame on that sink's thread, and is flushed and closed by it.
 */
public final class PcapOverIpSink implements Sink, FrameFollower {
    private static final Logger log = LoggerFactory.getLogger(PcapOverIpSink.class);
    /** How long closing waits for readers to take what was queued for them. */
    private static final long CLOSE_WAIT_MILLIS = 5_000;
    /** How long start-up waits for the first connection attempts to the push targets. */
    private static final long FIRST_CONNECT_WAIT_MILLIS = 2_000;

    private final ConversationTracker tracker;
    private final RecordBlocks blocks;
    private final FanOut fanOut;
    private final EventLoopGroup group;
    private final PcapOverIpServer server;
    private final List<PushTarget> targets = new ArrayList<>();
    // written by the sink thread only, read by any
    private volatile long packets;
    private volatile long unread;
    private volatile long bytes;
    private boolean closed;

    private PcapOverIpSink(PcapOverIpSettings settings, PcapOptions pcapOptions, String listenOption) {
        this.tracker = new ConversationTracker(pcapOptions);
        // pooled: a fresh direct buffer per block is zeroed and faulted in, which tripled the cost
        this.blocks = new RecordBlocks(PooledByteBufAllocator.DEFAULT);
        this.fanOut = new FanOut(settings.bufferBytes(), settings.lossless());
        this.blocks.onFull(b -> publish(b.data(), b.packets()));
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("pcap-over-ip", true),
                Transport.EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
        PcapOverIpServer s = null;
        try {
            if (settings.listen() != null) {
                s = PcapOverIpServer.bind(listenOption, group, settings.listen(), fanOut);
            }
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            blocks.close();
            throw e;
        }
        this.server = s;
        for (InetSocketAddress a : settings.connect()) {
            targets.add(new PushTarget(a, group, fanOut, settings.firstRetry(), settings.maxRetry()));
        }
    }

    /**
     * Listens (when asked) and starts connecting to the push targets.
     *
     * @param listenOption the option that named the listen address, for messages
     * @throws IllegalArgumentException naming {@code listenOption} when it cannot listen there
     */
    public static PcapOverIpSink start(PcapOverIpSettings settings, PcapOptions pcapOptions, String listenOption) {
        PcapOverIpSink sink = new PcapOverIpSink(settings, pcapOptions, listenOption);
        if (sink.server != null) {
            InetSocketAddress at = sink.server.address();
            log.info("pcap-over-ip: serving the decrypted PCAP stream on {} (e.g. nc {} {} | tshark -r -){}",
                    ConsoleFormat.address(at), at.getAddress().getHostAddress(), at.getPort(),
                    settings.lossless() ? "; lossless: a slow reader slows the traffic" : "");
        }
        for (PushTarget t : sink.targets) {
            t.start();
        }
        // so that the first packets (all of them, for a short capture given to decrypt) reach a
        // listener that is there: the first attempts, a while at most
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FIRST_CONNECT_WAIT_MILLIS);
        for (PushTarget t : sink.targets) {
            t.awaitFirstAttempt(deadline);
        }
        return sink;
    }

    @Override
    public String name() {
        return "pcap-over-ip";
    }

    @Override
    public void accept(CaptureEvent event) {
        tracker.accept(event, blocks);
    }

    /** The frames, for a PCAP sink this follows (then nothing calls {@link #accept}). */
    @Override
    public FrameOutput frames() {
        return blocks;
    }

    /** A stream to readers: nothing it fails to write is counted as a write failure. */
    @Override
    public long writeFailures() {
        return 0;
    }

    @Override
    public void flush() {
        if (!fanOut.anyone()) {
            int n = blocks.discard();
            count(n);
            unread += n;
            for (PushTarget t : targets) {
                t.countIfDisconnected(n);
            }
            return;
        }
        RecordBlocks.Block b = blocks.take();
        if (b != null) {
            publish(b.data(), b.packets());
        }
    }

    private void publish(ByteBuf data, int n) {
        count(n);
        for (PushTarget t : targets) {
            t.countIfDisconnected(n);
        }
        if (fanOut.anyone()) {
            fanOut.publish(data, n);
        } else {
            unread += n;
            data.release();
        }
    }

    private void count(int n) {
        packets += n;
        bytes = blocks.recordBytes();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        fanOut.giveUpAt(deadline);
        flush();
        fanOut.anyone();
        for (PushTarget t : targets) {
            t.close();
        }
        if (server != null) {
            server.close();
        }
        List<ChannelFuture> closing = new ArrayList<>();
        for (Subscriber s : fanOut.subscribers()) {
            closing.add(s.channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE));
        }
        for (ChannelFuture f : closing) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0 || !f.channel().closeFuture().awaitUninterruptibly(left)) {
                f.channel().close();
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
        blocks.close();
    }

    /** Where readers connect, or null without {@code --pcap-over-ip}. */
    public InetSocketAddress serverAddress() {
        return server == null ? null : server.address();
    }

    /**
     * Readers and push connections connected right now. Each gets every packet from the moment it
     * counts here on.
     */
    public int readers() {
        return fanOut.connected();
    }

    /** Packets synthesized so far (whether anyone was there to read them or not). */
    public long packets() {
        return packets;
    }

    /** Bytes of the packets synthesized so far, pcap record headers included (not the global header). */
    public long bytes() {
        return bytes;
    }

    /** Packets synthesized while no reader was connected. */
    public long unreadPackets() {
        return unread;
    }

    /** Readers and listeners dropped for falling too far behind. */
    public long droppedReaders() {
        return fanOut.droppedSubscribers();
    }

    /** Milliseconds the traffic waited for slow readers (lossless only). */
    public long waitedMillis() {
        return TimeUnit.NANOSECONDS.toMillis(fanOut.waitedNanos());
    }

    /** Per push target ({@code --pcap-over-ip-connect} order): connections made so far. */
    public List<Long> pushConnections() {
        return targets.stream().map(PushTarget::connections).toList();
    }

    /** Per push target: packets dropped since its last connection because it had none. */
    public List<Long> pushMissedPackets() {
        return targets.stream().map(PushTarget::missedPackets).toList();
    }
}

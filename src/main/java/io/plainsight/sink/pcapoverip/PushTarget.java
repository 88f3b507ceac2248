package io.plainsight.sink.pcapoverip;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.plainsight.proxy.Transport;
import io.plainsight.sink.console.ConsoleFormat;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code --pcap-over-ip-connect HOST:PORT}: connects out, streams header and packets, and when
 * the connection fails or ends tries again after 1 s, doubling up to 30 s (by default). One log line
 * per change of state (connected, lost, a new reason for failing), not per attempt. Packets while
 * disconnected are dropped and counted; the count is told when it connects again.
 */
final class PushTarget implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PushTarget.class);
    static final int CONNECT_TIMEOUT_MILLIS = 5_000;

    private final InetSocketAddress address;
    private final String name;
    private final FanOut fanOut;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final long firstDelayMillis;
    private final long maxDelayMillis;
    /** Event loop only: the next wait, and the last state logged (null, "connected", "lost", a failure). */
    private long delayMillis;
    private String state;
    private final AtomicLong missedPackets = new AtomicLong();
    private final AtomicLong connections = new AtomicLong();
    private volatile Subscriber current;
    private volatile boolean closed;
    /** Open until the first attempt has connected or failed. */
    private final CountDownLatch firstAttempt = new CountDownLatch(1);

    PushTarget(InetSocketAddress address, EventLoopGroup group, FanOut fanOut, Duration firstRetry, Duration maxRetry) {
        this.address = address;
        this.name = "listener " + ConsoleFormat.address(address);
        this.fanOut = fanOut;
        this.loop = group.next();
        this.firstDelayMillis = firstRetry.toMillis();
        this.maxDelayMillis = maxRetry.toMillis();
        this.delayMillis = firstDelayMillis;
        this.bootstrap = new Bootstrap()
                .group(loop)
                .channel(Transport.socketChannel())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, CONNECT_TIMEOUT_MILLIS)
                .handler(new StreamHandler(ctx -> connected(ctx.channel())));
    }

    /** Makes the first attempt (asynchronously). */
    void start() {
        loop.execute(this::attempt);
    }

    private void attempt() {
        if (closed) {
            return;
        }
        ChannelFuture f = bootstrap.connect(address);
        f.addListener(done -> {
            if (!done.isSuccess()) {
                failed(NetworkFailures.cause(done.cause()));
                firstAttempt.countDown();
            }
        });
    }

    /** On the event loop, when the connection is up (the header follows). */
    private void connected(Channel ch) {
        Subscriber s = new Subscriber(ch, name, this);
        current = s;
        connections.incrementAndGet();
        // as a task of its own, so that the notices of the last writes (queued tasks too) count first
        ch.closeFuture().addListener(f -> loop.execute(() -> lost(s)));
        fanOut.join(s);
        long missed = missedPackets.getAndSet(0);
        if (state == null) {
            log.info("pcap-over-ip: connected to {}: streaming the decrypted PCAP to it", ConsoleFormat.address(address));
        } else {
            log.info("pcap-over-ip: connected to {} again; {} packets were dropped while it was not connected",
                    ConsoleFormat.address(address), missed);
        }
        state = "connected";
        delayMillis = firstDelayMillis;
        firstAttempt.countDown();
    }

    /** Waits until the first attempt connected or failed, at most until {@code deadlineNanos} (System.nanoTime()). */
    void awaitFirstAttempt(long deadlineNanos) {
        try {
            firstAttempt.await(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void lost(Subscriber s) {
        current = null;
        if (closed) {
            return;
        }
        if (!s.dropped) {
            log.warn("pcap-over-ip: connection to {} lost after {} packets ({}); reconnecting, packets are dropped until then",
                    ConsoleFormat.address(address), s.sentPackets(), ConsoleFormat.bytes(s.sentBytes()));
        }
        state = "lost";
        schedule();
    }

    private void failed(String cause) {
        if (closed) {
            return;
        }
        if (!cause.equals(state)) {
            log.warn("pcap-over-ip: cannot connect to {}: {}; retrying after {}, doubling up to {}; packets are dropped meanwhile",
                    ConsoleFormat.address(address), cause, seconds(firstDelayMillis), seconds(maxDelayMillis));
            state = cause;
        }
        schedule();
        delayMillis = Math.min(delayMillis * 2, maxDelayMillis);
    }

    private static String seconds(long millis) {
        return java.math.BigDecimal.valueOf(millis, 3).stripTrailingZeros().toPlainString() + "s";
    }

    private void schedule() {
        loop.schedule(this::attempt, delayMillis, TimeUnit.MILLISECONDS);
    }

    /** Counts packets that went out while this target had no connection (sink thread). */
    void countIfDisconnected(int packets) {
        Subscriber s = current;
        if (s == null || !s.open()) {
            missedPackets.addAndGet(packets);
        }
    }

    /** Packets dropped since the last connection because there was none. */
    long missedPackets() {
        return missedPackets.get();
    }

    /** Connections made so far. */
    long connections() {
        return connections.get();
    }

    @Override
    public void close() {
        closed = true;
    }
}

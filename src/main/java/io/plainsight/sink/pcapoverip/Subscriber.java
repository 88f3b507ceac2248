package io.plainsight.sink.pcapoverip;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection the stream goes to: a reader that connected to {@code --pcap-over-ip}, or the
 * listener of a {@code --pcap-over-ip-connect}. Blocks are queued by the sink thread and written
 * by the connection's event loop; what is queued and not yet written is counted, which is the
 * reader's bounded buffer.
 */
final class Subscriber {
    final Channel channel;
    /** "reader 127.0.0.1:50412" or "listener 10.0.0.9:57012", for log lines. */
    final String name;
    /** The push target this connection belongs to, or null for a reader of the server. */
    final PushTarget target;

    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicLong pendingPackets = new AtomicLong();
    private final AtomicLong sentBytes = new AtomicLong();
    private final AtomicLong sentPackets = new AtomicLong();
    /** The sink thread while it waits for room (lossless), so that a finished write wakes it. */
    private volatile Thread waiter;
    /** While the sink thread waits: the queued bytes at which it goes on. */
    private volatile long resumeAt;
    /** Dropped by the sink for being slow: its closing is logged there, not as a disconnect. */
    volatile boolean dropped;
    /** Whether a lossless wait for this one was logged (sink thread only). */
    boolean throttleLogged;

    Subscriber(Channel channel, String name, PushTarget target) {
        this.channel = channel;
        this.name = name;
        this.target = target;
    }

    /**
     * Queues {@code block} (which keeps its own reference: this takes another one) to be written.
     * Any thread; the write itself happens on the channel's event loop.
     */
    void send(ByteBuf block, int packets) {
        int size = block.readableBytes();
        pendingBytes.addAndGet(size);
        pendingPackets.addAndGet(packets);
        channel.writeAndFlush(block.retainedDuplicate()).addListener((ChannelFutureListener) f -> {
            pendingBytes.addAndGet(-size);
            pendingPackets.addAndGet(-packets);
            if (f.isSuccess()) {
                sentBytes.addAndGet(size);
                sentPackets.addAndGet(packets);
            }
            Thread w = waiter;
            if (w != null && pendingBytes.get() <= resumeAt) {
                LockSupport.unpark(w);
            }
        });
    }

    /** Bytes queued and not yet handed to the operating system. */
    long pendingBytes() {
        return pendingBytes.get();
    }

    /** Packets queued and not yet handed to the operating system. */
    long pendingPackets() {
        return pendingPackets.get();
    }

    long sentBytes() {
        return sentBytes.get();
    }

    long sentPackets() {
        return sentPackets.get();
    }

    boolean open() {
        return channel.isActive();
    }

    /**
     * Waits until {@code size} more bytes fit in {@code limit}, the connection is gone, or
     * System.nanoTime() passes {@code giveUpAt} ({@code Long.MAX_VALUE}: never); returns the
     * nanoseconds waited. Once it waits, it waits until half the limit is free (or room for
     * {@code size}, if more), so that a reader that keeps the traffic waiting costs a wake-up per
     * half buffer, not one per block.
     */
    long awaitRoom(long size, long limit, long giveUpAt) {
        if (pendingBytes.get() + size <= limit || !open()) {
            return 0;
        }
        long start = System.nanoTime();
        resumeAt = Math.min(limit - size, limit / 2);
        waiter = Thread.currentThread();
        try {
            while (pendingBytes.get() > resumeAt && open()
                    && (giveUpAt == Long.MAX_VALUE || System.nanoTime() - giveUpAt < 0)) {
                LockSupport.parkNanos(10_000_000L);
            }
        } finally {
            waiter = null;
        }
        return System.nanoTime() - start;
    }
}

package io.plainsight.sink.pcapoverip;

import io.netty.buffer.ByteBuf;
import io.plainsight.sink.console.ConsoleFormat;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands every block of records to every connected subscriber, on the sink thread. A subscriber
 * joins between two blocks (its global header was written when it connected), so it never gets
 * part of a record. When a subscriber's buffer cannot take the next block, the policy decides:
 * drop that subscriber (the traffic never waits), or, lossless, wait until it has room.
 */
final class FanOut {
    private static final Logger log = LoggerFactory.getLogger(FanOut.class);

    private final Queue<Subscriber> joining = new ConcurrentLinkedQueue<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final List<Subscriber> subscribers = new ArrayList<>();
    private final long bufferBytes;
    private final boolean lossless;
    // written by the sink thread only, read by any
    private volatile long waitedNanos;
    private volatile long droppedSubscribers;

    /** System.nanoTime() after which a lossless wait gives up (closing). */
    private long giveUpAt = Long.MAX_VALUE;

    FanOut(long bufferBytes, boolean lossless) {
        this.bufferBytes = bufferBytes;
        this.lossless = lossless;
    }

    /**
     * A connection that is up (its global header is written next, before any block can be): it gets
     * every block from the next one on. Any thread.
     */
    void join(Subscriber s) {
        connected.incrementAndGet();
        s.channel.closeFuture().addListener(f -> connected.decrementAndGet());
        joining.add(s);
    }

    /** Connections joined and not closed. Any thread. */
    int connected() {
        return connected.get();
    }

    /** Takes in the joiners and forgets the closed; true when someone is there to read. */
    boolean anyone() {
        for (Subscriber s; (s = joining.poll()) != null; ) {
            subscribers.add(s);
        }
        subscribers.removeIf(s -> !s.open());
        return !subscribers.isEmpty();
    }

    /** Sends {@code block} to everyone connected; releases it. */
    void publish(ByteBuf block, int packets) {
        try {
            anyone();
            int size = block.readableBytes();
            for (Iterator<Subscriber> it = subscribers.iterator(); it.hasNext(); ) {
                Subscriber s = it.next();
                if (s.pendingBytes() + size > bufferBytes) {
                    if (lossless) {
                        if (!s.throttleLogged) {
                            s.throttleLogged = true;
                            log.info("pcap-over-ip: {} reads slower than the traffic: the traffic waits for it (lossless)", s.name);
                        }
                        waitedNanos += s.awaitRoom(size, bufferBytes, giveUpAt);
                        if (s.pendingBytes() + size > bufferBytes && s.open()) {
                            drop(s, size, packets); // closing, and it still has no room
                            it.remove();
                            continue;
                        }
                    } else {
                        drop(s, size, packets);
                        it.remove();
                        continue;
                    }
                }
                if (!s.open()) {
                    it.remove();
                    continue;
                }
                s.send(block, packets);
            }
        } finally {
            block.release();
        }
    }

    private void drop(Subscriber s, int size, int packets) {
        s.dropped = true;
        droppedSubscribers++;
        log.warn("pcap-over-ip: {} dropped: it fell {} behind (its buffer is full); it missed {} packets ({}) after the {} "
                        + "packets it got; the stream goes on without it{}",
                s.name, ConsoleFormat.bytes(bufferBytes), s.pendingPackets() + packets,
                ConsoleFormat.bytes(s.pendingBytes() + size), s.sentPackets(),
                s.target != null ? " until it is reconnected" : "");
        s.channel.close();
    }

    /** From now on, lossless waits end at {@code nanoTime} (System.nanoTime()): the sink is closing. */
    void giveUpAt(long nanoTime) {
        giveUpAt = nanoTime;
    }

    /** The subscribers taken in so far (sink thread). */
    List<Subscriber> subscribers() {
        return subscribers;
    }

    /** Nanoseconds the sink thread waited for slow subscribers (lossless). */
    long waitedNanos() {
        return waitedNanos;
    }

    /** Subscribers dropped for being too slow. */
    long droppedSubscribers() {
        return droppedSubscribers;
    }
}

package io.plainsight.event;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.internal.PlatformDependent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans events out to sinks. Each sink has its own bounded queue and its own thread, so a slow or
 * failing sink never delays or corrupts another. Publishing is cheap and lock-free; it blocks only
 * under {@link OverflowPolicy#BLOCK} when a sink's queue is over its byte budget.
 */
public final class CaptureBus implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CaptureBus.class);

    /**
     * While traffic flows, a sink thread looks for new events this often, or as soon as a quarter of
     * its byte budget is queued (the publisher that crosses that mark wakes it): a busy data path
     * makes no wake-up call per event, and a trickle of events (new connections) costs the sink
     * thread a hundred wake-ups a second, not a thousand (each costs 20-25 us of CPU on a busy VM).
     */
    private static final long POLL_NANOS = 10_000_000L;
    /** A sink with nothing new for this long goes to sleep until an event wakes it. */
    private static final long IDLE_AFTER_NANOS = 1_000_000_000L;
    /** Buffered output is flushed this often while traffic flows (readers see it within that). */
    private static final long FLUSH_EVERY_NANOS = 200_000_000L;

    /**
     * The class of {@code buf.slice(index, length)}: a view whose {@code release()} is its parent's
     * (Netty's {@code UnpooledSlicedByteBuf}; the pooled kinds of slices have references of their own).
     */
    private static final Class<?> PLAIN_SLICE = plainSliceClass();

    private static Class<?> plainSliceClass() {
        ByteBuf probe = Unpooled.directBuffer(1);
        try {
            return probe.slice(0, 1).getClass();
        } finally {
            probe.release();
        }
    }

    /** A sink thread updates its lane's shared counters at least this often (events), besides when its queue is empty. */
    private static final int COUNT_EVERY = 64;

    /** Default byte budget of queued data per sink. */
    public static final long DEFAULT_QUEUE_BYTES = 8L << 20;

    private final List<Lane> lanes = new ArrayList<>();
    /** The lanes whose sinks take data events. */
    private final Lane[] dataLanes;
    /** The lanes whose sinks take raw wire bytes (and captured packets). */
    private final Lane[] wireLanes;
    /** Whether some sink takes TLS secrets. */
    private final boolean secrets;
    private final OverflowPolicy policy;
    private volatile boolean closed;

    public CaptureBus(List<? extends Sink> sinks, OverflowPolicy policy, long queueBytesPerSink) {
        this.policy = policy;
        for (Sink sink : sinks) {
            lanes.add(new Lane(sink, queueBytesPerSink));
        }
        dataLanes = lanes.stream().filter(l -> l.sink.acceptsData()).toArray(Lane[]::new);
        wireLanes = lanes.stream().filter(l -> l.sink.acceptsWire()).toArray(Lane[]::new);
        secrets = lanes.stream().anyMatch(l -> l.sink.acceptsSecrets());
        for (Lane lane : lanes) {
            lane.thread.start();
        }
    }

    public CaptureBus(List<? extends Sink> sinks) {
        this(sinks, OverflowPolicy.BLOCK, DEFAULT_QUEUE_BYTES);
    }

    /** True when no sink is attached: sources may skip building events altogether. */
    public boolean isEmpty() {
        return lanes.isEmpty();
    }

    /** True when some sink takes data events: sources may skip tapping bytes otherwise. */
    public boolean wantsData() {
        return dataLanes.length > 0;
    }

    /** True when some sink takes raw wire bytes ({@link WireChunk}): sources tap them only then. */
    public boolean wantsWire() {
        return wireLanes.length > 0;
    }

    /**
     * True when some sink takes TLS secrets ({@link TlsSecrets}): sources have the TLS library
     * report them only then.
     */
    public boolean wantsSecrets() {
        return secrets;
    }

    /**
     * Publishes an event to every sink. For a {@link DataChunk}, {@link WireChunk} or
     * {@link CapturedPacket}, ownership of one reference of its buffer passes to the bus.
     */
    public void publish(CaptureEvent event) {
        if (event instanceof DataChunk chunk) {
            fanOut(event, chunk.data(), dataLanes);
            return;
        }
        if (event instanceof WireChunk chunk) {
            fanOut(event, chunk.data(), wireLanes);
            return;
        }
        if (event instanceof CapturedPacket packet) {
            fanOut(event, packet.frame(), wireLanes);
            return;
        }
        if (closed) {
            return;
        }
        for (int i = 0, n = lanes.size(); i < n; i++) {
            lanes.get(i).offer(event);
        }
    }

    private void fanOut(CaptureEvent event, ByteBuf data, Lane[] targets) {
        int n = targets.length;
        if (n == 0 || closed) {
            data.release();
            return;
        }
        if (n > 1) {
            data.retain(n - 1);
        }
        for (Lane lane : targets) {
            lane.offer(event);
        }
    }

    /** The sinks, in the order they were given. */
    public List<Sink> sinks() {
        return lanes.stream().map(l -> l.sink).toList();
    }

    /** Events a sink could not take because its queue was full (DROP) or it threw. */
    public long dropped(String sinkName) {
        for (Lane lane : lanes) {
            if (lane.sink.name().equals(sinkName)) {
                return lane.dropped.get();
            }
        }
        return 0;
    }

    /** A live view of each sink's queue and counters, in the order the sinks were given. */
    public List<SinkStats> sinkStats() {
        return List.copyOf(lanes);
    }

    /** Events waiting in every sink's queue. */
    public long queued() {
        long total = 0;
        for (Lane lane : lanes) {
            total += lane.published.get() - lane.handled.get();
        }
        return total;
    }

    /** Blocks until every event published so far has been handled and flushed, or the timeout. */
    public boolean drain(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        for (Lane lane : lanes) {
            long target = lane.published.get();
            while (lane.handled.get() < target || lane.flushedAt < target) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                lane.requestFlush = true;
                LockSupport.unpark(lane.thread);
                LockSupport.parkNanos(1_000_000);
            }
        }
        return true;
    }

    /** Delivers everything queued, flushes and closes every sink. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Lane lane : lanes) {
            LockSupport.unpark(lane.thread);
        }
        for (Lane lane : lanes) {
            try {
                lane.thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static long weight(CaptureEvent event) {
        ByteBuf data = payload(event);
        return data != null ? data.readableBytes() + 64 : 64;
    }

    /** The buffer a data or wire event carries (one reference owned per lane), else null. */
    private static ByteBuf payload(CaptureEvent event) {
        if (event instanceof DataChunk chunk) {
            return chunk.data();
        }
        if (event instanceof WireChunk chunk) {
            return chunk.data();
        }
        if (event instanceof CapturedPacket packet) {
            return packet.frame();
        }
        return null;
    }

    private final class Lane implements Runnable, SinkStats {
        final Sink sink;
        final long budget;
        /** Queued bytes at which a publisher wakes the sink thread rather than let it poll. */
        final long wakeBytes;
        final Queue<CaptureEvent> queue = PlatformDependent.newMpscQueue();
        final AtomicLong bytes = new AtomicLong();
        long lastHandled;
        final AtomicLong dropped = new AtomicLong();
        final AtomicLong published = new AtomicLong();
        final AtomicLong handled = new AtomicLong();
        /** Exceptions escaping the sink's accept or flush. */
        final AtomicLong failed = new AtomicLong();
        volatile long flushedAt;
        volatile boolean sleeping;
        volatile boolean requestFlush;
        final Thread thread;
        boolean failedLogged;
        /**
         * Releases of one shared buffer put off: handled events whose payloads are slices of it (the
         * proxy copies small chunks into large shared buffers), released together, with one atomic
         * operation, when a payload of another buffer comes or the queue is empty.
         */
        ByteBuf pendingParent;
        int pendingReleases;
        /**
         * Handled events and their bytes not yet taken off {@link #handled} and {@link #bytes}: the
         * counters publishers read are updated every {@value #COUNT_EVERY} events, at {@link #countBytes}
         * bytes, and whenever the queue is empty, not at every event (two atomic operations per
         * event on a cache line the publishers write too).
         */
        int uncountedEvents;
        long uncountedBytes;
        final long countBytes;

        Lane(Sink sink, long budget) {
            this.sink = sink;
            this.budget = budget;
            this.wakeBytes = Math.max(1, budget / 4);
            this.countBytes = Math.max(1, budget / 16);
            this.thread = new Thread(this, "sink-" + sink.name());
            this.thread.setDaemon(true);
        }

        void offer(CaptureEvent event) {
            long w = weight(event);
            ByteBuf data;
            if (bytes.get() + w > budget && (data = payload(event)) != null) {
                if (policy == OverflowPolicy.DROP) {
                    dropped.incrementAndGet();
                    data.release();
                    return;
                }
                while (bytes.get() + w > budget && !closed) {
                    LockSupport.unpark(thread);
                    LockSupport.parkNanos(50_000);
                }
            }
            long queued = bytes.addAndGet(w);
            published.incrementAndGet();
            queue.offer(event);
            // the consumer polls while traffic flows; it needs waking only when it went to sleep
            // after a quiet second, or when this event makes the queue a quarter full
            if (sleeping) {
                sleeping = false;
                LockSupport.unpark(thread);
            } else if (queued >= wakeBytes && queued - w < wakeBytes) {
                LockSupport.unpark(thread);
            }
        }

        @Override
        public void run() {
            long lastFlush = System.nanoTime();
            long lastEvent = lastFlush;
            boolean dirty = false;
            while (true) {
                CaptureEvent event = queue.poll();
                if (event != null) {
                    handle(event);
                    dirty = true;
                    continue;
                }
                releasePending();
                count();
                long now = System.nanoTime();
                if (handled.get() != lastHandled) {
                    lastHandled = handled.get();
                    lastEvent = now;
                }
                if (requestFlush || (dirty && now - lastFlush > FLUSH_EVERY_NANOS)) {
                    dirty = flush();
                    lastFlush = System.nanoTime();
                }
                if (closed && queue.isEmpty()) {
                    break;
                }
                if (now - lastEvent < IDLE_AFTER_NANOS || dirty) {
                    LockSupport.parkNanos(POLL_NANOS);
                } else {
                    sleeping = true;
                    if (queue.isEmpty() && !closed && !requestFlush) {
                        LockSupport.parkNanos(200_000_000L);
                    }
                    sleeping = false;
                }
            }
            releasePending();
            count();
            if (dirty) {
                flush();
            }
            try {
                sink.close();
            } catch (Exception e) {
                log.error("{}: closing failed: {}", sink.name(), e.toString());
            }
        }

        private boolean flush() {
            long target = handled.get();
            requestFlush = false;
            try {
                sink.flush();
            } catch (Exception e) {
                logFailure("flush", e);
            }
            flushedAt = target;
            return false;
        }

        private void handle(CaptureEvent event) {
            long w = weight(event);
            try {
                sink.accept(event);
            } catch (Exception | Error e) {
                dropped.incrementAndGet();
                logFailure("event", e);
            } finally {
                ByteBuf data = payload(event);
                if (data != null) {
                    release(data);
                }
                uncountedBytes += w;
                if (++uncountedEvents >= COUNT_EVERY || uncountedBytes >= countBytes) {
                    count();
                }
            }
        }

        /** Takes the events handled since the last call off the counters publishers and {@link #drain} read. */
        private void count() {
            if (uncountedEvents > 0) {
                bytes.addAndGet(-uncountedBytes);
                handled.addAndGet(uncountedEvents);
                uncountedBytes = 0;
                uncountedEvents = 0;
            }
        }

        /**
         * Releases a handled payload. A plain slice is only a view: releasing it releases the buffer
         * it derives from, so consecutive slices of one buffer are released together
         * ({@link #pendingParent}).
         */
        private void release(ByteBuf data) {
            if (data.getClass() != PLAIN_SLICE) {
                data.release();
                return;
            }
            ByteBuf parent = data.unwrap();
            if (parent == pendingParent) {
                pendingReleases++;
                return;
            }
            releasePending();
            pendingParent = parent;
            pendingReleases = 1;
        }

        private void releasePending() {
            if (pendingParent != null) {
                pendingParent.release(pendingReleases);
                pendingParent = null;
                pendingReleases = 0;
            }
        }

        @Override
        public String name() {
            return sink.name();
        }

        @Override
        public long queuedEvents() {
            return Math.max(0, published.get() - handled.get());
        }

        @Override
        public long queuedBytes() {
            return bytes.get();
        }

        @Override
        public long handled() {
            return handled.get();
        }

        @Override
        public long dropped() {
            return dropped.get();
        }

        @Override
        public long failures() {
            return failed.get() + sink.writeFailures();
        }

        private void logFailure(String what, Throwable e) {
            failed.incrementAndGet();
            if (!failedLogged) {
                failedLogged = true;
                log.error("capture sink '{}' failed on {}: {} (further failures are counted, not logged)",
                        sink.name(), what, e.toString());
            }
        }
    }
}

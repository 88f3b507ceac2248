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
            lanes.get(i).offer(event, 64, null);
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
        long w = data.readableBytes() + 64;
        for (Lane lane : targets) {
            lane.offer(event, w, data);
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
            total += lane.queuedEvents();
        }
        return total;
    }

    /**
     * Blocks until every event published so far has been handled and flushed, or the timeout: a
     * mark is queued behind them on each lane, and each sink thread flushes when it comes to it.
     */
    public boolean drain(long timeout, TimeUnit unit) {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<DrainMark> marks = new ArrayList<>(lanes.size());
        for (Lane lane : lanes) {
            marks.add(lane.thread.isAlive() ? lane.mark() : null); // a lane whose thread ended has handled all
        }
        for (int i = 0; i < lanes.size(); i++) {
            DrainMark mark = marks.get(i);
            Lane lane = lanes.get(i);
            while (mark != null && !mark.done) {
                if (!lane.thread.isAlive()) {
                    break; // closed meanwhile: its thread handled everything queued before it ended
                }
                if (System.nanoTime() > deadline) {
                    return false;
                }
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

    /**
     * Put in a lane's queue by {@link #drain}: the sink thread flushes when it comes to it (every
     * event published before it has been handled then) and marks it done.
     */
    private static final class DrainMark {
        volatile boolean done;
    }

    /**
     * One sink's queue and thread. What publishers touch per event (the byte count, the queue's
     * producer side, {@link #sleeping}) is kept apart from what the sink thread writes per event (its
     * {@link Worker}, made by that thread): no cache line the sink thread writes all the time is
     * read or written on the I/O threads.
     */
    private final class Lane implements Runnable, SinkStats {
        final Sink sink;
        final long budget;
        /** Queued bytes at which a publisher wakes the sink thread rather than let it poll. */
        final long wakeBytes;
        /** Handled bytes at which the sink thread takes them off {@link #bytes} at the latest. */
        final long countBytes;
        /** Events, and {@link DrainMark}s. */
        final Queue<Object> queue = PlatformDependent.newMpscQueue();
        /**
         * Events the sink thread has taken off the queue (handled or in hand): written by it alone,
         * per event, on a line of its own; with the queue's size, what {@link #queuedEvents} counts.
         */
        final PaddedCounter taken = new PaddedCounter();
        /**
         * Bytes queued (what the budget counts): publishers add, the sink thread takes handled
         * ones off in batches ({@link Worker#count}).
         */
        final PaddedCounter bytes = new PaddedCounter();
        final AtomicLong dropped = new AtomicLong();
        /** Nanoseconds publishers waited in {@link #admit} (BLOCK): written only on that slow path. */
        final AtomicLong blockedNanos = new AtomicLong();
        final AtomicLong handled = new AtomicLong();
        /** Drain marks in the queue, not counted as queued events. */
        final AtomicLong marks = new AtomicLong();
        /** Exceptions escaping the sink's accept or flush. */
        final AtomicLong failed = new AtomicLong();
        volatile boolean sleeping;
        final Thread thread;

        Lane(Sink sink, long budget) {
            this.sink = sink;
            this.budget = budget;
            this.wakeBytes = Math.max(1, budget / 4);
            this.countBytes = Math.max(1, budget / 16);
            this.thread = new Thread(this, "sink-" + sink.name());
            this.thread.setDaemon(true);
        }

        /**
         * Queues one event whose payload, if any, is {@code data}; {@code w} is what it weighs
         * against the budget (its payload's bytes plus 64). One atomic add on the byte count and
         * the queue's own, no more, unless the budget is exceeded.
         */
        void offer(CaptureEvent event, long w, ByteBuf data) {
            long queued = bytes.addAndGet(w);
            while (queued > budget && data != null && !closed) {
                bytes.addAndGet(-w); // the events queued stay within the budget (a payload-less one always fits)
                if (!admit(w, data)) {
                    return;
                }
                queued = bytes.addAndGet(w);
            }
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

        /**
         * The queue is over its budget: under DROP the event's payload is released and the event
         * counted as dropped (false); under BLOCK this waits until it seems to fit (true: the caller
         * tries again), or the bus closes.
         */
        private boolean admit(long w, ByteBuf data) {
            if (policy == OverflowPolicy.DROP) {
                dropped.incrementAndGet();
                data.release();
                return false;
            }
            long start = System.nanoTime();
            while (bytes.get() + w > budget && !closed) {
                LockSupport.unpark(thread);
                LockSupport.parkNanos(50_000);
            }
            blockedNanos.addAndGet(System.nanoTime() - start);
            return true;
        }

        /** Queues a drain mark and wakes the sink thread for it. */
        DrainMark mark() {
            DrainMark mark = new DrainMark();
            marks.incrementAndGet();
            queue.offer(mark);
            sleeping = false;
            LockSupport.unpark(thread);
            return mark;
        }

        @Override
        public void run() {
            new Worker().run();
        }

        @Override
        public String name() {
            return sink.name();
        }

        @Override
        public long queuedEvents() {
            long inQueue = queue.size() - marks.get();
            return Math.max(0, inQueue + taken.get() - handled.get());
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
        public long blockedNanos() {
            return blockedNanos.get();
        }

        @Override
        public long failures() {
            return failed.get() + sink.writeFailures();
        }

        /** The sink thread's side of the lane; made by, and only used on, that thread. */
        private final class Worker {
            long lastHandled;
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
            long handledCount;
            long takenCount;

            void run() {
                long lastFlush = System.nanoTime();
                long lastEvent = lastFlush;
                boolean dirty = false;
                while (true) {
                    Object next = queue.poll();
                    if (next instanceof CaptureEvent event) {
                        taken.setFromOwner(++takenCount);
                        handle(event);
                        dirty = true;
                        continue;
                    }
                    releasePending();
                    count();
                    if (next instanceof DrainMark mark) {
                        dirty = flush();
                        lastFlush = System.nanoTime();
                        marks.decrementAndGet();
                        mark.done = true;
                        continue;
                    }
                    long now = System.nanoTime();
                    if (handledCount != lastHandled) {
                        lastHandled = handledCount;
                        lastEvent = now;
                    }
                    if (dirty && now - lastFlush > FLUSH_EVERY_NANOS) {
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
                        if (queue.isEmpty() && !closed) {
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
                try {
                    sink.flush();
                } catch (Exception e) {
                    logFailure("flush", e);
                }
                return false;
            }

            private void handle(CaptureEvent event) {
                ByteBuf data = payload(event);
                long w = data != null ? data.readableBytes() + 64 : 64;
                try {
                    sink.accept(event);
                } catch (Exception | Error e) {
                    dropped.incrementAndGet();
                    logFailure("event", e);
                } finally {
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
                    handledCount += uncountedEvents;
                    handled.setRelease(handledCount);
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
}

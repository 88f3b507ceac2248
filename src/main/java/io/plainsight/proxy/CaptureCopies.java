package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.concurrent.FastThreadLocal;

/**
 * Where the capture taps put the bytes they publish ({@link io.plainsight.event.DataChunk},
 * {@link io.plainsight.event.WireChunk}): small chunks are copied, one after the other, into a
 * large pooled buffer of the event loop's own (a slab), and published as slices of it; larger
 * ones are published as retained slices of the relayed buffer, as before.
 *
 * <p>Why: a retained slice keeps the relayed buffer (a socket read, a TLS record) allocated until
 * the slowest sink has handled the event, 10 ms or more later. With a few events per request
 * (decrypted bytes, and with the encrypted packets both legs each way) that kept the proxy's
 * allocator from reusing its memory: it kept carving new chunks (zeroed and faulted in) on the I/O
 * threads, and the sinks freed buffers one by one from their own threads. A copy of a small chunk
 * costs less than that; the relayed buffer is freed at once, and a slab is freed (whole, to the
 * pool) once every sink has handled every event in it.
 *
 * <p>Each event loop thread has its own slab; used by that thread only.
 */
final class CaptureCopies {
    /** Size of a slab. */
    static final int SLAB_BYTES = 256 << 10;
    /** Chunks up to this size are copied; larger ones are sliced (a copy would cost more than it saves). */
    static final int MAX_COPY = 8 << 10;

    private static final ByteBufAllocator SLABS = PooledByteBufAllocator.DEFAULT;
    private static final FastThreadLocal<CaptureCopies> PER_THREAD = new FastThreadLocal<>() {
        @Override
        protected CaptureCopies initialValue() {
            return new CaptureCopies();
        }

        @Override
        protected void onRemoval(CaptureCopies copies) {
            copies.releaseSlab();
        }
    };

    /** The slab being filled, with one reference of this thread's (null before the first copy). */
    private ByteBuf slab;
    /**
     * References of {@link #slab} taken in advance for the slices still to be handed out: one
     * atomic operation per slab instead of one per chunk (the sinks' threads release the slab too).
     */
    private int reserved;

    private CaptureCopies() {}

    /**
     * The readable bytes of {@code buf} as a buffer the caller owns one reference of (the caller
     * publishes it; the bus releases it): a slice of this thread's slab holding a copy, or a
     * retained slice of {@code buf} for a chunk over {@value #MAX_COPY} bytes.
     */
    static ByteBuf of(ByteBuf buf) {
        int n = buf.readableBytes();
        if (n > MAX_COPY) {
            return buf.retainedSlice();
        }
        return PER_THREAD.get().copy(buf, n);
    }

    private ByteBuf copy(ByteBuf buf, int n) {
        if (slab == null || slab.writableBytes() < n) {
            releaseSlab();
            slab = SLABS.directBuffer(SLAB_BYTES, SLAB_BYTES);
            slab.retain(SLAB_BYTES); // a slice holds one byte at least
            reserved = SLAB_BYTES;
        }
        int at = slab.writerIndex();
        slab.writeBytes(buf, buf.readerIndex(), n);
        reserved--;
        return slab.slice(at, n); // holds one of the reserved references: releasing it releases the slab
    }

    private void releaseSlab() {
        if (slab != null) {
            slab.release(reserved + 1);
            slab = null;
            reserved = 0;
        }
    }
}

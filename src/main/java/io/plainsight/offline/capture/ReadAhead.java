package io.plainsight.offline.capture;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Objects;
import java.util.concurrent.locks.LockSupport;

/**
 * A stream read ahead on its own thread: for a gzip capture, the thread inflates while the
 * reading thread parses, so that inflating (single-threaded zlib, most of the work) overlaps with
 * everything else on another core.
 *
 * <p>The thread (a daemon named "gzip-inflate <i>name</i>") reads the decoded stream, at most
 * {@link CaptureInput#GZIP_READ} bytes per read for gzip (what an inflate error loses), into a ring of
 * {@link #CHUNKS} reused {@link #CHUNK}-byte arrays, allocated as the ring first reaches them (a
 * small capture uses one), and publishes each read at once: the reader takes whatever has been
 * published, never waiting for a full chunk. To avoid waking the reader for every read, a reader
 * waiting for bytes is woken when {@link #WAKE} bytes are ready, and always before the thread
 * reads the source when that read may block (the source has nothing {@linkplain
 * InputStream#available available}: on a pipe every packet that has arrived is delivered), at the
 * end and on a failure. The thread waits when the ring is full, and is woken when a quarter of it
 * is free again.
 *
 * <p>End and failures: the reader gets every byte read before the end of the stream or before a
 * failure of the decoding or of the source, then the end (-1), or the same exception object as
 * the thread got (so {@link java.util.zip.ZipException} and {@link java.io.EOFException} keep
 * their meaning; a suppressed exception shows where the reader received it), on every read from
 * then on.
 *
 * <p>{@link #close} (from any thread) stops the thread: it wakes the thread and a waiting reader
 * (whose read then fails: "stream closed"), interrupts the thread, closes the source, and waits up
 * to {@link #CLOSE_WAIT_MILLIS} for the thread to end. Only the thread touches the decoder (it
 * ends the inflater as it ends), only {@code close} closes the source. A read blocked in the source
 * that neither closing nor interrupting ends (an operating-system pipe: a {@code FileInputStream}
 * such as {@code System.in}, or a process's output) keeps the thread until that read returns; then
 * it ends without reading more.
 *
 * <p>Memory: up to {@link #CAPACITY} bytes of ring, the gzip decoder's input buffer and inflater
 * (about 40 KB), and the thread.
 */
final class ReadAhead extends InputStream {
    static final int CHUNK = 64 << 10;
    static final int CHUNKS = 16;
    static final int CAPACITY = CHUNK * CHUNKS;
    /**
     * Ready bytes that wake a waiting reader while the thread goes on decoding without blocking:
     * each wake costs both threads a system call, and the reader (faster than inflating) waits
     * again at once.
     */
    static final int WAKE = 256 << 10;
    /** Free ring space that wakes the thread waiting for room. */
    static final int RESUME = CAPACITY / 4;
    /** How long {@link #close} waits for the thread to end. */
    static final long CLOSE_WAIT_MILLIS = 200;

    /** A layer over the source (the gzip decoder), made on the caller's thread. */
    interface Decoder {
        InputStream open(InputStream source) throws IOException;
    }

    private final InputStream source;
    private final int readSize;
    private final InputStream decoded;
    private final Thread thread;
    private final byte[][] ring = new byte[CHUNKS][];

    /** Bytes published by the thread (written before {@link #ended}). */
    private volatile long written;
    /** Bytes taken by the reader. */
    private volatile long taken;
    private volatile boolean ended;
    /** Why the thread ended, if not the end of the stream; published by {@link #ended}. */
    private Throwable failure;
    private boolean failureDelivered;
    private volatile boolean closed;
    /** The reader, while it waits for bytes. */
    private volatile Thread waitingReader;
    private volatile boolean threadWaiting;

    private ReadAhead(InputStream source, Decoder decoder, int readSize, String threadName) throws IOException {
        if (readSize <= 0 || readSize > CHUNK) {
            throw new IllegalArgumentException("read size " + readSize);
        }
        this.source = source;
        this.readSize = readSize;
        this.decoded = decoder.open(new Tap());
        this.thread = Thread.ofPlatform().daemon().name(threadName).unstarted(this::run);
    }

    /**
     * Opens {@code decoder} over {@code source} on this thread (so that a bad gzip header fails
     * here), then starts the thread that reads the decoded stream ahead, at most {@code readSize}
     * (up to {@link #CHUNK}) bytes per read: {@link CaptureInput#GZIP_READ} for a gzip decoder.
     */
    static ReadAhead start(InputStream source, Decoder decoder, int readSize, String threadName) throws IOException {
        ReadAhead r = new ReadAhead(source, decoder, readSize, threadName);
        r.thread.start();
        return r;
    }

    // ------------------------------------------------------------------ the thread

    private void run() {
        long w = 0;
        try {
            while (!closed) {
                int off = (int) (w % CHUNK);
                int len = Math.min(readSize, CHUNK - off);
                if (CAPACITY - (w - taken) < len && !awaitRoom(w, len)) {
                    break;
                }
                int slot = (int) (w / CHUNK % CHUNKS);
                byte[] chunk = ring[slot];
                if (chunk == null) {
                    chunk = new byte[CHUNK];
                    ring[slot] = chunk; // published by the write of written below
                }
                int n = decoded.read(chunk, off, len);
                if (n < 0) {
                    break;
                }
                w += n;
                written = w;
                Thread reader = waitingReader;
                if (reader != null && w - taken >= WAKE) {
                    LockSupport.unpark(reader);
                }
            }
        } catch (Throwable t) {
            failure = t;
        } finally {
            ended = true;
            Thread reader = waitingReader;
            if (reader != null) {
                LockSupport.unpark(reader);
            }
            try {
                decoded.close(); // ends the inflater; the source is closed by close() only
            } catch (IOException | RuntimeException ignored) {
                // nothing is read from it any more
            }
        }
    }

    /** Waits until {@code len} bytes of the ring are free; false if closed meanwhile. */
    private boolean awaitRoom(long w, int len) {
        threadWaiting = true;
        try {
            while (CAPACITY - (w - taken) < len) {
                if (closed) {
                    return false;
                }
                LockSupport.park(this);
            }
            return !closed;
        } finally {
            threadWaiting = false;
        }
    }

    /**
     * The source as the decoder sees it: before a read that may block (the source has nothing
     * {@linkplain InputStream#available available}), a waiting reader gets what is ready.
     */
    private final class Tap extends InputStream {
        private void beforeRead() {
            Thread reader = waitingReader;
            if (reader != null && written != taken && mayBlock()) {
                LockSupport.unpark(reader);
            }
        }

        private boolean mayBlock() {
            try {
                return source.available() <= 0;
            } catch (IOException | RuntimeException e) {
                return true; // the read will tell
            }
        }

        @Override
        public int read() throws IOException {
            beforeRead();
            return source.read();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            beforeRead();
            return source.read(b, off, len);
        }

        @Override
        public long skip(long n) throws IOException {
            beforeRead();
            return source.skip(n);
        }

        @Override
        public int available() throws IOException {
            return source.available();
        }

        /** Nothing: the source is closed by {@link ReadAhead#close} alone, not by this thread. */
        @Override
        public void close() {
            // the decoder's close ends its inflater only
        }
    }

    // ------------------------------------------------------------------ the reader

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    /** Copies what is ready, up to {@code len} bytes; waits only when nothing is. */
    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        if (closed) {
            throw new IOException("stream closed");
        }
        long t = taken;
        long w = written;
        if (w == t) {
            w = awaitBytes(t);
            if (w == t) {
                return -1;
            }
        }
        int n = (int) Math.min(len, w - t);
        for (int copied = 0; copied < n; ) {
            int chunkOff = (int) ((t + copied) % CHUNK);
            int c = Math.min(n - copied, CHUNK - chunkOff);
            System.arraycopy(ring[(int) ((t + copied) / CHUNK % CHUNKS)], chunkOff, b, off + copied, c);
            copied += c;
        }
        taken = t + n;
        if (threadWaiting && CAPACITY - (written - (t + n)) >= RESUME) {
            LockSupport.unpark(thread);
        }
        return n;
    }

    /** Waits until bytes after {@code t} are published; returns {@link #written}, or t at the end of the stream. */
    private long awaitBytes(long t) throws IOException {
        waitingReader = Thread.currentThread();
        try {
            while (true) {
                if (closed) {
                    throw new IOException("stream closed");
                }
                boolean end = ended; // read before written: the thread writes written before ended
                long w = written;
                if (w != t) {
                    return w;
                }
                if (end) {
                    return endOfStream(t);
                }
                if (Thread.interrupted()) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while waiting for " + thread.getName());
                }
                LockSupport.park(this);
            }
        } finally {
            waitingReader = null;
        }
    }

    private long endOfStream(long t) throws IOException {
        Throwable f = failure;
        if (f == null) {
            return t;
        }
        if (!failureDelivered) {
            failureDelivered = true;
            f.addSuppressed(new Exception("received from " + thread.getName()));
        }
        if (f instanceof IOException e) {
            throw e;
        }
        if (f instanceof RuntimeException e) {
            throw e;
        }
        if (f instanceof Error e) {
            throw e;
        }
        throw new IOException(f);
    }

    /** Bytes ready to be read without waiting. */
    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, written - taken);
    }

    /**
     * Stops the thread without closing the source, which is left to the caller (after a failed
     * {@code open}): the thread ends when it wakes, or when its read of the source returns.
     */
    void abandon() {
        if (closed) {
            return;
        }
        closed = true;
        Thread reader = waitingReader;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
        LockSupport.unpark(thread);
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        Thread reader = waitingReader;
        if (reader != null) {
            LockSupport.unpark(reader);
        }
        thread.interrupt(); // wakes it, and ends a read of an interruptible source (a FileChannel's)
        try {
            source.close(); // ends a blocked read of a socket, or of a pipe that closing ends
        } finally {
            try {
                thread.join(CLOSE_WAIT_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

package io.plainsight.offline.capture;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.ZipException;

/**
 * The bytes of a capture as a window over one reusable, growable array, with absolute byte
 * offsets. Records are parsed in place ({@link #array()} from {@link #start()}); nothing is copied
 * but the unconsumed tail when the window moves.
 *
 * <p>It reads only when asked for more than it holds, and then only until it holds enough: on a
 * pipe ({@code tcpdump -U -w - | ...}) a record is parsed as soon as its last byte arrives, never
 * after waiting for the next one. Reads may return any number of bytes.
 *
 * <p>A gzip stream that is cut short or corrupt ends the input like a clean end of file; the
 * problem is kept for {@link #takeEndProblem()} so that the records before it are still used
 * (all but at most {@link #GZIP_READ} bytes decompressed just before the damage). The stream is
 * either the gzip decoder itself, read here at most {@link #GZIP_READ} bytes at a time, or a
 * {@link ReadAhead} that inflates on its own thread with reads of that size and hands over the
 * decoder's exceptions unchanged.
 */
final class CaptureInput {
    static final int DEFAULT_BUFFER = 1 << 20;
    /**
     * The most asked of a gzip decoder per read: an inflate error loses what that read call had
     * decompressed, so this bounds what is lost before the damage.
     */
    static final int GZIP_READ = 8 << 10;

    private final InputStream in;
    private final String name;
    private final boolean gzip;
    /** The most asked of {@link #in} per read. */
    private final int maxRead;
    private byte[] buf;
    private int start;
    private int end;
    private long base;
    private boolean eof;
    private String endProblem;

    /**
     * @param gzip whether {@code in} gives decompressed gzip data (its {@code EOFException} and
     *             {@code ZipException} then end the input with an end problem)
     * @param maxRead the most asked of {@code in} per read: {@link #GZIP_READ} for a gzip decoder
     *             read on this thread
     */
    CaptureInput(InputStream in, String name, boolean gzip, int maxRead, int bufferSize) {
        this.in = in;
        this.name = name;
        this.gzip = gzip;
        this.maxRead = maxRead;
        this.buf = new byte[bufferSize];
    }

    /** Starts this input with {@code prefix} (bytes already taken from the stream), then the stream. */
    CaptureInput(InputStream in, String name, boolean gzip, int maxRead, int bufferSize, byte[] prefix, int prefixLength) {
        this(in, name, gzip, maxRead, Math.max(bufferSize, prefixLength));
        System.arraycopy(prefix, 0, buf, 0, prefixLength);
        end = prefixLength;
    }

    String name() {
        return name;
    }

    boolean gzip() {
        return gzip;
    }

    /** The array the window lives in; it may change after {@link #request}. */
    byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the first unconsumed byte. */
    int start() {
        return start;
    }

    /** Bytes held from {@link #start()}. */
    int available() {
        return end - start;
    }

    /** Absolute offset (in the decompressed data for gzip) of the first unconsumed byte. */
    long position() {
        return base + start;
    }

    /** True once the stream has ended and everything it gave is held. */
    boolean atEof() {
        return eof;
    }

    void consume(int n) {
        if (n < 0 || n > end - start) {
            throw new IllegalArgumentException("consume " + n + " of " + (end - start));
        }
        start += n;
    }

    /** Consumes everything held. */
    void consumeAll() {
        start = end;
    }

    /**
     * Makes at least {@code n} bytes available from {@link #start()}, reading as needed; false if
     * the stream ends first (then {@link #available()} is all there is).
     */
    boolean request(int n) throws IOException {
        return end - start >= n || fill(n);
    }

    private boolean fill(int n) throws IOException {
        while (end - start < n) {
            if (eof) {
                return false;
            }
            if (end == buf.length) {
                makeRoom(n);
            }
            int r;
            try {
                r = in.read(buf, end, Math.min(maxRead, buf.length - end));
            } catch (EOFException | ZipException e) {
                if (!gzip) {
                    throw readFailure(e);
                }
                endProblem = name + ": the gzip data is " + (e instanceof EOFException ? "cut short" : "corrupt")
                        + " after " + (base + end) + " decompressed bytes"
                        + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "; what came before is used";
                r = -1;
            } catch (IOException e) {
                throw readFailure(e);
            }
            if (r < 0) {
                eof = true;
                return false;
            }
            end += r;
        }
        return true;
    }

    private IOException readFailure(IOException e) {
        return new IOException(name + ": cannot read after byte offset " + (base + end) + ": " + e.getMessage(), e);
    }

    /** Moves the window to the array's start, and grows the array (at most doubling) if n bytes still do not fit. */
    private void makeRoom(int n) {
        int held = end - start;
        if (start > 0 && n <= buf.length) {
            System.arraycopy(buf, start, buf, 0, held);
        } else {
            long want = Math.min(Math.max(n, held + 1), (long) buf.length * 2);
            byte[] bigger = new byte[(int) Math.min(want, Integer.MAX_VALUE - 16)];
            System.arraycopy(buf, start, bigger, 0, held);
            buf = bigger;
        }
        base += start;
        start = 0;
        end = held;
    }

    /** The problem that ended a gzip stream early, once; null if none. */
    String takeEndProblem() {
        String p = endProblem;
        endProblem = null;
        return p;
    }

    /** "byte offset N", saying when N counts decompressed bytes. */
    String at(long offset) {
        return gzip ? "decompressed byte offset " + offset : "byte offset " + offset;
    }

    void close() throws IOException {
        in.close();
    }
}

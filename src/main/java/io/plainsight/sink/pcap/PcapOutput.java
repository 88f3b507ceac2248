package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffered pcap file output that survives failures: records are collected whole in a large direct
 * buffer and written to a {@link CaptureFile} (direct I/O for whole blocks where the filesystem
 * allows it); after every flush the file ends on a record boundary.
 *
 * <p>With direct I/O the buffer starts on a block boundary of the file. A full buffer writes its
 * whole blocks only, and keeps what follows the last complete record before their end; a flush
 * writes everything, the last partial block through the page cache, and keeps that block. Either
 * way the next write covers the kept bytes again as part of whole blocks. (Writing the partial
 * block at every full buffer would make each direct write wait for the page cache to write that
 * block back first.)
 *
 * <p>When a file cannot be opened or written (unwritable path, full disk), the failure is logged
 * once, the records that could not be written are counted as lost, a partly written buffer is cut
 * back to its last complete record (the file is truncated), and writing is retried at most
 * once per retry interval, at the next record or flush. Resuming is logged once too.
 */
final class PcapOutput implements FrameOutput, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapOutput.class);
    /** The largest record: header, Ethernet, IPv6, TCP with options, a maximal segment. */
    static final int MAX_RECORD = PcapFormat.RECORD_HEADER_BYTES + 14 + 40 + 28 + TcpConversation.MAX_MSS;

    private final PcapDestination destination;
    private final long retryNanos;
    private final String retryText;
    /**
     * Bytes of the current file from offset {@link #base}: up to {@link #committed} known written,
     * then the records {@link #unitEnds} delimits (and maybe the global header), of which the first
     * {@link #inFile} bytes of the buffer are in the file too.
     */
    private final ByteBuf buffer;
    /** Where frames that cannot be written are built, then dropped. */
    private final ByteBuf scratch;
    private int[] unitEnds = new int[4096];
    private int units;
    private boolean headerBuffered;

    private boolean fileChosen;
    private Path path;
    private CaptureFile file;
    private CaptureFile stdout;
    /** Bytes of the current file known to be complete (global header and whole records). */
    private long committed;
    /** The file offset of the buffer's first byte: a multiple of {@link #alignment}. */
    private long base;
    /** Bytes at the start of the buffer that the file holds already (at least {@code committed - base}). */
    private int inFile;
    /** The block size the current file is written in (1 without direct I/O). */
    private int alignment = 1;

    private boolean failing;
    private long lastAttemptNanos;
    private long lostAtFailure;
    // written by this output's thread only, read by any: updated with release stores (lazySet),
    // because a volatile store per packet costs a full fence after every payload copy
    private final AtomicLong lostPackets = new AtomicLong();
    private final AtomicLong lostBytes = new AtomicLong();
    private final AtomicLong packetsWritten = new AtomicLong();

    private boolean discarding;
    private int frameLength;
    private boolean closed;

    PcapOutput(PcapDestination destination, PcapOptions options) {
        this.destination = destination;
        Duration retry = options.retryInterval();
        this.retryNanos = retry.toNanos();
        this.retryText = retry.isZero() ? "at every packet" : "every " + retry.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        // room for a partial block kept at the start besides the buffer size asked for
        this.buffer = CaptureFile.allocateBuffer(Math.max(options.bufferBytes(), MAX_RECORD + PcapFormat.GLOBAL_HEADER_BYTES)
                + CaptureFile.MAX_ALIGNMENT);
        this.scratch = Unpooled.buffer(4096);
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        if (closed) {
            throw new IllegalStateException("pcap output " + where() + " is closed");
        }
        this.frameLength = frameLength;
        int record = PcapFormat.RECORD_HEADER_BYTES + frameLength;
        if (fileChosen && destination.rotateBefore(timestampMicros, base + buffer.writerIndex(), record)) {
            endFile();
        }
        if (!failing || retryDue()) {
            if (file == null) {
                open(timestampMicros);
            }
            if (file != null && buffer.writableBytes() < record + PcapFormat.GLOBAL_HEADER_BYTES) {
                drain(false);
                if (file != null && buffer.writableBytes() < record + PcapFormat.GLOBAL_HEADER_BYTES) {
                    drain(true); // what whole blocks left behind is still too much (huge blocks and records)
                }
            }
        }
        discarding = file == null || (failing && !retryDue());
        if (discarding) {
            scratch.clear();
            scratch.ensureWritable(record);
            PcapFormat.writeRecordHeader(scratch, timestampMicros, frameLength);
            return scratch;
        }
        bufferHeaderIfEmpty();
        PcapFormat.writeRecordHeader(buffer, timestampMicros, frameLength);
        return buffer;
    }

    @Override
    public void end() {
        if (discarding) {
            add(lostPackets, 1);
            add(lostBytes, frameLength);
        } else {
            addUnit();
            add(packetsWritten, 1);
        }
    }

    /** Opens the destination now when it does not depend on a timestamp, and writes the header. */
    void start() {
        open(0);
        flush();
    }

    /** Hands every buffered record to the operating system; retries a failed file when due. */
    void flush() {
        if (closed) {
            return;
        }
        if (file == null && fileChosen && (!failing || retryDue())) {
            open(0);
        }
        if (file != null) {
            bufferHeaderIfEmpty();
        }
        drain(true);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        flush();
        closeChannel();
        closed = true;
        buffer.release();
        scratch.release();
    }

    /** Reports a failure found outside this output (e.g. preparing a directory): counts as an attempt. */
    void failed(IOException e) {
        fail(e);
    }

    long lostPackets() {
        return lostPackets.get();
    }

    long lostBytes() {
        return lostBytes.get();
    }

    long packetsWritten() {
        return packetsWritten.get();
    }

    /** The file being written, or null (none yet, or standard output). */
    Path currentPath() {
        return path;
    }

    /** Whether the current file is written with direct I/O. */
    boolean directIo() {
        return file != null && file.direct();
    }

    /** Adds to a counter only this thread writes. */
    private static void add(AtomicLong counter, long n) {
        counter.lazySet(counter.get() + n);
    }

    private boolean retryDue() {
        return System.nanoTime() - lastAttemptNanos >= retryNanos;
    }

    private void bufferHeaderIfEmpty() {
        if (committed == 0 && units == 0) {
            PcapFormat.writeGlobalHeader(buffer);
            addUnit();
            headerBuffered = true;
        }
    }

    private void addUnit() {
        if (units == unitEnds.length) {
            unitEnds = java.util.Arrays.copyOf(unitEnds, units * 2);
        }
        unitEnds[units++] = buffer.writerIndex();
    }

    private void open(long timestampMicros) {
        lastAttemptNanos = System.nanoTime();
        try {
            if (!fileChosen) {
                path = destination.newFile(timestampMicros);
                fileChosen = true;
                startOver();
            }
            if (path == null) {
                if (stdout == null) {
                    stdout = CaptureFile.standardOutput();
                }
                file = stdout;
                return;
            }
            // a file reopened after a failure keeps its block size or a smaller one: the buffer's
            // partial block starts on a boundary of the old one
            CaptureFile f = CaptureFile.open(path, committed == 0 ? CaptureFile.MAX_ALIGNMENT : alignment);
            try {
                if (f.regular()) {
                    long size = f.size();
                    if (committed > 0 && size >= committed) {
                        f.truncate(committed); // drop a partial record left by a failed write
                    } else {
                        f.truncate(0); // a new file, or ours vanished: start over with a header
                        startOver();
                    }
                }
            } catch (IOException e) {
                f.close();
                throw e;
            }
            file = f;
            alignment = f.alignment();
            keepFromLastBlock(0);
        } catch (IOException e) {
            fail(e);
        }
    }

    /**
     * Writes the buffer: everything when {@code all} (a flush: the file then ends on the last
     * record), else only its whole blocks (the buffer is full).
     */
    private void drain(boolean all) {
        int total = buffer.writerIndex();
        int end = all ? total : total & -alignment;
        if (end <= inFile) {
            return; // nothing new
        }
        if (file == null) {
            loseUnits(0);
            dropAfterCommitted();
            return;
        }
        ByteBuffer bb = buffer.nioBuffer(0, end);
        try {
            file.write(bb, base);
        } catch (IOException e) {
            fail(e);
            int kept = unitsEndingBy(bb.position()); // records that ended before inFile are committed already
            if (kept > 0) {
                committed = base + unitEnds[kept - 1];
            }
            cutBack(committed); // the file may hold part of a record, or whole blocks past the last record
            loseUnits(kept);
            dropAfterCommitted();
            return;
        }
        inFile = end;
        int kept = unitsEndingBy(end);
        if (kept > 0) {
            committed = base + unitEnds[kept - 1];
        }
        alignment = file.alignment(); // 1 if direct I/O turned out to be refused
        keepFromLastBlock(kept);
        if (failing) {
            failing = false;
            log.warn("pcap capture resumed at {} after {} packets lost", where(), lostPackets.get() - lostAtFailure);
        }
    }

    /** The number of buffered records that end at or before buffer index {@code index}. */
    private int unitsEndingBy(int index) {
        int n = 0;
        while (n < units && unitEnds[n] <= index) {
            n++;
        }
        return n;
    }

    /** Forgets every record after {@link #committed} (lost, or never to be written). */
    private void dropAfterCommitted() {
        units = 0;
        headerBuffered = false;
        inFile = (int) (committed - base);
        buffer.writerIndex(inFile);
        keepFromLastBlock(0);
    }

    /**
     * Forgets the first {@code written} records (now in the file) and everything before the block
     * holding {@link #committed}: what is kept moves to the start of the buffer, so that the next
     * write begins on a block boundary.
     */
    private void keepFromLastBlock(int written) {
        long newBase = committed & -(long) alignment;
        int shift = (int) (newBase - base);
        int total = buffer.writerIndex();
        // in pieces of at most shift bytes, front first: no piece overlaps itself or a later source
        for (int from = shift; shift > 0 && from < total; from += shift) {
            buffer.setBytes(from - shift, buffer, from, Math.min(shift, total - from));
        }
        buffer.readerIndex(0).writerIndex(total - shift);
        base = newBase;
        inFile -= shift;
        units -= written;
        System.arraycopy(unitEnds, written, unitEnds, 0, units);
        for (int i = 0; i < units; i++) {
            unitEnds[i] -= shift;
        }
        headerBuffered = headerBuffered && written == 0;
    }

    /** A new or vanished file: nothing of it is written or kept. */
    private void startOver() {
        committed = 0;
        base = 0;
        inFile = 0;
        buffer.clear();
        units = 0;
        headerBuffered = false;
    }

    /** Truncates the file to the last complete record after a partial write. */
    private void cutBack(long size) {
        if (!file.regular()) {
            return; // a pipe or device cannot be cut back; nothing more can be done
        }
        try {
            file.truncate(size);
        } catch (IOException e) {
            log.debug("pcap: cannot truncate {} to {}: {}", where(), size, e.toString());
            closeChannel(); // reopening truncates to the committed size
        }
    }

    private void loseUnits(int from) {
        for (int i = from; i < units; i++) {
            if (i == 0 && headerBuffered) {
                continue;
            }
            int start = i == 0 ? (int) (committed - base) : unitEnds[i - 1];
            add(lostPackets, 1);
            add(lostBytes, unitEnds[i] - start - PcapFormat.RECORD_HEADER_BYTES);
            add(packetsWritten, -1);
        }
    }

    private void endFile() {
        drain(true);
        closeChannel();
        fileChosen = false;
        path = null;
        startOver();
    }

    private void closeChannel() {
        if (file != null && file != stdout) {
            file.close();
        }
        file = null;
    }

    private void fail(IOException e) {
        lastAttemptNanos = System.nanoTime();
        if (!failing) {
            failing = true;
            lostAtFailure = lostPackets.get();
            log.error("pcap capture cannot write to {}: {}; traffic is not affected, packets that cannot be written are counted as lost, retrying {}",
                    where(), WriteFailures.cause(e), retryText);
        } else {
            log.debug("pcap capture still failing at {}: {}", where(), e.toString());
        }
    }

    private String where() {
        return path != null ? path.toString() : destination.describe();
    }
}

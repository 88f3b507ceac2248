package io.plainsight.sink.pcap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Buffered pcap file output that survives failures: records are collected whole in a large direct
 * buffer and written with a {@link FileChannel}; a file only ever ends on a record boundary.
 *
 * <p>When a file cannot be opened or written (unwritable path, full disk), the failure is logged
 * once, the records that could not be written are counted as lost, a partly written buffer is cut
 * back to its last complete record ({@link FileChannel#truncate}), and writing is retried at most
 * once per retry interval, at the next record or flush. Resuming is logged once too.
 */
final class PcapOutput implements FrameOutput, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapOutput.class);
    /** The largest record: header, Ethernet, IPv6, TCP with options, a maximal segment. */
    static final int MAX_RECORD = PcapFormat.RECORD_HEADER_BYTES + 14 + 40 + 28 + TcpConversation.MAX_MSS;

    private final PcapDestination destination;
    private final long retryNanos;
    private final String retryText;
    /** Whole records (and maybe the global header) of the current file, from index 0. */
    private final ByteBuf buffer;
    /** Where frames that cannot be written are built, then dropped. */
    private final ByteBuf scratch;
    private int[] unitEnds = new int[4096];
    private int units;
    private boolean headerBuffered;

    private boolean fileChosen;
    private Path path;
    private FileChannel channel;
    private boolean regular;
    private FileChannel stdout;
    /** Bytes of the current file known to be complete (global header and whole records). */
    private long committed;

    private boolean failing;
    private long lastAttemptNanos;
    private long lostAtFailure;
    private volatile long lostPackets;
    private volatile long lostBytes;
    private volatile long packetsWritten;

    private boolean discarding;
    private int frameLength;
    private boolean closed;

    PcapOutput(PcapDestination destination, PcapOptions options) {
        this.destination = destination;
        Duration retry = options.retryInterval();
        this.retryNanos = retry.toNanos();
        this.retryText = retry.isZero() ? "at every packet" : "every " + retry.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
        this.buffer = Unpooled.directBuffer(Math.max(options.bufferBytes(), MAX_RECORD + PcapFormat.GLOBAL_HEADER_BYTES));
        this.scratch = Unpooled.buffer(4096);
    }

    @Override
    public ByteBuf begin(long timestampMicros, int frameLength) {
        if (closed) {
            throw new IllegalStateException("pcap output " + where() + " is closed");
        }
        this.frameLength = frameLength;
        int record = PcapFormat.RECORD_HEADER_BYTES + frameLength;
        if (fileChosen && destination.rotateBefore(timestampMicros, committed + buffer.writerIndex(), record)) {
            endFile();
        }
        if (!failing || retryDue()) {
            if (channel == null) {
                open(timestampMicros);
            }
            if (channel != null && buffer.writableBytes() < record + PcapFormat.GLOBAL_HEADER_BYTES) {
                drain();
            }
        }
        discarding = channel == null || (failing && !retryDue());
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
            lostPackets = lostPackets + 1;
            lostBytes = lostBytes + frameLength;
        } else {
            addUnit();
            packetsWritten = packetsWritten + 1;
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
        if (channel == null && fileChosen && (!failing || retryDue())) {
            open(0);
        }
        if (channel != null) {
            bufferHeaderIfEmpty();
        }
        drain();
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
        return lostPackets;
    }

    long lostBytes() {
        return lostBytes;
    }

    long packetsWritten() {
        return packetsWritten;
    }

    /** The file being written, or null (none yet, or standard output). */
    Path currentPath() {
        return path;
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
                committed = 0;
            }
            if (path == null) {
                if (stdout == null) {
                    stdout = new FileOutputStream(FileDescriptor.out).getChannel();
                }
                channel = stdout;
                regular = false;
                return;
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                regular = Files.isRegularFile(path);
                if (regular) {
                    long size = ch.size();
                    if (committed > 0 && size >= committed) {
                        ch.truncate(committed); // drop a partial record left by a failed write
                        ch.position(committed);
                    } else {
                        ch.truncate(0); // a new file, or ours vanished: start over with a header
                        committed = 0;
                    }
                }
            } catch (IOException e) {
                ch.close();
                throw e;
            }
            channel = ch;
        } catch (IOException e) {
            fail(e);
        }
    }

    private void drain() {
        int total = buffer.writerIndex();
        if (total == 0) {
            return;
        }
        if (channel == null) {
            loseUnits(0);
            clearBuffer();
            return;
        }
        ByteBuffer bb = buffer.nioBuffer(0, total);
        try {
            while (bb.hasRemaining()) {
                channel.write(bb);
            }
        } catch (IOException e) {
            fail(e);
            int written = bb.position();
            int keep = 0;
            while (keep < units && unitEnds[keep] <= written) {
                keep++;
            }
            long keepBytes = keep == 0 ? 0 : unitEnds[keep - 1];
            if (keepBytes < written) {
                cutBack(committed + keepBytes);
            }
            committed += keepBytes;
            loseUnits(keep);
            clearBuffer();
            return;
        }
        committed += total;
        clearBuffer();
        if (failing) {
            failing = false;
            log.warn("pcap capture resumed at {} after {} packets lost", where(), lostPackets - lostAtFailure);
        }
    }

    /** Truncates the file to the last complete record after a partial write. */
    private void cutBack(long size) {
        if (!regular) {
            return; // a pipe or device cannot be cut back; nothing more can be done
        }
        try {
            channel.truncate(size);
            channel.position(size);
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
            int start = i == 0 ? 0 : unitEnds[i - 1];
            lostPackets = lostPackets + 1;
            lostBytes = lostBytes + (unitEnds[i] - start - PcapFormat.RECORD_HEADER_BYTES);
            packetsWritten = packetsWritten - 1;
        }
    }

    private void clearBuffer() {
        buffer.clear();
        units = 0;
        headerBuffered = false;
    }

    private void endFile() {
        drain();
        closeChannel();
        fileChosen = false;
        path = null;
        committed = 0;
    }

    private void closeChannel() {
        if (channel != null && channel != stdout) {
            try {
                channel.close();
            } catch (IOException e) {
                log.debug("pcap: closing {}: {}", where(), e.toString());
            }
        }
        channel = null;
    }

    private void fail(IOException e) {
        lastAttemptNanos = System.nanoTime();
        if (!failing) {
            failing = true;
            lostAtFailure = lostPackets;
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

package io.plainsight.sink.pcapng;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.sink.pcap.WriteFailures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcapng file (or a series of rotated ones) that survives failures. Whole blocks are collected
 * in a buffer and written at a flush or when the buffer is full, so the file always ends on a
 * block boundary. A new file starts with a Section Header Block, which this class writes; the
 * caller writes the other blocks into {@link #buffer()} after {@link #prepare} said yes, and tells
 * which of them were Interface Description and Enhanced Packet blocks.
 *
 * <p>When a file cannot be opened or written (unwritable path, full disk), the failure is logged
 * once, the buffered packets are counted as lost, the file is cut back to its last complete block,
 * and opening is retried at most once per retry interval; resuming is logged once too. Every
 * failure and every new section bumps {@link #generation()}: the blocks written since the last
 * complete write are gone, so the caller then writes again what later packets need (the file holds
 * the first {@link #interfaces()} interfaces; secrets must be repeated).
 */
final class PcapngOutput implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PcapngOutput.class);

    private final PcapngDestination destination;
    private final String userAppl;
    private final long retryNanos;
    private final String retryText;
    private final int drainAt;
    private final ByteBuf buffer;
    /** Where packets that cannot be written are built, then dropped. */
    private final ByteBuf scratch = Unpooled.buffer(4096);

    private boolean fileChosen;
    private Path path;
    private FileChannel channel;
    /** Bytes of the current file known to hold whole blocks. */
    private long committed;
    private int committedInterfaces;
    private long committedPackets;
    private int bufferedInterfaces;
    private long bufferedPackets;
    private long bufferedPacketBytes;
    private int generation;

    private boolean failing;
    private long lastAttemptNanos;
    private long lostAtFailure;
    private boolean closed;
    // written by the sink's thread only, read by any (lazySet: no fence per packet)
    private final AtomicLong lostPackets = new AtomicLong();
    private final AtomicLong lostBytes = new AtomicLong();
    private final AtomicLong packetsWritten = new AtomicLong();

    /**
     * @param userAppl the Section Header's {@code shb_userappl}, e.g. "plainsight 1.0"
     * @param bufferBytes how much is collected before a write
     * @param retry how long a failing output waits before it tries again
     */
    PcapngOutput(PcapngDestination destination, String userAppl, int bufferBytes, Duration retry) {
        this.destination = destination;
        this.userAppl = userAppl;
        this.drainAt = bufferBytes;
        this.buffer = Unpooled.directBuffer(Math.min(bufferBytes + (128 << 10), 4 << 20));
        this.retryNanos = retry.toNanos();
        this.retryText = retry.isZero() ? "at every packet" : "every " + retry.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /**
     * Gets ready for the blocks of one packet (or one secrets block) stamped {@code timestampMicros},
     * whose own block is {@code blockBytes} long: writes a full buffer, starts a new file when the
     * destination says so, opens (or retries) the file, and writes the Section Header of a new
     * file. Returns true when the caller may write its blocks into {@link #buffer()}, false when the
     * output is failing (write a packet into {@link #discard} instead, and count it).
     */
    boolean prepare(long timestampMicros, int blockBytes) {
        if (closed) {
            throw new IllegalStateException("pcapng output " + where() + " is closed");
        }
        if (buffer.readableBytes() >= drainAt) {
            drain();
        }
        if (fileChosen && destination.rotateBefore(timestampMicros, committed + buffer.readableBytes(),
                committedPackets + bufferedPackets, blockBytes)) {
            endFile();
        }
        if (channel == null && (!failing || retryDue())) {
            open(timestampMicros);
        }
        if (channel == null) {
            return false;
        }
        if (committed == 0 && buffer.readableBytes() == 0) {
            PcapngFormat.writeSectionHeader(buffer, userAppl);
            generation++;
        }
        return true;
    }

    /** Where the caller writes whole blocks after {@link #prepare} returned true. */
    ByteBuf buffer() {
        return buffer;
    }

    /** An Interface Description Block was written into the buffer. */
    void interfaceWritten() {
        bufferedInterfaces++;
    }

    /** An Enhanced Packet Block of a {@code frameLength}-byte frame was written into the buffer. */
    void packetWritten(int frameLength) {
        bufferedPackets++;
        bufferedPacketBytes += frameLength;
        add(packetsWritten, 1);
    }

    /** A buffer for a block that is dropped (the output is failing), with room for {@code bytes}. */
    ByteBuf discard(int bytes) {
        scratch.clear();
        scratch.ensureWritable(bytes);
        return scratch;
    }

    /** A packet of {@code frameLength} bytes went to {@link #discard}. */
    void packetLost(int frameLength) {
        add(lostPackets, 1);
        add(lostBytes, frameLength);
    }

    /** Interfaces the current file holds (written, or buffered to be). */
    int interfaces() {
        return committedInterfaces + bufferedInterfaces;
    }

    /** Changes whenever a new section starts or buffered blocks were lost. */
    int generation() {
        return generation;
    }

    /** Opens the destination now and writes its Section Header (a single file: errors show at start-up). */
    void start() {
        if (prepare(0, 0)) {
            drain();
        }
    }

    /** Writes everything buffered; retries a failed file when due. */
    void flush() {
        if (closed) {
            return;
        }
        drain();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        drain();
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

    /** The file being written, or null (none yet, or failing). */
    Path currentPath() {
        return path;
    }

    private static void add(AtomicLong counter, long n) {
        counter.lazySet(counter.get() + n);
    }

    private boolean retryDue() {
        return System.nanoTime() - lastAttemptNanos >= retryNanos;
    }

    private void open(long timestampMicros) {
        lastAttemptNanos = System.nanoTime();
        try {
            if (!fileChosen) {
                path = destination.newFile(timestampMicros);
                fileChosen = true;
                startOver();
            }
            FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (committed > 0 && ch.size() >= committed) {
                    ch.truncate(committed); // drop a partial block a failed write left
                } else {
                    ch.truncate(0); // a new file (an old one is replaced), or ours vanished: start over
                    startOver();
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

    private void startOver() {
        committed = 0;
        committedInterfaces = 0;
        committedPackets = 0;
    }

    /** Writes the buffer; on failure cuts the file back, counts the buffered packets as lost, and closes it. */
    private void drain() {
        int n = buffer.readableBytes();
        if (n == 0) {
            return;
        }
        if (channel == null) {
            loseBuffered();
            return;
        }
        ByteBuffer bb = buffer.nioBuffer();
        try {
            while (bb.hasRemaining()) {
                channel.write(bb, committed + bb.position());
            }
        } catch (IOException e) {
            fail(e);
            try {
                channel.truncate(committed);
            } catch (IOException t) {
                log.debug("pcapng: cannot truncate {} to {}: {}", where(), committed, t.toString());
            }
            closeChannel(); // reopened (and cut back to whole blocks) at the next retry
            loseBuffered();
            return;
        }
        committed += n;
        committedInterfaces += bufferedInterfaces;
        committedPackets += bufferedPackets;
        bufferedInterfaces = 0;
        bufferedPackets = 0;
        bufferedPacketBytes = 0;
        buffer.clear();
        if (failing) {
            failing = false;
            log.warn("pcapng capture resumed at {} after {} packets lost", where(), lostPackets.get() - lostAtFailure);
        }
    }

    private void loseBuffered() {
        add(lostPackets, bufferedPackets);
        add(lostBytes, bufferedPacketBytes);
        add(packetsWritten, -bufferedPackets);
        bufferedInterfaces = 0;
        bufferedPackets = 0;
        bufferedPacketBytes = 0;
        buffer.clear();
        generation++;
    }

    private void endFile() {
        drain();
        closeChannel();
        fileChosen = false;
        path = null;
        startOver();
    }

    private void closeChannel() {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            log.debug("pcapng: closing {}: {}", where(), e.toString());
        }
        channel = null;
    }

    private void fail(IOException e) {
        lastAttemptNanos = System.nanoTime();
        if (!failing) {
            failing = true;
            lostAtFailure = lostPackets.get();
            log.error("pcapng capture cannot write to {}: {}; traffic is not affected, packets that cannot be written "
                    + "are counted as lost, retrying {}", where(), WriteFailures.cause(e), retryText);
        } else {
            log.debug("pcapng capture still failing at {}: {}", where(), e.toString());
        }
    }

    private String where() {
        return path != null ? path.toString() : destination.describe();
    }
}

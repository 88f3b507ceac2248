package io.plainsight.sink.pcapng;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.plainsight.sink.pcap.CaptureFile;
import io.plainsight.sink.pcap.WriteFailures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pcapng file (or a series of rotated ones) that survives failures. Whole blocks are collected
 * in a buffer and written at a flush or when the buffer is full, so the file always ends on a
 * block boundary after a flush. A new file starts with a Section Header Block, which this class
 * writes; the caller writes the other blocks into {@link #buffer()} after {@link #prepare} said
 * yes, and tells which of them were Interface Description and Enhanced Packet blocks.
 *
 * <p>The file is a {@link CaptureFile}, as the PCAP output's: whole file-system blocks are written
 * with direct I/O where the filesystem allows it (no page cache: a fraction of the CPU of ordinary
 * writes when gigabytes of capture are written), the last partial block through the page cache at
 * a flush, so that readers see every block at once. The buffer therefore starts on a file-system
 * block boundary of the file: a full buffer writes its whole file-system blocks only and keeps the
 * rest; a flush writes everything and keeps the last partial file-system block; either way the next
 * write covers the kept bytes again (as {@code PcapOutput} does).
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
    /**
     * Room {@link #prepare} makes besides the caller's block: a Section Header and an Interface
     * Description Block, whose options (at most 65,532 bytes each) are the only variable parts.
     */
    private static final int HEADERS_ROOM = 256 << 10;

    private final PcapngDestination destination;
    private final String userAppl;
    private final long retryNanos;
    private final String retryText;
    private final int drainAt;
    /**
     * Bytes of the current file from offset {@link #base} (aligned memory, for direct I/O): up to
     * {@link #committed} known written, then the units {@link #unitEnds} delimits and the open
     * unit; the first {@link #inFile} bytes are in the file too.
     */
    private ByteBuf buffer;
    /** Where packets that cannot be written are built, then dropped. */
    private final ByteBuf scratch = Unpooled.buffer(4096);

    /*
     * Units: the blocks written after one prepare (a packet and the interface and secrets blocks it
     * needed), ended by the next prepare or a write. A partial write commits whole units only.
     */
    private int[] unitEnds = new int[1024];
    private int[] unitInterfaces = new int[1024];
    private int[] unitPackets = new int[1024];
    private long[] unitPacketBytes = new long[1024];
    private int units;
    private int openInterfaces;
    private int openPackets;
    private long openPacketBytes;

    private boolean fileChosen;
    private Path path;
    private CaptureFile file;
    /** Bytes of the current file known to hold whole blocks. */
    private long committed;
    /** The file offset of the buffer's first byte: a multiple of {@link #alignment}. */
    private long base;
    /** Bytes at the start of the buffer that the file holds already (at least {@code committed - base}). */
    private int inFile;
    /** The block size the current file is written in (1 without direct I/O). */
    private int alignment = 1;
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
        // room for a partial block kept at the start, and for the blocks of one packet past drainAt
        this.buffer = CaptureFile.allocateBuffer(bufferBytes + 2 * HEADERS_ROOM + CaptureFile.MAX_ALIGNMENT);
        this.retryNanos = retry.toNanos();
        this.retryText = retry.isZero() ? "at every packet" : "every " + retry.toString().substring(2).toLowerCase(Locale.ROOT);
    }

    /**
     * Gets ready for the blocks of one packet (or one secrets block) stamped {@code timestampMicros},
     * whose own block is {@code blockBytes} long: writes a full buffer, starts a new file when the
     * destination says so, opens (or retries) the file, and writes the Section Header of a new
     * file. Returns true when the caller may write its blocks into {@link #buffer()} (it has room
     * for that block, a Section Header and an Interface Description Block), false when the output
     * is failing (write a packet into {@link #discard} instead, and count it).
     */
    boolean prepare(long timestampMicros, int blockBytes) {
        if (closed) {
            throw new IllegalStateException("pcapng output " + where() + " is closed");
        }
        endUnit();
        if (buffer.writerIndex() >= drainAt) {
            drain(false);
        }
        if (fileChosen && destination.rotateBefore(timestampMicros, base + buffer.writerIndex(),
                committedPackets + bufferedPackets, blockBytes)) {
            endFile();
        }
        if (file == null && (!failing || retryDue())) {
            open(timestampMicros);
        }
        if (file == null) {
            return false;
        }
        reserve(blockBytes + HEADERS_ROOM);
        if (base + buffer.writerIndex() == 0) {
            PcapngFormat.writeSectionHeader(buffer, userAppl);
            generation++;
        }
        return true;
    }

    /**
     * Makes room for {@code bytes} more in {@link #buffer()} (after {@link #prepare} said yes), for
     * blocks larger than it makes room for, such as the secrets of every open connection.
     */
    void reserve(int bytes) {
        if (buffer.writableBytes() >= bytes) {
            return;
        }
        int total = buffer.writerIndex();
        long capacity = Math.max(2L * buffer.capacity(), (long) total + bytes);
        if (capacity > Integer.MAX_VALUE - CaptureFile.MAX_ALIGNMENT) {
            throw new IllegalStateException("pcapng output " + where() + ": a block of " + bytes + " bytes does not fit");
        }
        ByteBuf larger = CaptureFile.allocateBuffer((int) capacity);
        larger.writeBytes(buffer, 0, total);
        buffer.release();
        buffer = larger;
    }

    /** Where the caller writes whole blocks after {@link #prepare} returned true. */
    ByteBuf buffer() {
        return buffer;
    }

    /** An Interface Description Block was written into the buffer. */
    void interfaceWritten() {
        bufferedInterfaces++;
        openInterfaces++;
    }

    /** An Enhanced Packet Block of a {@code frameLength}-byte frame was written into the buffer. */
    void packetWritten(int frameLength) {
        bufferedPackets++;
        bufferedPacketBytes += frameLength;
        openPackets++;
        openPacketBytes += frameLength;
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
            drain(true);
        }
    }

    /** Writes everything buffered; retries a failed file when due. */
    void flush() {
        if (closed) {
            return;
        }
        drain(true);
    }

    /** Whether the current file is written with direct I/O. */
    boolean directIo() {
        return file != null && file.direct();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        drain(true);
        closeFile();
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
            // a file reopened after a failure keeps its block size or a smaller one: the buffer's
            // partial block starts on a boundary of the old one
            CaptureFile f = CaptureFile.open(path, committed == 0 ? CaptureFile.MAX_ALIGNMENT : alignment);
            try {
                if (committed > 0 && f.size() >= committed) {
                    f.truncate(committed); // drop a partial block a failed write left
                } else {
                    f.truncate(0); // a new file (an old one is replaced), or ours vanished: start over
                    startOver();
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

    /** Nothing of the current file is written or kept. */
    private void startOver() {
        committed = 0;
        committedInterfaces = 0;
        committedPackets = 0;
        base = 0;
        inFile = 0;
        buffer.clear();
        units = 0;
        openInterfaces = 0;
        openPackets = 0;
        openPacketBytes = 0;
        bufferedInterfaces = 0;
        bufferedPackets = 0;
        bufferedPacketBytes = 0;
    }

    /** Ends the open unit, if it holds any block (called between blocks only). */
    private void endUnit() {
        int end = buffer.writerIndex();
        int start = units > 0 ? unitEnds[units - 1] : (int) (committed - base);
        if (end <= start) {
            return;
        }
        if (units == unitEnds.length) {
            int n = units * 2;
            unitEnds = Arrays.copyOf(unitEnds, n);
            unitInterfaces = Arrays.copyOf(unitInterfaces, n);
            unitPackets = Arrays.copyOf(unitPackets, n);
            unitPacketBytes = Arrays.copyOf(unitPacketBytes, n);
        }
        unitEnds[units] = end;
        unitInterfaces[units] = openInterfaces;
        unitPackets[units] = openPackets;
        unitPacketBytes[units] = openPacketBytes;
        units++;
        openInterfaces = 0;
        openPackets = 0;
        openPacketBytes = 0;
    }

    /**
     * Writes the buffer: everything when {@code all} (a flush: the file then ends on the last
     * block), else only its whole file-system blocks (the buffer is full). On failure cuts the file
     * back to its last complete block, counts the packets not in it as lost, and closes it.
     */
    private void drain(boolean all) {
        endUnit();
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
        int from = inFile & -alignment;
        ByteBuffer bb = buffer.nioBuffer(from, end - from);
        try {
            file.write(bb, base + from);
        } catch (IOException e) {
            fail(e);
            int kept = unitsEndingBy(from + bb.position());
            commitUnits(kept);
            try {
                file.truncate(committed);
            } catch (IOException t) {
                log.debug("pcapng: cannot truncate {} to {}: {}", where(), committed, t.toString());
            }
            closeFile(); // reopened (and cut back to whole blocks) at the next retry
            loseUnits(kept);
            dropAfterCommitted();
            return;
        }
        inFile = end;
        int kept = unitsEndingBy(end);
        commitUnits(kept);
        alignment = file.alignment(); // 1 if direct I/O turned out to be refused
        keepFromLastBlock(kept);
        if (failing) {
            failing = false;
            log.warn("pcapng capture resumed at {} after {} packets lost", where(), lostPackets.get() - lostAtFailure);
        }
    }

    /** The number of buffered units that end at or before buffer index {@code index}. */
    private int unitsEndingBy(int index) {
        int n = 0;
        while (n < units && unitEnds[n] <= index) {
            n++;
        }
        return n;
    }

    /** The first {@code n} units are in the file: counts them as committed. */
    private void commitUnits(int n) {
        for (int i = 0; i < n; i++) {
            committedInterfaces += unitInterfaces[i];
            committedPackets += unitPackets[i];
            bufferedInterfaces -= unitInterfaces[i];
            bufferedPackets -= unitPackets[i];
            bufferedPacketBytes -= unitPacketBytes[i];
        }
        if (n > 0) {
            committed = base + unitEnds[n - 1];
        }
    }

    /** Counts the packets of the units from {@code from} on as lost: they will not be in the file. */
    private void loseUnits(int from) {
        long packets = 0;
        long bytes = 0;
        for (int i = from; i < units; i++) {
            packets += unitPackets[i];
            bytes += unitPacketBytes[i];
        }
        add(lostPackets, packets);
        add(lostBytes, bytes);
        add(packetsWritten, -packets);
        generation++;
    }

    /** Forgets every block after {@link #committed} (lost, or never to be written). */
    private void dropAfterCommitted() {
        units = 0;
        bufferedInterfaces = 0;
        bufferedPackets = 0;
        bufferedPacketBytes = 0;
        inFile = (int) (committed - base);
        buffer.writerIndex(inFile);
        keepFromLastBlock(0);
    }

    /**
     * Forgets the first {@code written} units (now in the file) and everything before the
     * file-system block holding {@link #committed}: what is kept moves to the start of the buffer,
     * so that the next write begins on a block boundary.
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
        System.arraycopy(unitInterfaces, written, unitInterfaces, 0, units);
        System.arraycopy(unitPackets, written, unitPackets, 0, units);
        System.arraycopy(unitPacketBytes, written, unitPacketBytes, 0, units);
        for (int i = 0; i < units; i++) {
            unitEnds[i] -= shift;
        }
    }

    private void endFile() {
        drain(true);
        closeFile();
        fileChosen = false;
        path = null;
        startOver();
    }

    private void closeFile() {
        if (file != null) {
            file.close();
            file = null;
        }
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

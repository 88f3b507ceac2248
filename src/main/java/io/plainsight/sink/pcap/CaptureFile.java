package io.plainsight.sink.pcap;

import com.sun.nio.file.ExtendedOpenOption;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.io.Closeable;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One open capture file, or standard output, and how bytes reach it (the PCAP and PCAPNG outputs).
 *
 * <p>A regular file is written with direct I/O ({@code O_DIRECT}) where the filesystem allows it:
 * whole blocks go to the disk without passing through the page cache, which on a machine writing
 * gigabytes of capture costs a fraction of the CPU of ordinary writes (the kernel no longer copies
 * every byte, nor reclaims and throttles a page cache full of capture). The last, partial block
 * goes through an ordinary descriptor, so that readers ({@code tail -f | tshark}) see every record
 * at once; the next write covers that block again with direct I/O (Linux keeps direct and buffered
 * I/O on a file coherent). A caller therefore writes from a block boundary of the file
 * ({@link #alignment()}), from memory aligned by {@link #allocateBuffer}.
 *
 * <p>Where direct I/O is refused (filesystems without it such as ramfs, a block size this class
 * does not handle, or a first direct write that fails where an ordinary one succeeds) the file is
 * written through the page cache as before, which is logged once per file at debug level. Devices,
 * pipes and standard output are always written through the ordinary descriptor, sequentially.
 */
public final class CaptureFile implements Closeable {
    private static final Logger log = LoggerFactory.getLogger(CaptureFile.class);

    /** The largest block size direct I/O is used with; {@link #allocateBuffer} aligns memory to it. */
    public static final int MAX_ALIGNMENT = 64 << 10;

    private final Path path;
    private final FileChannel plain;
    private final boolean regular;
    private final boolean ownsPlain;
    private FileChannel direct;
    private int alignment = 1;
    /** A direct write has succeeded: later failures are the file's, not direct I/O's. */
    private boolean directWorks;

    private CaptureFile(Path path, FileChannel plain, boolean regular, boolean ownsPlain) {
        this.path = path;
        this.plain = plain;
        this.regular = regular;
        this.ownsPlain = ownsPlain;
    }

    /** Standard output: written sequentially, never closed. */
    public static CaptureFile standardOutput() {
        return new CaptureFile(null, new FileOutputStream(FileDescriptor.out).getChannel(), false, false);
    }

    /**
     * Opens (creating it if needed, keeping its contents) the file at {@code path}, with direct I/O
     * if the path is a regular file whose filesystem allows it with a block size of at most
     * {@code maxAlignment} (1 asks for no direct I/O).
     */
    public static CaptureFile open(Path path, int maxAlignment) throws IOException {
        FileChannel plain = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        CaptureFile file = new CaptureFile(path, plain, Files.isRegularFile(path), true);
        if (file.regular && maxAlignment > 1) {
            file.openDirect(maxAlignment);
        }
        return file;
    }

    /**
     * A buffer of {@code capacity} bytes, fixed, whose memory starts on a {@link #MAX_ALIGNMENT}
     * boundary, as direct I/O requires. Its memory is freed when it becomes unreachable.
     */
    public static ByteBuf allocateBuffer(int capacity) {
        ByteBuffer aligned = ByteBuffer.allocateDirect(capacity + MAX_ALIGNMENT).alignedSlice(MAX_ALIGNMENT);
        return Unpooled.wrappedBuffer(aligned.limit(capacity).slice()).clear();
    }

    private void openDirect(int maxAlignment) {
        FileChannel ch = null;
        try {
            long blockSize = Files.getFileStore(path).getBlockSize();
            if (blockSize < 1 || blockSize > maxAlignment || Long.bitCount(blockSize) != 1) {
                log.debug("pcap: {} is written through the page cache: block size {} (direct I/O handles powers of two up to {})",
                        path, blockSize, maxAlignment);
                return;
            }
            ch = FileChannel.open(path, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
            direct = ch;
            alignment = (int) blockSize;
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("pcap: {} is written through the page cache: direct I/O refused: {}", path, e.toString());
        }
    }

    /** Writes start at file offsets that are multiples of this (1 without direct I/O). */
    public int alignment() {
        return alignment;
    }

    /** Whether whole blocks are written with direct I/O. */
    public boolean direct() {
        return direct != null;
    }

    /** A regular file (can be sized, truncated and written at a position). */
    public boolean regular() {
        return regular;
    }

    public long size() throws IOException {
        return plain.size();
    }

    public void truncate(long size) throws IOException {
        plain.truncate(size);
    }

    /**
     * Writes the remaining bytes of {@code src} at {@code position} of the file (a regular file's
     * position must be a multiple of {@link #alignment()}, and {@code src}'s memory aligned alike;
     * other destinations are written sequentially and ignore it). On failure, {@code src}'s
     * position tells how many bytes were written before it.
     */
    public void write(ByteBuffer src, long position) throws IOException {
        if (!regular) {
            while (src.hasRemaining()) {
                plain.write(src);
            }
            return;
        }
        long fileOffsetOfZero = position - src.position();
        int end = src.limit();
        int blockEnd = src.position() + ((end - src.position()) & -alignment);
        if (direct != null && blockEnd > src.position()) {
            int start = src.position();
            src.limit(blockEnd);
            try {
                writeAt(direct, src, fileOffsetOfZero);
                directWorks = true;
            } catch (IOException e) {
                if (directWorks || src.position() != start) {
                    throw e;
                }
                src.limit(end);
                writeAt(plain, src, fileOffsetOfZero); // a failure here is the file's: direct I/O is tried again
                refuseDirect(e);
                return;
            } finally {
                src.limit(end);
            }
        }
        writeAt(plain, src, fileOffsetOfZero);
    }

    private static void writeAt(FileChannel ch, ByteBuffer src, long fileOffsetOfZero) throws IOException {
        while (src.hasRemaining()) {
            ch.write(src, fileOffsetOfZero + src.position());
        }
    }

    private void refuseDirect(IOException e) {
        log.debug("pcap: {} is written through the page cache: a direct write failed ({}) where an ordinary one succeeded",
                path, e.toString());
        closeQuietly(direct);
        direct = null;
        alignment = 1;
    }

    @Override
    public void close() {
        closeQuietly(direct);
        direct = null;
        if (ownsPlain) {
            closeQuietly(plain);
        }
    }

    private void closeQuietly(FileChannel ch) {
        if (ch == null) {
            return;
        }
        try {
            ch.close();
        } catch (IOException e) {
            log.debug("pcap: closing {}: {}", path, e.toString());
        }
    }
}

package io.plainsight.sink.exchange;

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
 * A file an exchange output writes (HAR, flow log), or stdout for "-": opened on first use and
 * truncated then; a write that fails (unwritable path, full disk) is logged once, counted, and
 * tried again on the next write, so the traffic and the other outputs carry on.
 */
public final class OutputFile implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    private final Path path;
    private final String what;
    private final boolean append;
    private FileChannel channel;
    private boolean failing;
    private long failures;

    /** @param target a path, or "-" for stdout */
    public OutputFile(String target, String what) {
        this(target, what, false);
    }

    private OutputFile(String target, String what, boolean append) {
        this.path = "-".equals(target) ? null : Path.of(target);
        this.what = what;
        this.append = append;
    }

    /**
     * A file written at its end (what it held stays, as a log's earlier entries should), or stdout
     * for "-"; {@link #write}'s position is ignored.
     */
    public static OutputFile appending(String target, String what) {
        return new OutputFile(target, what, true);
    }

    /** Whether this is stdout (no seeking back). */
    public boolean isStdout() {
        return path == null;
    }

    public String describe() {
        return path == null ? "stdout" : path.toAbsolutePath().toString();
    }

    /**
     * Writes {@code bytes} at {@code position} (ignored for stdout); false when it failed (logged
     * once until a write succeeds again).
     */
    public boolean write(long position, ByteBuffer bytes) {
        try {
            if (channel == null) {
                channel = open();
            }
            long p = position;
            while (bytes.hasRemaining()) {
                int n = path == null || append ? channel.write(bytes) : channel.write(bytes, p);
                p += n;
            }
            if (failing) {
                failing = false;
                log.warn("{} output {} writes again ({} writes lost)", what, describe(), failures);
            }
            return true;
        } catch (IOException e) {
            failures++;
            if (!failing) {
                failing = true;
                log.warn("{} output {}: cannot write: {}; will retry", what, describe(), io.plainsight.sink.pcap.WriteFailures.cause(e));
            }
            closeQuietly();
            return false;
        }
    }

    private boolean openedOnce;

    private FileChannel open() throws IOException {
        if (path == null) {
            return new FileOutputStream(FileDescriptor.out).getChannel();
        }
        Path parent = path.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (append) {
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        }
        // the first open starts the file afresh; a reopen after a failed write keeps what was written
        boolean first = !openedOnce;
        FileChannel c = first
                ? FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        openedOnce = true;
        return c;
    }

    /** Truncates the file to {@code size} (no-op for stdout). */
    public void truncate(long size) {
        if (path == null || channel == null) {
            return;
        }
        try {
            channel.truncate(size);
        } catch (IOException e) {
            log.debug("cannot truncate {}: {}", describe(), e.toString());
        }
    }

    /** Writes that failed so far. */
    public long failures() {
        return failures;
    }

    private void closeQuietly() {
        if (channel != null && path != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // already failing
            }
            channel = null;
        }
    }

    @Override
    public void close() {
        if (channel != null && path != null) {
            try {
                channel.force(false);
            } catch (IOException ignored) {
                // best effort
            }
        }
        closeQuietly();
    }
}

package io.plainsight.sink.keylog;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Sink;
import io.plainsight.event.TlsSecrets;
import io.plainsight.tls.OwnerOnlyFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --keylog FILE}: the TLS secrets of both legs of every captured connection as an NSS key
 * log (the format of {@code SSLKEYLOGFILE}: "CLIENT_RANDOM ..." for TLS 1.2, the five TLS 1.3
 * secrets), so that a capture of the raw wire on either side decrypts in Wireshark or tshark with
 * this file alone ({@code -o tls.keylog_file:FILE}).
 *
 * <p>The file is appended to (its earlier lines stay: a key log is a log), and created owner-only
 * (0600): whoever reads it reads the traffic. Lines are written when the bus flushes (at most a
 * fifth of a second after the handshake while traffic flows), or sooner when many are waiting. A
 * write that fails (unwritable path, full disk) is said once; the lines are kept (up to
 * {@link #MAX_PENDING} bytes, then counted as lost) and written when the file takes them again.
 */
public final class KeyLogSink implements Sink {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    /** Bytes kept for a file that cannot be written; beyond, lines are lost (and counted). */
    static final int MAX_PENDING = 4 << 20;
    /** Pending bytes that make a write happen before the next flush. */
    private static final int WRITE_AT = 32 << 10;

    private final Path file;
    private FileChannel channel;
    private ByteBuffer pending = ByteBuffer.allocate(4096);
    private boolean failing;
    private long lostLines;

    /** Opens (or creates, 0600) {@code file}; a file that cannot be opened yet is retried at every write. */
    public KeyLogSink(Path file) {
        this.file = file.toAbsolutePath();
        try {
            open();
        } catch (IOException e) {
            failed(e);
        }
    }

    /** The key log file. */
    public Path file() {
        return file;
    }

    /** Lines lost because the file could not be written for too long. */
    public long lostLines() {
        return lostLines;
    }

    @Override
    public String name() {
        return "keylog";
    }

    @Override
    public boolean acceptsData() {
        return false;
    }

    @Override
    public boolean acceptsSecrets() {
        return true;
    }

    @Override
    public void accept(CaptureEvent event) {
        if (!(event instanceof TlsSecrets s)) {
            return;
        }
        byte[] lines = s.keyLogLines().getBytes(StandardCharsets.US_ASCII);
        int count = count(lines);
        if (pending.position() + lines.length > MAX_PENDING) {
            lostLines += count;
            return;
        }
        if (pending.remaining() < lines.length) {
            int size = Math.max(pending.capacity() * 2, pending.position() + lines.length);
            ByteBuffer bigger = ByteBuffer.allocate(Math.min(Math.max(size, 4096), MAX_PENDING));
            pending.flip();
            bigger.put(pending);
            pending = bigger;
        }
        pending.put(lines);
        if (pending.position() >= WRITE_AT && !failing) {
            write();
        }
    }

    private static int count(byte[] lines) {
        int n = 0;
        for (byte b : lines) {
            if (b == '\n') {
                n++;
            }
        }
        return n;
    }

    @Override
    public void flush() {
        write();
    }

    /** Writes what is pending; keeps what could not be written, from the first byte not written. */
    private void write() {
        if (pending.position() == 0) {
            return;
        }
        try {
            if (channel == null) {
                open();
            }
            pending.flip();
            try {
                while (pending.hasRemaining()) {
                    channel.write(pending);
                }
            } finally {
                pending.compact();
            }
            if (failing) {
                failing = false;
                log.warn("key log {} writes again{}", file, lostLines > 0 ? " (" + lostLines + " lines lost)" : "");
            }
        } catch (IOException e) {
            failed(e);
            closeQuietly();
        }
    }

    private void open() throws IOException {
        Path parent = file.getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
        }
        channel = OwnerOnlyFiles.openForAppend(file);
        warnIfShared();
    }

    /** Says so when an existing key log can be read by others: it holds the keys to the traffic. */
    private void warnIfShared() {
        try {
            Set<PosixFilePermission> p = Files.getPosixFilePermissions(file);
            if (p.contains(PosixFilePermission.GROUP_READ) || p.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("key log {} is readable by others ({}): anyone who can read it can decrypt the traffic",
                        file, java.nio.file.attribute.PosixFilePermissions.toString(p));
            }
        } catch (IOException | UnsupportedOperationException e) {
            // not a POSIX file system: nothing to check
        }
    }

    private void failed(IOException e) {
        if (!failing) {
            failing = true;
            log.warn("key log {}: cannot write: {}; the lines are kept and written when it can be",
                    file, io.plainsight.sink.pcap.WriteFailures.cause(e));
        }
    }

    private void closeQuietly() {
        if (channel != null) {
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
        write();
        if (pending.position() > 0) {
            lostLines += count(java.util.Arrays.copyOf(pending.array(), pending.position()));
            log.warn("key log {}: {} lines could not be written", file, lostLines);
        }
        closeQuietly();
    }
}

package io.plainsight.offline.capture;

import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A regular file read through memory mappings of {@link #WINDOW} bytes, one at a time: each read
 * is one copy out of the page cache, where a stream costs a system call and two copies (the
 * kernel's into a temporary buffer, then into the array), or a read-ahead thread doing those
 * (measured: ~0.3 s of CPU per GB). A window is unmapped as soon as the next one is mapped, so a
 * large capture adds at most one window to the resident set.
 *
 * <p>A file that grows while it is read (tcpdump still writing it) is read to its new end; one
 * that shrinks under a mapping fails the read with an IOException naming the file, rather than
 * the JVM's internal error for a fault in mapped memory.
 */
public final class MappedFileInput extends InputStream {
    static final int WINDOW = 16 << 20;
    /**
     * {@code sun.misc.Unsafe.invokeCleaner}, bound to the instance: the only way before the FFM API
     * (final in JDK 22) to unmap a buffer without waiting for the GC. Null where it is missing: then
     * a window is unmapped when the GC collects it.
     */
    private static final MethodHandle INVOKE_CLEANER = invokeCleaner();

    private final FileChannel channel;
    private final String name;
    private final int window;
    private MappedByteBuffer mapped;
    /** File offset of {@link #mapped}'s first byte. */
    private long mappedAt;
    /** Read position within {@link #mapped}. */
    private int pos;
    private boolean closed;

    private MappedFileInput(FileChannel channel, String name, int window) {
        this.channel = channel;
        this.name = name;
        this.window = window;
    }

    /** Opens {@code file} (a regular file) for mapped reading. */
    public static MappedFileInput open(Path file) throws IOException {
        return open(file, WINDOW);
    }

    /**
     * Opens {@code file} and maps its first window, so that a filesystem that cannot map files
     * fails here (the caller can stream the file instead) rather than at the first read.
     */
    static MappedFileInput open(Path file, int window) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IOException(file + ": not a regular file");
        }
        MappedFileInput in = new MappedFileInput(FileChannel.open(file, StandardOpenOption.READ), file.toString(), window);
        try {
            in.mapNext();
            in.pos = 0;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
        return in;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        java.util.Objects.checkFromIndexSize(off, len, b.length);
        if (closed) {
            throw new IOException(name + ": closed");
        }
        if (len == 0) {
            return 0;
        }
        if ((mapped == null || pos == mapped.limit()) && !mapNext()) {
            return -1;
        }
        int n = Math.min(len, mapped.limit() - pos);
        try {
            mapped.get(pos, b, off, n);
        } catch (InternalError e) { // SIGBUS: the file was cut shorter than the mapping
            throw new IOException(name + ": the file shrank while it was read (at byte offset " + (mappedAt + pos) + ")", e);
        }
        pos += n;
        return n;
    }

    /** Maps the window after the current one; false at the end of the file. */
    private boolean mapNext() throws IOException {
        long next = mapped == null ? 0 : mappedAt + mapped.limit();
        long size = channel.size();
        if (next >= size) {
            return false;
        }
        MappedByteBuffer m = channel.map(FileChannel.MapMode.READ_ONLY, next, Math.min(window, size - next));
        unmap();
        mapped = m;
        mappedAt = next;
        pos = 0;
        return true;
    }

    private void unmap() {
        if (mapped != null) {
            if (INVOKE_CLEANER != null) {
                try {
                    INVOKE_CLEANER.invokeExact((ByteBuffer) mapped);
                } catch (Throwable e) {
                    // left to the GC
                }
            }
            mapped = null;
        }
    }

    private static MethodHandle invokeCleaner() {
        try {
            Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
            Field f = unsafeClass.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            return MethodHandles.lookup()
                    .findVirtual(unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
                    .bindTo(f.get(null));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null;
        }
    }

    @Override
    public long skip(long n) throws IOException {
        long skipped = 0;
        while (skipped < n) {
            if ((mapped == null || pos == mapped.limit()) && !mapNext()) {
                break;
            }
            int step = (int) Math.min(n - skipped, mapped.limit() - pos);
            pos += step;
            skipped += step;
        }
        return skipped;
    }

    @Override
    public int available() throws IOException {
        if (closed) {
            return 0;
        }
        long left = channel.size() - (mapped == null ? 0 : mappedAt + pos);
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            unmap();
            channel.close();
        }
    }
}

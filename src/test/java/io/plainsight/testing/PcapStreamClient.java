package io.plainsight.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Java reader of a PCAP-over-IP stream: connects, and copies what it receives into a file, as
 * fast as it can, slowly (a few bytes, then a pause), or not at all (a reader that never reads,
 * with a small receive buffer) until {@link #startReading()}. The stream's end (EOF or a reset) is
 * noticed and kept.
 *
 * <pre>{@code
 * try (PcapStreamClient c = PcapStreamClient.connect(address, tmp.resolve("stream.pcap"))) {
 *     c.awaitBytes(24, Duration.ofSeconds(10));        // the global header: it has joined
 *     ...
 *     c.awaitEnd(Duration.ofSeconds(10));
 *     tshark.assertReadsCleanly(c.file());
 * }
 * }</pre>
 */
public final class PcapStreamClient implements AutoCloseable {
    private final Socket socket;
    private final Path file;
    private final int readSize;
    private final long pauseNanos;
    private final AtomicLong bytes = new AtomicLong();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final CountDownLatch go = new CountDownLatch(1);
    private volatile String end;
    private final Thread thread;

    private PcapStreamClient(InetSocketAddress at, Path file, int readSize, Duration pause, int receiveBuffer, boolean idle) {
        this.file = file;
        this.readSize = readSize;
        this.pauseNanos = pause.toNanos();
        try {
            socket = new Socket();
            if (receiveBuffer > 0) {
                socket.setReceiveBufferSize(receiveBuffer);
            }
            socket.connect(at, 5_000);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot connect to the PCAP-over-IP stream at " + at, e);
        }
        if (!idle) {
            go.countDown();
        }
        thread = new Thread(this::copy, "pcap-stream-client");
        thread.setDaemon(true);
        thread.start();
    }

    /** A reader that reads as fast as it can into {@code file}. */
    public static PcapStreamClient connect(InetSocketAddress at, Path file) {
        return new PcapStreamClient(at, file, 64 << 10, Duration.ZERO, 0, false);
    }

    /** A reader that reads {@code readSize} bytes at a time with {@code pause} after each read. */
    public static PcapStreamClient slow(InetSocketAddress at, Path file, int readSize, Duration pause) {
        return new PcapStreamClient(at, file, readSize, pause, 0, false);
    }

    /** A reader with a 4 KiB receive buffer that reads nothing until {@link #startReading()}. */
    public static PcapStreamClient idle(InetSocketAddress at, Path file) {
        return new PcapStreamClient(at, file, 64 << 10, Duration.ZERO, 4096, true);
    }

    /** Ends this reader's sending direction (a FIN, as nc sends when its stdin ends); it goes on reading. */
    public void shutdownOutput() {
        try {
            socket.shutdownOutput();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lets an idle reader read (as fast as it can) from now on. */
    public void startReading() {
        go.countDown();
    }

    private void copy() {
        byte[] buf = new byte[readSize];
        try (OutputStream out = Files.newOutputStream(file); InputStream in = socket.getInputStream()) {
            go.await();
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
                bytes.addAndGet(n);
                if (pauseNanos > 0) {
                    Thread.sleep(pauseNanos / 1_000_000, (int) (pauseNanos % 1_000_000));
                }
            }
            end = "EOF";
        } catch (IOException e) {
            end = e.toString();
        } catch (InterruptedException e) {
            end = "interrupted";
        } finally {
            ended.countDown();
        }
    }

    /** The file the stream is copied into. */
    public Path file() {
        return file;
    }

    /** Bytes received so far. */
    public long bytes() {
        return bytes.get();
    }

    /** The port this reader connected from (how the sink names it). */
    public int localPort() {
        return socket.getLocalPort();
    }

    /** Waits until at least {@code n} bytes arrived; an AssertionError otherwise. */
    public void awaitBytes(long n, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (bytes.get() < n) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the stream gave " + bytes.get() + " bytes, not " + n + ", within " + timeout
                        + (end != null ? " (it ended: " + end + ")" : ""));
            }
            ExternalProcess.sleep(10);
        }
    }

    /** Waits until the stream ends; returns how ("EOF" or the exception), or fails after the timeout. */
    public String awaitEnd(Duration timeout) {
        try {
            if (!ended.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("the stream did not end within " + timeout + " (" + bytes.get() + " bytes so far)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
        return end;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing
        }
        go.countDown();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

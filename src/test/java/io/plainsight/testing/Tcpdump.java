package io.plainsight.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/**
 * A tcpdump capture to a pcap file, as an independent recorder of what really crossed the loopback.
 *
 * <p>{@link #start} returns once tcpdump says "listening on", so traffic sent afterwards is
 * captured. {@link #stop()} waits until the file stops growing, sends SIGINT (tcpdump then flushes
 * and exits) and returns the file. Uses {@code --immediate-mode -U} so packets are not held in
 * kernel buffers, and {@code -Z root} when running as root so tcpdump does not drop privileges
 * to a user that cannot write the temp dir.
 *
 * <p>In immediate mode libpcap's ring buffer has fixed slots as large as the snapshot length (256 KiB
 * with {@code -s 0}), so its default 2 MiB holds only 8 packets, and a burst of loopback traffic
 * on a busy machine overflows it: {@code -B} makes it 64 MiB (256 packets). Check
 * {@link #droppedByKernel()} after {@link #stop()} where a lost packet would fail the test
 * confusingly.
 *
 * <p>Capturing needs root or CAP_NET_RAW: without them the test is skipped (outside CI) or fails
 * (in CI, where {@code CI=true}).
 *
 * <pre>{@code
 * try (Tcpdump dump = Tcpdump.start("lo", dir.resolve("x.pcap"), "tcp", "port", "8080")) {
 *     ... traffic ...
 *     Path pcap = dump.stop();
 * }
 * }</pre>
 */
public final class Tcpdump implements AutoCloseable {

    /** {@code -B}: the capture buffer, in KiB. */
    private static final int BUFFER_KIB = 64 * 1024;

    private final ExternalProcess process;
    private final Path file;

    private Tcpdump(ExternalProcess process, Path file) {
        this.process = process;
        this.file = file;
    }

    /** Captures TCP port {@code port} on the loopback interface into {@code file}. */
    public static Tcpdump loopbackPort(int port, Path file) {
        return start("lo", file, "tcp", "port", Integer.toString(port));
    }

    /** Starts {@code tcpdump -i IFACE -w FILE FILTER...} and waits until it is capturing. */
    public static Tcpdump start(String iface, Path file, String... filter) {
        Path tcpdump = ExternalProcess.requireTool("tcpdump");
        List<String> cmd = new ArrayList<>(List.of(tcpdump.toString(), "-i", iface, "-n", "-s", "0",
                "--immediate-mode", "-B", Integer.toString(BUFFER_KIB), "-U", "-w", file.toAbsolutePath().toString()));
        if (ExternalProcess.isRoot()) {
            cmd.addAll(List.of("-Z", "root"));
        }
        cmd.addAll(Arrays.asList(filter));
        ExternalProcess p = ExternalProcess.start(cmd);
        try {
            p.awaitStderr("listening on", Duration.ofSeconds(20));
        } catch (AssertionError e) {
            p.close();
            String err = p.stderrSoFar();
            if ((err.contains("ermission") || err.contains("not permitted"))
                    && !"true".equals(System.getenv("CI"))) {
                Assumptions.abort("tcpdump may not capture here (needs root or CAP_NET_RAW): " + err.strip());
            }
            throw e;
        }
        return new Tcpdump(p, file);
    }

    /** The capture file. */
    public Path file() {
        return file;
    }

    /** The tcpdump process. */
    public ExternalProcess process() {
        return process;
    }

    /**
     * Waits for the capture file to stop growing (up to 3 s), stops tcpdump with SIGINT, waits for it
     * to exit, and returns the file. Idempotent.
     */
    public Path stop() {
        if (process.isAlive()) {
            awaitQuiet();
            process.signal("INT");
            ExternalProcess.Result r = process.waitFor(Duration.ofSeconds(20));
            if (r.exitCode() != 0) {
                throw new AssertionError("tcpdump exited with " + r.exitCode() + ":\n" + r.stderr());
            }
        }
        return file;
    }

    /** tcpdump's stderr, e.g. "N packets captured" after {@link #stop()}. */
    public String stderr() {
        return process.stderrSoFar();
    }

    /**
     * Packets the kernel dropped because tcpdump's buffer was full, from tcpdump's last words
     * ("N packets dropped by kernel"); -1 if it has not said (still running).
     */
    public long droppedByKernel() {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d+) packets? dropped by kernel").matcher(stderr());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private void awaitQuiet() {
        long deadline = System.nanoTime() + Duration.ofSeconds(3).toNanos();
        long last = -1;
        int stable = 0;
        while (System.nanoTime() < deadline && stable < 3) {
            long size = size();
            stable = size == last ? stable + 1 : 0;
            last = size;
            ExternalProcess.sleep(100);
        }
    }

    private long size() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Stops the capture (see {@link #stop()}) and ensures the process is gone. */
    @Override
    public void close() {
        try {
            if (process.isAlive()) {
                process.signal("INT");
                process.handle().onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (Exception ignored) {
            // fall through to close()
        } finally {
            process.close();
        }
    }
}

package io.plainsight.cli;

import io.plainsight.sink.console.ConsoleFormat;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * A one-line progress bar redrawn on a terminal at most four times a second:
 * {@code [########            ]  41%  1.1 GB of 2.6 GB  412 MB/s  17 open connections}.
 */
final class ProgressBar {
    private static final long EVERY_NANOS = 250_000_000L;
    private static final int WIDTH = 24;

    private final PrintStream out;
    private final long total;
    private final LongSupplier done;
    private final IntSupplier open;
    private final long started = System.nanoTime();
    private long last = started;
    private boolean drawn;

    ProgressBar(PrintStream out, long total, LongSupplier done, IntSupplier open) {
        this.out = out;
        this.total = total;
        this.done = done;
        this.open = open;
    }

    /** Whether file descriptor {@code fd} of this process is a terminal (Linux; false elsewhere). */
    static boolean isTerminal(int fd) {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty");
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    void tick() {
        long now = System.nanoTime();
        if (now - last < EVERY_NANOS) {
            return;
        }
        last = now;
        long d = Math.min(done.getAsLong(), total);
        int percent = total == 0 ? 100 : (int) (d * 100 / total);
        int filled = total == 0 ? WIDTH : (int) (d * WIDTH / total);
        double seconds = (now - started) / 1e9;
        out.print("\r[" + "#".repeat(filled) + " ".repeat(WIDTH - filled) + "] " + String.format("%3d%%", percent) + "  "
                + ConsoleFormat.bytes(d) + " of " + ConsoleFormat.bytes(total) + "  "
                + ConsoleFormat.bytes((long) (d / Math.max(seconds, 1e-3))) + "/s  " + open.getAsInt() + " open connections\033[K");
        out.flush();
        drawn = true;
    }

    /** Clears the line. */
    void done() {
        if (drawn) {
            out.print("\r\033[K");
            out.flush();
        }
    }
}

package io.plainsight.testing;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real external program (curl, openssl, nginx, tshark, tcpdump...) started for a test.
 *
 * <p>stdout and stderr go to files in a fresh temp dir (never to pipes, so a chatty program can not
 * block on a full pipe). {@link #close()} stops only this process and its descendants, found through
 * {@link ProcessHandle#descendants()}; nothing is ever killed by name.
 *
 * <pre>{@code
 * ExternalProcess.Result r = ExternalProcess.run(Duration.ofSeconds(30), "openssl", "version");
 * try (ExternalProcess p = ExternalProcess.builder("tcpdump", "-i", "lo").start()) {
 *     p.awaitStderr("listening on", Duration.ofSeconds(10));
 *     ...
 *     p.signal("INT");
 *     ExternalProcess.Result done = p.waitFor(Duration.ofSeconds(10));
 * }
 * }</pre>
 */
public final class ExternalProcess implements AutoCloseable {

    /** How long {@link #close()} waits after SIGTERM before it kills forcibly. */
    private static final Duration GRACE = Duration.ofSeconds(5);

    /**
     * What a finished process left behind.
     *
     * @param command the command line, for messages
     * @param exitCode the exit code
     * @param stdout stdout decoded as UTF-8
     * @param stderr stderr decoded as UTF-8
     * @param stdoutBytes stdout exactly as written
     */
    public record Result(List<String> command, int exitCode, String stdout, String stderr,
            byte[] stdoutBytes) {

        /** Returns this result, or throws an AssertionError naming the command, exit code and stderr. */
        public Result assertSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("command failed with exit code " + exitCode + ": "
                        + String.join(" ", command) + "\n--- stderr ---\n" + stderr);
            }
            return this;
        }

        @Override
        public String toString() {
            return "Result[" + String.join(" ", command) + " -> exit " + exitCode + ", "
                    + stdoutBytes.length + " bytes stdout, stderr=" + stderr.strip() + "]";
        }
    }

    /** Builds a process: command, environment overrides, working directory. */
    public static final class Builder {
        private final List<String> command;
        private final Map<String, String> env = new LinkedHashMap<>();
        private final List<String> removedEnv = new ArrayList<>();
        private Path directory;

        private Builder(List<String> command) {
            if (command.isEmpty()) {
                throw new IllegalArgumentException("empty command");
            }
            this.command = List.copyOf(command);
        }

        /** Sets (overrides) one environment variable. */
        public Builder env(String name, String value) {
            env.put(name, value);
            return this;
        }

        /** Removes one environment variable inherited from the JVM. */
        public Builder unsetEnv(String name) {
            removedEnv.add(name);
            return this;
        }

        /** Sets the working directory (default: the JVM's). */
        public Builder directory(Path dir) {
            this.directory = dir;
            return this;
        }

        /** Starts the process. */
        public ExternalProcess start() {
            return new ExternalProcess(this);
        }
    }

    private final List<String> command;
    private final Process process;
    private final Path stdoutFile;
    private final Path stderrFile;

    private ExternalProcess(Builder b) {
        this.command = b.command;
        Path dir = TestFiles.newDir("proc-" + sanitize(Path.of(command.get(0)).getFileName().toString()));
        this.stdoutFile = dir.resolve("stdout");
        this.stderrFile = dir.resolve("stderr");
        ProcessBuilder pb = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(nullDevice()))
                .redirectOutput(stdoutFile.toFile())
                .redirectError(stderrFile.toFile());
        b.removedEnv.forEach(pb.environment()::remove);
        pb.environment().putAll(b.env);
        if (b.directory != null) {
            pb.directory(b.directory.toFile());
        }
        try {
            this.process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + String.join(" ", command), e);
        }
    }

    /** A builder for {@code command}. */
    public static Builder builder(List<String> command) {
        return new Builder(command);
    }

    /** A builder for {@code command}. */
    public static Builder builder(String... command) {
        return new Builder(Arrays.asList(command));
    }

    /** Starts {@code command} with the JVM's environment and working directory. */
    public static ExternalProcess start(List<String> command) {
        return builder(command).start();
    }

    /**
     * Runs a command to completion and requires exit code 0. Throws an AssertionError naming the
     * command, the exit code (or the timeout) and stderr otherwise.
     */
    public static Result run(Duration timeout, String... command) {
        return exec(timeout, command).assertSuccess();
    }

    /**
     * Runs a command to completion and returns its result whatever the exit code. Throws an
     * AssertionError (naming the command and stderr so far) only when the timeout passes; the
     * process is then destroyed.
     */
    public static Result exec(Duration timeout, String... command) {
        try (ExternalProcess p = start(Arrays.asList(command))) {
            return p.waitFor(timeout);
        }
    }

    /** The command line. */
    public List<String> command() {
        return command;
    }

    /** The operating-system process id. */
    public long pid() {
        return process.pid();
    }

    /** The underlying process handle. */
    public ProcessHandle handle() {
        return process.toHandle();
    }

    /** Whether the process is still running. */
    public boolean isAlive() {
        return process.isAlive();
    }

    /** The file stdout is written to. */
    public Path stdoutFile() {
        return stdoutFile;
    }

    /** The file stderr is written to. */
    public Path stderrFile() {
        return stderrFile;
    }

    /** What the process has written to stdout so far. */
    public String stdoutSoFar() {
        return readString(stdoutFile);
    }

    /** What the process has written to stderr so far. */
    public String stderrSoFar() {
        return readString(stderrFile);
    }

    /**
     * Waits for the process to exit and returns its result. Throws an AssertionError naming the
     * command and its stderr so far if it is still running after {@code timeout} (the process is
     * left running; {@link #close()} stops it).
     */
    public Result waitFor(Duration timeout) {
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("command still running after " + timeout + ": "
                        + String.join(" ", command) + "\n--- stderr so far ---\n" + stderrSoFar());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + String.join(" ", command), e);
        }
        byte[] out = readBytes(stdoutFile);
        return new Result(command, process.exitValue(), new String(out, StandardCharsets.UTF_8),
                stderrSoFar(), out);
    }

    /**
     * Waits until stderr contains {@code needle}. Throws an AssertionError (with stderr) if the
     * process exits first or the timeout passes.
     */
    public void awaitStderr(String needle, Duration timeout) {
        awaitOutput(stderrFile, needle, timeout);
    }

    /** Waits until stdout contains {@code needle}; see {@link #awaitStderr}. */
    public void awaitStdout(String needle, Duration timeout) {
        awaitOutput(stdoutFile, needle, timeout);
    }

    private void awaitOutput(Path file, String needle, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (readString(file).contains(needle)) {
                return;
            }
            if (!process.isAlive()) {
                if (readString(file).contains(needle)) {
                    return;
                }
                throw new AssertionError("command exited (code " + process.exitValue() + ") before printing \""
                        + needle + "\": " + String.join(" ", command) + "\n--- stderr ---\n" + stderrSoFar()
                        + "\n--- stdout ---\n" + stdoutSoFar());
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("command did not print \"" + needle + "\" within " + timeout + ": "
                        + String.join(" ", command) + "\n--- stderr ---\n" + stderrSoFar());
            }
            sleep(20);
        }
    }

    /**
     * Sends a signal such as {@code "INT"}, {@code "TERM"} or {@code "HUP"} to this process only (not to
     * its descendants), with {@code kill -SIG PID}.
     */
    public void signal(String signal) {
        if (!process.isAlive()) {
            return;
        }
        Result r = exec(Duration.ofSeconds(10), "kill", "-" + signal, Long.toString(process.pid()));
        if (r.exitCode() != 0 && process.isAlive()) {
            throw new AssertionError("kill -" + signal + " " + process.pid() + " failed: " + r.stderr());
        }
    }

    /**
     * Stops this process and its descendants: SIGTERM to the process, a grace period, SIGTERM to
     * descendants still running, then SIGKILL to whatever is left. Idempotent.
     */
    @Override
    public void close() {
        List<ProcessHandle> descendants = process.descendants().collect(Collectors.toList());
        if (process.isAlive()) {
            process.destroy();
            awaitExit(process.toHandle(), GRACE.dividedBy(2));
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroy();
            }
        }
        long deadline = System.nanoTime() + GRACE.dividedBy(2).toNanos();
        for (ProcessHandle h : Stream.concat(Stream.of(process.toHandle()), descendants.stream()).toList()) {
            long left = Math.max(0, deadline - System.nanoTime());
            if (!awaitExit(h, Duration.ofNanos(left))) {
                h.destroyForcibly();
                awaitExit(h, Duration.ofSeconds(2));
            }
        }
    }

    private static boolean awaitExit(ProcessHandle h, Duration timeout) {
        try {
            h.onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (java.util.concurrent.TimeoutException e) {
            return !h.isAlive();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !h.isAlive();
        } catch (java.util.concurrent.ExecutionException e) {
            return !h.isAlive();
        }
    }

    // ---- tools ----

    /**
     * Finds a tool on the PATH (plus /usr/sbin, /sbin, /usr/local/sbin, where nginx and tcpdump live
     * but which a non-root PATH often lacks) and returns its absolute path.
     *
     * <p>If it is missing the test is skipped with a clear message, except when the environment
     * variable {@code CI} is {@code "true"}: there a missing tool is a failure ("tool X not installed;
     * .ci/run should install it").
     */
    public static Path requireTool(String name) {
        Optional<Path> found = findTool(name);
        if (found.isPresent()) {
            return found.get();
        }
        String message = "tool " + name + " not installed; .ci/run should install it";
        if ("true".equals(System.getenv("CI"))) {
            throw new AssertionError(message);
        }
        Assumptions.abort(message + " (skipping: not running in CI)");
        throw new IllegalStateException("unreachable");
    }

    /** Finds a tool like {@link #requireTool} but without skipping or failing. */
    public static Optional<Path> findTool(String name) {
        if (name.contains("/")) {
            Path p = Path.of(name);
            return Files.isExecutable(p) ? Optional.of(p.toAbsolutePath()) : Optional.empty();
        }
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(Arrays.asList(path.split(File.pathSeparator)));
        }
        dirs.addAll(List.of("/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/local/bin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(d, name);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /** Whether the JVM runs as root (uid 0). */
    public static boolean isRoot() {
        try {
            Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            return Integer.valueOf(0).equals(uid);
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    // ---- helpers ----

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    private static File nullDevice() {
        return new File(System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
    }

    private static String sanitize(String s) {
        return s.replaceAll("[^A-Za-z0-9._-]", "_");
    }

    private static byte[] readBytes(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static String readString(Path file) {
        return new String(readBytes(file), StandardCharsets.UTF_8);
    }
}

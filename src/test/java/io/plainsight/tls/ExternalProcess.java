package io.plainsight.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs an external tool (openssl, curl) with a timeout; only the process started here is killed. */
public final class ExternalProcess implements AutoCloseable {
    /** Exit code and merged stdout+stderr of a finished run. */
    public record Result(int exitCode, String output) {
    }

    private final Process process;
    private final CompletableFuture<String> output;

    private ExternalProcess(Process process) {
        this.process = process;
        this.output = CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
    }

    /** Starts {@code command} in {@code dir} with stdin empty and stderr merged into stdout. */
    public static ExternalProcess start(Path dir, List<String> command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (dir != null) {
            pb.directory(dir.toFile());
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new ExternalProcess(pb.start());
    }

    /** Runs {@code command} to completion, killing it after {@code timeout}. */
    public static Result run(Path dir, Duration timeout, String... command) throws IOException, InterruptedException {
        try (ExternalProcess p = start(dir, List.of(command))) {
            return p.await(timeout);
        }
    }

    /** Waits for the process to end (killing it after {@code timeout}) and returns its result. */
    public Result await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
            throw new AssertionError("timed out after " + timeout + ": " + process.info().commandLine().orElse("?")
                    + "\noutput so far: " + output.getNow("(unread)"));
        }
        return new Result(process.exitValue(), output.join());
    }

    /** Output so far is not available; the whole output once the process ended. */
    public String outputWhenDone() {
        return output.join();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(3, TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(3, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String readAll(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(output unreadable: " + e + ")";
        }
    }
}

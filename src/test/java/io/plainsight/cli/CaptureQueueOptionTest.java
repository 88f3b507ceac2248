package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.event.CaptureBus;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * --capture-queue (each output's queue) and --overflow: parsed as sizes and policies, and a bad
 * value stops start-up with exit code 2 and a message naming the option before any output is
 * opened (no PCAP directory or file left behind), live and in {@code decrypt}.
 */
class CaptureQueueOptionTest {
    @TempDir
    Path tmp;

    record Exit(int code, String err) {}

    Exit run(List<String> args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));
        return new Exit(code, err.toString(StandardCharsets.UTF_8));
    }

    /** {@code reverse} writing PCAP into {@code pcaps} with {@code extra}: it must stop at start-up. */
    Exit reverse(Path pcaps, String... extra) {
        List<String> args = new ArrayList<>(List.of("reverse", "--home", tmp.resolve("home").toString(), "--listen", "127.0.0.1:0",
                "--connect", "127.0.0.1:9", "--pcap-dir", pcaps.toString(), "-q"));
        args.addAll(List.of(extra));
        return run(args);
    }

    static long queueBytes(String... args) {
        CaptureOptions o = new CaptureOptions();
        new CommandLine(o).parseArgs(args);
        return o.queueBytes();
    }

    @Test
    void sizesAreParsedWithTheirUnitsAndTheDefaultIsTheBusDefault() {
        assertThat(queueBytes()).isEqualTo(CaptureBus.DEFAULT_QUEUE_BYTES);
        assertThat(queueBytes("--capture-queue", "32MiB")).isEqualTo(32L << 20);
        assertThat(queueBytes("--capture-queue", "100MB")).isEqualTo(100_000_000L);
        assertThat(queueBytes("--capture-queue", "1GiB")).isEqualTo(1L << 30);
        assertThat(queueBytes("--capture-queue", "1048576")).isEqualTo(1L << 20);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badValuesStopStartUpBeforeAnyOutputIsOpened() {
        Path pcaps = tmp.resolve("pcaps");
        Exit e = reverse(pcaps, "--capture-queue", "512KiB");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --capture-queue '512KiB': expected 1MiB to 1GiB\n");

        e = reverse(pcaps, "--capture-queue", "2GiB");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --capture-queue '2GiB': expected 1MiB to 1GiB\n");

        e = reverse(pcaps, "--capture-queue", "lots");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --capture-queue 'lots': expected a size like 0, 4096, 64KiB, 1MiB or 10MB\n");

        e = reverse(pcaps, "--overflow", "sideways");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --overflow 'sideways': expected block or drop\n");

        assertThat(pcaps).as("no output was opened").doesNotExist();
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void decryptChecksThemBeforeWritingAndDecryptsTheSameWithAnyQueue() throws Exception {
        String capture = WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap").toString();
        String keylog = WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys").toString();
        Path bad = tmp.resolve("bad.pcap");
        Exit e = run(List.of("decrypt", capture, "--keylog", keylog, "--pcap", bad.toString(),
                "-q", "--report", "none", "--capture-queue", "0"));
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --capture-queue '0': expected 1MiB to 1GiB\n");
        assertThat(bad).as("no output was opened").doesNotExist();

        Path small = tmp.resolve("small.pcap");
        Path usual = tmp.resolve("usual.pcap");
        assertThat(run(List.of("decrypt", capture, "--keylog", keylog, "--pcap", small.toString(),
                "-q", "--report", "none", "--capture-queue", "1MiB")).code()).isZero();
        assertThat(run(List.of("decrypt", capture, "--keylog", keylog, "--pcap", usual.toString(),
                "-q", "--report", "none")).code()).isZero();
        assertThat(Files.size(small)).isPositive();
        assertThat(Files.readAllBytes(small)).isEqualTo(Files.readAllBytes(usual));
    }
}

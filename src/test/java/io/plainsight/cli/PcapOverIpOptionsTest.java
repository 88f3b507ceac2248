package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.FreePort;
import io.plainsight.sink.pcapoverip.PcapOverIpSettings;
import io.plainsight.testing.PcapStreamClient;
import io.plainsight.testing.PcapStreamListener;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * --pcap-over-ip, --pcap-over-ip-connect and --pcap-over-ip-lossless on the command line: bad
 * values stop start-up with exit code 2 and a message naming the option; in {@code decrypt}, a
 * reader of the stream gets exactly the bytes of the decrypted PCAP file.
 */
class PcapOverIpOptionsTest {
    @TempDir
    Path tmp;

    record Exit(int code, String err) {}

    /** {@code reverse} with {@code extra}: it must stop at start-up (the timeout guards against it running). */
    Exit reverse(String... extra) {
        List<String> args = new ArrayList<>(List.of("reverse", "--home", tmp.resolve("home").toString(), "--listen", "127.0.0.1:0",
                "--connect", "127.0.0.1:9", "--no-pcap", "-q"));
        args.addAll(List.of(extra));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));
        return new Exit(code, err.toString(StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badValuesStopStartUpWithExitCode2NamingTheOption() throws IOException {
        Exit e = reverse("--pcap-over-ip", "70000");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip '70000': port 70000 is out of range 0-65535\n");

        e = reverse("--pcap-over-ip", "127.0.0.1:http");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip '127.0.0.1:http': port 'http' is not a number\n");

        e = reverse("--pcap-over-ip", "no-such-host.invalid:57012");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip 'no-such-host.invalid:57012': unknown host 'no-such-host.invalid'\n");

        e = reverse("--pcap-over-ip-connect", "no-such-host.invalid:57012");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith(
                "plainsight: --pcap-over-ip-connect 'no-such-host.invalid:57012': unknown host 'no-such-host.invalid'\n");

        e = reverse("--pcap-over-ip-connect", "57012");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip-connect '57012': expected HOST:PORT\n");

        e = reverse("--pcap-over-ip-connect", "127.0.0.1:0");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip-connect '127.0.0.1:0': port 0 is out of range 1-65535\n");

        e = reverse("--pcap-over-ip-lossless");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip-lossless needs --pcap-over-ip or --pcap-over-ip-connect\n");

        e = reverse("--pcap-over-ip", "0", "--pcap-over-ip-buffer", "64KiB");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip-buffer '64KiB': expected 256KiB to 1GiB\n");

        e = reverse("--pcap-over-ip-buffer", "64MiB");
        assertThat(e.code()).isEqualTo(2);
        assertThat(e.err()).startsWith("plainsight: --pcap-over-ip-buffer needs --pcap-over-ip or --pcap-over-ip-connect\n");

        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            e = reverse("--pcap-over-ip", Integer.toString(taken.getLocalPort()));
            assertThat(e.code()).isEqualTo(2);
            assertThat(e.err()).startsWith("plainsight: --pcap-over-ip 127.0.0.1:" + taken.getLocalPort()
                    + ": cannot listen there: address already in use\n");
        }
    }

    @CommandLine.Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin
        CaptureOptions capture;
    }

    static PcapOverIpSettings settings(String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        CaptureOptions o = h.capture;
        return PcapOverIpAddresses.settings(o.pcapOverIp, o.pcapOverIpConnect, o.pcapOverIpLossless, o.pcapOverIpBuffer);
    }

    @Test
    void valuesAndDefaults() {
        assertThat(settings()).isNull();
        PcapOverIpSettings s = settings("--pcap-over-ip", "57012");
        assertThat(s.listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 57012));
        assertThat(s.connect()).isEmpty();
        assertThat(s.lossless()).isFalse();
        assertThat(s.bufferBytes()).isEqualTo(8L << 20);
        assertThat(s.firstRetry()).isEqualTo(Duration.ofSeconds(1));
        assertThat(s.maxRetry()).isEqualTo(Duration.ofSeconds(30));
        s = settings("--pcap-over-ip", "[::1]:0", "--pcap-over-ip-connect", "localhost:57012",
                "--pcap-over-ip-connect", "127.0.0.2:57013", "--pcap-over-ip-lossless", "--pcap-over-ip-buffer", "64MiB");
        assertThat(s.listen()).isEqualTo(new InetSocketAddress("::1", 0));
        assertThat(s.connect()).containsExactly(InetSocketAddress.createUnresolved("localhost", 57012),
                InetSocketAddress.createUnresolved("127.0.0.2", 57013));
        assertThat(s.lossless()).isTrue();
        assertThat(s.bufferBytes()).isEqualTo(64L << 20);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void decryptPushesExactlyTheBytesOfItsPcapFileToAListener() throws Exception {
        try (PcapStreamListener listener = PcapStreamListener.start(0, tmp, "pushed")) {
            DecryptRun run = DecryptRun.into(tmp, WiresharkTlsCorpus.capture("rsasnakeoil2.pcap").toString(),
                    "--rsa-key", WiresharkTlsCorpus.key("rsasnakeoil2.key").toString(),
                    "--pcap-over-ip-connect", "127.0.0.1:" + listener.port());
            assertThat(run.exitCode()).as(run.err()).isZero();
            listener.awaitEnded(1, Duration.ofSeconds(30));
            byte[] file = Files.readAllBytes(run.pcap());
            assertThat(file.length).isGreaterThan(1000);
            assertThat(Files.readAllBytes(listener.connections().get(0).file())).isEqualTo(file);
            assertThat(listener.connections()).hasSize(1);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void decryptFromStdinStreamsExactlyTheBytesOfItsPcapFile() throws Exception {
        // the stream is a copy of the PCAP sink's frames
        streamOfDecryptFromStdin(tmp, null);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void withoutAPcapFileTheStreamHasTheSameBytesAsThePcapFileWouldHave() throws Exception {
        // no PCAP sink to follow: the PCAP-over-IP sink makes the frames itself
        Path reference = Files.createDirectories(tmp.resolve("reference"));
        DecryptRun ref = DecryptRun.into(reference, WiresharkTlsCorpus.capture("rsasnakeoil2.pcap").toString(),
                "--rsa-key", WiresharkTlsCorpus.key("rsasnakeoil2.key").toString());
        assertThat(ref.exitCode()).as(ref.err()).isZero();
        streamOfDecryptFromStdin(tmp, Files.readAllBytes(ref.pcap()));
    }

    /** Decrypts rsasnakeoil2 from stdin with a reader connected; its stream must equal {@code expected}, or the run's own PCAP file when null (--no-pcap otherwise). */
    private static void streamOfDecryptFromStdin(Path tmp, byte[] expected) throws Exception {
        Path capture = WiresharkTlsCorpus.capture("rsasnakeoil2.pcap");
        String key = WiresharkTlsCorpus.key("rsasnakeoil2.key").toString();
        byte[] input = Files.readAllBytes(capture);
        int port = FreePort.tcp();
        PipedOutputStream feed = new PipedOutputStream();
        PipedInputStream stdin = new PipedInputStream(feed, 64 << 10);
        List<String> args = new ArrayList<>(List.of("-", "--rsa-key", key, "--pcap-over-ip", "127.0.0.1:" + port));
        if (expected != null) {
            args.add("--no-pcap");
        }
        CompletableFuture<DecryptRun> run = CompletableFuture.supplyAsync(() -> DecryptRun.into(tmp, stdin, args.toArray(String[]::new)));
        // the outputs open once the input is known to be a capture: its global header first
        feed.write(input, 0, 24);
        feed.flush();
        try (PcapStreamClient reader = connectWhenListening(new InetSocketAddress("127.0.0.1", port), tmp.resolve("stream.pcap"))) {
            reader.awaitBytes(24, Duration.ofSeconds(30)); // it has joined
            feed.write(input, 24, input.length - 24);
            feed.close();
            DecryptRun done = run.get(90, TimeUnit.SECONDS);
            assertThat(done.exitCode()).as(done.err()).isZero();
            assertThat(reader.awaitEnd(Duration.ofSeconds(30))).isEqualTo("EOF");
            assertThat(Files.exists(done.pcap())).isEqualTo(expected == null);
            byte[] file = expected != null ? expected : Files.readAllBytes(done.pcap());
            assertThat(file.length).isGreaterThan(1000);
            assertThat(Files.readAllBytes(reader.file())).isEqualTo(file);
            assertThat(new Tshark().fieldLines(reader.file(), "http.request", "http.request.uri")).isNotEmpty();
        }
    }

    private static PcapStreamClient connectWhenListening(InetSocketAddress at, Path file) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                return PcapStreamClient.connect(at, file);
            } catch (UncheckedIOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}

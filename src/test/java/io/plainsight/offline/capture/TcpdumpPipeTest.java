package io.plainsight.offline.capture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.plainsight.testing.ExternalProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tcpdump -U -w - | plainsight decrypt - ...} for real: the reader reads tcpdump's stdout
 * while tcpdump runs, and a message sent over the loopback comes out as a segment before the next
 * one is sent. Needs root or CAP_NET_RAW: skipped without (failed in CI, where {@code CI=true}).
 */
class TcpdumpPipeTest {
    @TempDir
    Path tmp;

    @Test
    void segmentsComeOutWhileTcpdumpIsStillCapturing() throws Exception {
        Path tcpdump = ExternalProcess.requireTool("tcpdump");
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = server.getLocalPort();
            Path stderr = tmp.resolve("tcpdump.err");
            List<String> cmd = new ArrayList<>(List.of(tcpdump.toString(), "-i", "lo", "-n", "-s", "0", "--immediate-mode",
                    "-U", "-w", "-"));
            if (ExternalProcess.isRoot()) {
                cmd.addAll(List.of("-Z", "root"));
            }
            cmd.addAll(List.of("tcp", "port", String.valueOf(port)));
            Process p = new ProcessBuilder(cmd).redirectError(stderr.toFile()).start();
            try {
                awaitListening(p, stderr);
                try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                        Socket accepted = server.accept()) {
                    OutputStream out = client.getOutputStream();
                    out.write("first message\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    // the pcap header and the first packets are in the pipe now; open() reads the header
                    Recorder r = new Recorder();
                    try (CaptureReader reader = CaptureReader.open(p.getInputStream(), "tcpdump")) {
                        readUntil(reader, r, "first message\n");
                        assertThat(p.isAlive()).isTrue();
                        out.write("second message\n".getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                        readUntil(reader, r, "second message\n");
                        accepted.getInputStream().readNBytes(29);
                        assertThat(r.segmentRecords).allMatch(s -> s.srcPort() == port || s.dstPort() == port);
                        assertThat(r.segmentRecords.get(0).flags()).isEqualTo(TcpSegment.SYN);
                        assertThat(r.warnings).isEmpty();
                        // SIGINT: tcpdump ends its output and the reader sees a clean end (Process.destroy() would
                        // also close our end of the pipe)
                        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
                        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> reader.readAll(r));
                        assertThat(r.warnings).isEmpty();
                    }
                }
            } finally {
                p.destroyForcibly();
                p.waitFor();
            }
        }
    }

    /** Reads records until a segment carries {@code text}; a reader that waits for more than has arrived times out. */
    private static void readUntil(CaptureReader reader, Recorder r, String text) {
        assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            while (r.payloads.stream().noneMatch(b -> new String(b, StandardCharsets.US_ASCII).equals(text))) {
                assertThat(reader.next(r)).as("the stream ended before \"%s\"", text.strip()).isTrue();
            }
        }, "no segment with \"" + text.strip() + "\": the reader waits for bytes that have not come");
    }

    private static void awaitListening(Process p, Path stderr) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            String err = Files.exists(stderr) ? Files.readString(stderr) : "";
            if (err.contains("listening on")) {
                return;
            }
            if (!p.isAlive()) {
                if ((err.contains("ermission") || err.contains("not permitted")) && !"true".equals(System.getenv("CI"))) {
                    Assumptions.abort("tcpdump may not capture here (needs root or CAP_NET_RAW): " + err.strip());
                }
                throw new AssertionError("tcpdump exited: " + err);
            }
            Thread.sleep(50);
        }
        throw new AssertionError("tcpdump did not start listening: " + Files.readString(stderr));
    }
}

package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs tshark (or capinfos) as the independent reader of what we write. */
final class Tshark {
    private Tshark() {}

    record Result(int exit, String stdout, String stderr) {
        Result ok() {
            assertThat(exit).as("exit code; stderr: %s", stderr).isZero();
            return this;
        }

        List<String> lines() {
            return stdout.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    static Result tshark(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("tshark");
        cmd.addAll(Arrays.asList(args));
        return run(cmd);
    }

    static Result run(List<String> cmd) {
        try {
            Path config = Files.createTempDirectory("wireshark-config");
            Path out = Files.createTempFile("tshark", ".out");
            Path err = Files.createTempFile("tshark", ".err");
            try {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                pb.environment().put("WIRESHARK_CONFIG_DIR", config.toString());
                pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.PIPE);
                Process p = pb.start();
                p.getOutputStream().close();
                if (!p.waitFor(180, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out: " + cmd);
                }
                return new Result(p.exitValue(), Files.readString(out, StandardCharsets.ISO_8859_1),
                        Files.readString(err, StandardCharsets.UTF_8));
            } finally {
                Files.deleteIfExists(out);
                Files.deleteIfExists(err);
                deleteTree(config);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Checksums verified and valid, and nothing flagged by TCP analysis. */
    static void assertCleanCapture(Path file) {
        String f = file.toString();
        // the filter from the brief (status 2 = unverified) ...
        assertThat(tshark("-r", f, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                        "-Y", "ip.checksum.status==2 || tcp.checksum.status==2 || tcp.analysis.flags").ok().stdout())
                .as("unverified checksums or TCP analysis flags in %s", f).isBlank();
        // ... and the stricter one: every checksum present is good (status 1), none bad (0)
        List<String> statuses = tshark("-r", f, "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                        "-T", "fields", "-E", "separator=,", "-e", "ip.checksum.status", "-e", "tcp.checksum.status")
                .ok().lines();
        assertThat(statuses).isNotEmpty();
        for (String s : statuses) {
            String[] parts = s.split(",", -1);
            assertThat(parts[0]).as("ip checksum status").isIn("", "1");
            assertThat(parts[1]).as("tcp checksum status").isEqualTo("1");
        }
    }

    /**
     * The payload of TCP stream {@code stream}, per direction, as tshark's "follow,tcp,raw"
     * reassembles it: [0] client to server, [1] server to client.
     */
    static byte[][] follow(Path file, int stream) {
        Result r = tshark("-r", file.toString(), "-q", "-z", "follow,tcp,raw," + stream).ok();
        java.io.ByteArrayOutputStream[] dirs = {new java.io.ByteArrayOutputStream(), new java.io.ByteArrayOutputStream()};
        boolean in = false;
        for (String line : r.stdout().split("\n")) {
            if (line.startsWith("Node 1:")) {
                in = true;
                continue;
            }
            if (!in) {
                continue;
            }
            if (line.startsWith("====")) {
                break;
            }
            int d = line.startsWith("\t") ? 1 : 0;
            byte[] bytes = java.util.HexFormat.of().parseHex(line.strip());
            dirs[d].writeBytes(bytes);
        }
        return new byte[][] {dirs[0].toByteArray(), dirs[1].toByteArray()};
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var s = Files.walk(dir)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --pcap -}: the capture goes to standard output (checked in a separate JVM). */
class StdoutTest {
    @TempDir Path tmp;

    @Test
    void writesAReadableCaptureToStandardOutput() throws Exception {
        Path out = tmp.resolve("stdout.pcap");
        String java = ProcessHandle.current().info().command().orElse("java");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), StdoutProbe.class.getName())
                .redirectOutput(out.toFile())
                .redirectError(tmp.resolve("stderr.txt").toFile());
        Process p = pb.start();
        assertThat(p.waitFor()).isZero();
        Tshark.assertCleanCapture(out);
        assertThat(Tshark.tshark("-r", out.toString(), "-Y", "http", "-T", "fields", "-e", "http.request.uri",
                        "-e", "http.response.code").ok().lines())
                .containsExactly("/1\t", "\t200");
        assertThat(Tshark.run(List.of("capinfos", out.toString())).exit()).isZero();
    }
}

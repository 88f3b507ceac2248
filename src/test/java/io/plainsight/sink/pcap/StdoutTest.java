package io.plainsight.sink.pcap;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.Tshark;
import java.nio.file.Path;
import java.time.Duration;
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
        Tshark tshark = new Tshark();
        tshark.assertChecksumsAndTcpAnalysisClean(out);
        assertThat(tshark.fieldLines(out, "http", "http.request.uri", "http.response.code"))
                .containsExactly("/1\t", "\t200");
        ExternalProcess.run(Duration.ofSeconds(60), "capinfos", out.toString());
    }
}

package io.plainsight.sink.exchange;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputFileTest {
    @TempDir
    Path dir;

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void aLongerOldFileIsStartedAfreshNotOverwrittenInPlace() throws IOException {
        // a HAR written over a longer one from an earlier run must not keep the old tail
        Path f = Files.writeString(dir.resolve("out.har"), "x".repeat(1000));
        OutputFile out = new OutputFile(f.toString(), "HAR");
        assertThat(out.write(0, ascii("{\"log\":{}}"))).isTrue();
        out.close();
        assertThat(Files.readString(f)).isEqualTo("{\"log\":{}}");
    }

    @Test
    void appendingKeepsWhatIsThere() throws IOException {
        Path f = Files.writeString(dir.resolve("audit.log"), "old\n");
        OutputFile out = OutputFile.appending(f.toString(), "audit log");
        assertThat(out.write(0, ascii("new\n"))).isTrue();
        out.close();
        assertThat(Files.readString(f)).isEqualTo("old\nnew\n");
    }

    @Test
    void anUnwritablePathIsNamedWithItsCauseOnceAndTheBytesAreWrittenWhenItHeals() throws IOException {
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path f = blocker.resolve("flows.jsonl");
        OutputFile out = new OutputFile(f.toString(), "flow log");
        try (io.plainsight.sink.pcap.LogCapture logs = new io.plainsight.sink.pcap.LogCapture("plainsight")) {
            assertThat(out.write(0, ascii("a\n"))).isFalse();
            assertThat(out.write(0, ascii("a\n"))).isFalse();
            assertThat(logs.at(ch.qos.logback.classic.Level.WARN)).singleElement().asString()
                    .contains("flow log output " + f).contains("cannot write: ").contains(blocker.toString())
                    .doesNotEndWith("cannot write: " + f + "; will retry");
        }
        assertThat(out.failures()).isEqualTo(2);
        out.close();
    }
}

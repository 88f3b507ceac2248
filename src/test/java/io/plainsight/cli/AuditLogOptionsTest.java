package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plainsight.sink.auditlog.AuditEngine;
import io.plainsight.sink.auditlog.AuditFormat;
import io.plainsight.sink.auditlog.AuditLogSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The --audit-* options: defaults, values, and bad values named in the message. */
class AuditLogOptionsTest {
    @TempDir
    Path tmp;

    @CommandLine.Command(name = "t")
    static final class Holder {
        @CommandLine.Mixin
        CaptureOptions capture;
    }

    static AuditLogSettings settings(String... args) {
        Holder h = new Holder();
        new CommandLine(h).parseArgs(args);
        return h.capture.auditLogSettings();
    }

    @Test
    void withoutAuditLogThereIsNoneAndTheDefaultsAreModSecuritys() {
        assertThat(settings()).isNull();
        AuditLogSettings s = settings("--audit-log", "a.log");
        assertThat(s.parts().toString()).isEqualTo("ABCFHZ");
        assertThat(s.engine()).isEqualTo(AuditEngine.ON);
        assertThat(s.format()).isEqualTo(AuditFormat.NATIVE);
        assertThat(s.relevantStatus().pattern()).isEqualTo("^(?:5|4(?!04))");
        assertThat(s.storageDir()).isNull();
    }

    @Test
    void valuesAreReadCaseInsensitively() {
        AuditLogSettings s = settings("--audit-log", "a.log", "--audit-parts", "abfhkz", "--audit-engine", "relevantonly",
                "--audit-relevant-status", "^5", "--audit-format", "JSON", "--audit-storage-dir", "store");
        assertThat(s.parts().toString()).isEqualTo("ABFHKZ");
        assertThat(s.engine()).isEqualTo(AuditEngine.RELEVANT_ONLY);
        assertThat(s.relevantStatus().pattern()).isEqualTo("^5");
        assertThat(s.format()).isEqualTo(AuditFormat.JSON);
        assertThat(s.storageDir()).isEqualTo(Path.of("store"));
    }

    @Test
    void badValuesNameTheirOption() {
        assertThatThrownBy(() -> settings("--audit-log", "a", "--audit-parts", "ABX"))
                .hasMessage("--audit-parts 'ABX': 'X' is not an audit log part; expected letters from ABCDEFGHIJKZ");
        assertThatThrownBy(() -> settings("--audit-log", "a", "--audit-engine", "Sometimes"))
                .hasMessage("--audit-engine 'Sometimes': expected On or RelevantOnly");
        assertThatThrownBy(() -> settings("--audit-log", "a", "--audit-relevant-status", "(5"))
                .hasMessageStartingWith("--audit-relevant-status '(5': not a regular expression");
        assertThatThrownBy(() -> settings("--audit-log", "a", "--audit-format", "xml"))
                .hasMessage("--audit-format 'xml': expected native or json");
        assertThatThrownBy(() -> settings("--audit-parts", "ABC")).hasMessage("--audit-parts needs --audit-log FILE");
        assertThatThrownBy(() -> settings("--audit-storage-dir", "d")).hasMessage("--audit-storage-dir needs --audit-log FILE");
        assertThatThrownBy(() -> settings("--audit-log", "-", "--audit-storage-dir", "d"))
                .hasMessageContaining("--audit-log is stdout");
    }

    @Test
    void aBadValueStopsStartUpWithExitCode2() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                "reverse", "--home", tmp.resolve("home").toString(), "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:9",
                "--no-pcap", "-q", "--audit-log", tmp.resolve("a.log").toString(), "--audit-engine", "Off");
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("plainsight: --audit-engine 'Off': expected On or RelevantOnly");
        assertThat(tmp.resolve("a.log")).doesNotExist();
    }
}

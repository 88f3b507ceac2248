package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code decrypt --pcapng}: the decrypted streams as PCAPNG (with the encrypted packets: {@link DecryptPcapngEncryptedTest}). */
class DecryptPcapngTest {
    @TempDir Path tmp;

    @Test
    void decryptWritesThePlaintextAsPcapngInsteadOfTheDefaultPcap() {
        Path out = tmp.resolve("out.pcapng");
        DecryptRun run = DecryptRun.decrypt(WiresharkTlsCorpus.capture("tls13-rfc8446.pcap").toString(),
                "--keylog", WiresharkTlsCorpus.key("tls13-rfc8446.keys").toString(), "--pcapng", out.toString(),
                "-q", "--report", "none");
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(Path.of("tls13-rfc8446.decrypted.pcap")).as("no default PCAP beside --pcapng").doesNotExist();
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(out);
        assertThat(tshark.fieldLines(out, "http.request", "frame.interface_name", "http.request.uri")).containsExactly(
                "plainsight offline decrypted\t/first", "plainsight offline decrypted\t/early",
                "plainsight offline decrypted\t/second");
        assertThat(tshark.fieldLines(out, "frame.comment", "tcp.srcport", "frame.comment"))
                .containsExactly("38288\tconnection #0 no sni", "38290\tconnection #1 no sni");
    }
}

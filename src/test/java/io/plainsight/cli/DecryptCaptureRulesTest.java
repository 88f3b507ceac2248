package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.HarChecker;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code decrypt --rules FILE} with connection rules: a {@code capture: off} rule leaves its
 * connections out of every output (PCAP, PCAPNG with the original packets, HAR, connections log,
 * flow log), decided at the connection's start for address rules and after its ClientHello for TLS
 * fields, and the report counts them as filtered out by that rule; a {@code decrypt:} rule is
 * ignored with a warning.
 */
class DecryptCaptureRulesTest {

    /** {@code decrypt CAPTURE KEYS... --rules RULES} with every output into a new folder. */
    static DecryptRun decrypt(Path dir, String capture, String rules, String... keys) throws IOException {
        Path file = Files.writeString(dir.resolve("rules.conf"), rules);
        List<String> args = new ArrayList<>(List.of(WiresharkTlsCorpus.capture(capture).toString()));
        args.addAll(List.of(keys));
        args.addAll(List.of("--rules", file.toString(), "--har", dir.resolve("out.har").toString(), "--connections",
                dir.resolve("connections.jsonl").toString(), "--flows", dir.resolve("flows.jsonl").toString(),
                "--pcapng", dir.resolve("out.pcapng").toString(), "--pcapng-encrypted"));
        DecryptRun run = DecryptRun.into(dir, args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    static List<JsonNode> jsonLines(Path file) throws IOException {
        ObjectMapper om = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            out.add(om.readTree(line));
        }
        return out;
    }

    @Test
    void aCaptureOffRuleOnTheSniLeavesThatConnectionOutOfEveryOutput() throws IOException {
        Path dir = TestFiles.newDir("decrypt-rules");
        DecryptRun run = decrypt(dir, "tls12-dsb.pcapng", "2001 \"not this one\" match tls.sni == \"example.net\" => capture off\n");
        String kept = "10.9.0.2:46800";
        DecryptedPcap.read(run.pcap()).assertMatches(DecryptFilterTest.only("tls12-dsb", kept));
        assertThat(HarChecker.entries(dir.resolve("out.har"))).singleElement()
                .satisfies(e -> assertThat(e.at("/request/url").asText()).isEqualTo("https://example.com/"));
        assertThat(jsonLines(dir.resolve("connections.jsonl"))).singleElement()
                .satisfies(c -> assertThat(c.toString()).contains("example.com").doesNotContain("example.net"));
        assertThat(Files.readString(dir.resolve("flows.jsonl"))).contains("example.com").doesNotContain("example.net");
        Tshark tshark = new Tshark();
        Path pcapng = dir.resolve("out.pcapng");
        assertThat(tshark.fieldLines(pcapng, DecryptPcapngEncryptedTest.ORIGINAL, "tcp.srcport", "tcp.dstport").stream()
                .filter(l -> l.contains("46802"))).as("the original packets of the connection left out").isEmpty();
        assertThat(tshark.fieldLines(pcapng, DecryptPcapngEncryptedTest.ORIGINAL + " && http.request", "http.host"))
                .containsExactly("example.com");

        JsonNode report = run.report();
        assertThat(report.get("connections")).singleElement()
                .satisfies(c -> assertThat(c.get("client").asText()).isEqualTo(kept));
        assertThat(report.at("/summary/filtered_out").asInt()).isEqualTo(1);
        assertThat(report.at("/summary/filtered_out_by_rule/2001").asInt()).isEqualTo(1);
        assertThat(report.at("/summary/decrypted").asInt()).isEqualTo(1);
    }

    @Test
    void aCaptureOffRuleOnAPortDecidesAtTheStartAndTheFirstMatchingRuleWins() throws IOException {
        Path dir = TestFiles.newDir("decrypt-rules");
        DecryptRun run = decrypt(dir, "tls12-chacha20poly1305.pcap", """
                # the first capture rule that matches decides, as in the live modes
                2010 match tcp.srcport == 41836 => capture on
                2011 match ip.dst == 10.42.0.243 => capture off
                """, "--keylog", WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys").toString());
        DecryptedPcap.read(run.pcap()).assertMatches(DecryptFilterTest.only("tls12-chacha20poly1305", "10.42.0.1:41836"));
        assertThat(HarChecker.entries(dir.resolve("out.har"))).hasSize(1);
        assertThat(jsonLines(dir.resolve("connections.jsonl"))).hasSize(1);
        JsonNode report = run.report();
        assertThat(report.at("/summary/filtered_out").asInt()).isEqualTo(6);
        assertThat(report.at("/summary/filtered_out_by_rule/2011").asInt()).isEqualTo(6);
        assertThat(report.at("/summary/decrypted").asInt()).isEqualTo(1);
        assertThat(new Tshark().count(dir.resolve("out.pcapng"), DecryptPcapngEncryptedTest.ORIGINAL + " && !(tcp.port == 41836)"))
                .isZero();
    }

    @Test
    void aDecryptRuleIsIgnoredWithAWarning() throws IOException {
        Path dir = TestFiles.newDir("decrypt-rules");
        DecryptRun run = decrypt(dir, "tls12-dsb.pcapng", "2020 match tls.sni == \"example.net\" => decrypt off\n");
        assertThat(run.strings("warnings")).anySatisfy(w -> assertThat(w)
                .contains("decrypt rules act in the proxy and transparent modes only").contains("decrypt ignores them"));
        DecryptedPcap.read(run.pcap()).assertMatches(StreamsTsv.load("tls12-dsb"));
        assertThat(run.report().at("/summary/filtered_out").asInt()).isZero();
    }
}

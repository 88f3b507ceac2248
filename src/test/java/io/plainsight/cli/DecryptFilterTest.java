package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.HarChecker;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code plainsight decrypt --filter}: an expression on connection or TLS fields keeps only the
 * matching conversations in every output (the PCAP, the HAR, the report's rows); one on HTTP fields
 * keeps the PCAP whole and filters the exchanges of the HAR.
 */
class DecryptFilterTest {

    /** {@code decrypt CAPTURE KEYS... --filter FILTER --har DIR/out.har} into a new folder; exit code 0. */
    static DecryptRun filtered(String capture, String filter, String... keys) {
        Path dir = TestFiles.newDir("filter");
        List<String> args = new ArrayList<>(List.of(WiresharkTlsCorpus.capture(capture).toString()));
        args.addAll(List.of(keys));
        args.addAll(List.of("--filter", filter, "--har", dir.resolve("out.har").toString()));
        DecryptRun run = DecryptRun.into(dir, args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s", run).isZero();
        return run;
    }

    static List<JsonNode> har(DecryptRun run) {
        return HarChecker.entries(run.pcap().resolveSibling("out.har"));
    }

    static StreamsTsv only(String name, String client) throws IOException {
        return new StreamsTsv(StreamsTsv.load(name).rows().stream().filter(r -> r.client().equals(client)).toList());
    }

    @Test
    void aTcpPortKeepsThatConversationOnly() throws IOException {
        DecryptRun run = filtered("tls12-chacha20poly1305.pcap", "tcp.port == 41836",
                "--keylog", WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys").toString());
        DecryptedPcap.read(run.pcap()).assertMatches(only("tls12-chacha20poly1305", "10.42.0.1:41836"));
        assertThat(har(run)).singleElement().satisfies(e -> assertThat(e.at("/response/status").asInt()).isEqualTo(200));
        JsonNode report = run.report();
        assertThat(report.get("connections")).singleElement()
                .satisfies(c -> assertThat(c.get("client").asText()).isEqualTo("10.42.0.1:41836"));
        assertThat(report.at("/summary/filtered_out").asInt()).isEqualTo(6);
        assertThat(report.at("/summary/decrypted").asInt()).isEqualTo(1);
    }

    @Test
    void aTlsSniKeepsThatConversationOnly() throws IOException {
        DecryptRun run = filtered("tls12-dsb.pcapng", "tls.sni == \"example.net\"");
        DecryptedPcap.read(run.pcap()).assertMatches(only("tls12-dsb", "10.9.0.2:46802"));
        assertThat(har(run)).singleElement()
                .satisfies(e -> assertThat(e.at("/request/url").asText()).isEqualTo("https://example.net/"));
        assertThat(run.report().get("connections")).singleElement()
                .satisfies(c -> assertThat(c.get("sni").asText()).isEqualTo("example.net"));
        assertThat(run.report().at("/summary/filtered_out").asInt()).isEqualTo(1);
    }

    @Test
    void anHttpFilterKeepsThePcapWholeAndFiltersTheHar() throws IOException {
        DecryptRun run = filtered("rsasnakeoil2.pcap", "http.response.code == 404",
                "--rsa-key", WiresharkTlsCorpus.key("rsasnakeoil2.key").toString());
        DecryptedPcap.read(run.pcap()).assertMatches(StreamsTsv.load("rsasnakeoil2"));
        // MANIFEST: 11 exchanges, of which 4 are 404s
        assertThat(har(run)).extracting(e -> e.at("/request/url").asText()).containsExactlyInAnyOrder(
                "https://localhost/icons/jhe061.png", "https://localhost/test3/",
                "https://localhost/icons/debian/openlogo-25.jpg", "https://localhost/favicon.ico");
        assertThat(har(run)).allSatisfy(e -> assertThat(e.at("/response/status").asInt()).isEqualTo(404));
        assertThat(run.report().get("connections")).hasSize(2);
        assertThat(run.report().at("/summary/filtered_out").asInt()).isZero();
    }
}

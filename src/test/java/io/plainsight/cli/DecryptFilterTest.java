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
    void aTlsVersionKeepsAConnectionWhoseFirstPlaintextIsEarlyData() throws IOException {
        // stream 1 resumes with 0-RTT: its first plaintext (GET /early) is decrypted before the handshake is known
        DecryptRun run = filtered("tls13-rfc8446.pcap", "tls.version == \"TLSv1.3\"",
                "--keylog", WiresharkTlsCorpus.key("tls13-rfc8446.keys").toString());
        DecryptedPcap.read(run.pcap()).assertMatches(StreamsTsv.load("tls13-rfc8446"));
        assertThat(har(run)).extracting(e -> e.at("/request/url").asText().replaceFirst("^https://[^/]*", ""))
                .containsExactlyInAnyOrder("/first", "/early", "/second");
        JsonNode report = run.report();
        assertThat(report.at("/summary/filtered_out").asInt()).isZero();
        assertThat(report.at("/summary/decrypted").asInt()).isEqualTo(2);
        assertThat(run.connection("10.9.0.1:38290").get("bytes_client_to_server").asLong()).isEqualTo(47);
    }

    @Test
    void anotherTlsVersionLeavesOutTheEarlyDataConnectionToo() {
        Path dir = TestFiles.newDir("filter");
        DecryptRun run = DecryptRun.into(dir, WiresharkTlsCorpus.capture("tls13-rfc8446.pcap").toString(), "--keylog",
                WiresharkTlsCorpus.key("tls13-rfc8446.keys").toString(), "--filter", "tls.version == \"TLSv1.2\"",
                "--har", dir.resolve("out.har").toString());
        JsonNode report = run.report();
        assertThat(report.get("connections")).as("%s", run).isEmpty();
        assertThat(report.at("/summary/filtered_out").asInt()).isEqualTo(2);
        assertThat(report.at("/summary/decrypted").asInt()).isZero();
        assertThat(har(run)).isEmpty();
    }

    @Test
    void aJa4KeepsTheConversationsOfThatClientHelloOnly() throws IOException {
        // tls12-chacha20poly1305: seven openssl s_client connections, each offering other cipher suites (so each
        // JA4 differs in its cipher hash); the PSK and DHE ones send no supported_groups and ec_point_formats
        // (their extension hash is 67d773d9dde2, that of the ECDHE ones c7db0b12fca1)
        String keys = WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys").toString();
        Path log = TestFiles.newDir("filter-ja4").resolve("c.jsonl");
        DecryptRun run = filtered("tls12-chacha20poly1305.pcap", "tls.ja4 == \"t12d020600_c5d8418a506e_c7db0b12fca1\"",
                "--keylog", keys, "--connections", log.toString());
        DecryptedPcap.read(run.pcap()).assertMatches(only("tls12-chacha20poly1305", "10.42.0.1:41834"));
        assertThat(har(run)).singleElement().satisfies(e -> assertThat(e.at("/response/status").asInt()).isEqualTo(200));
        assertThat(run.report().get("connections")).singleElement()
                .satisfies(c -> assertThat(c.get("cipher").asText()).isEqualTo("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"));
        assertThat(run.report().at("/summary/filtered_out").asInt()).isEqualTo(6);
        assertThat(DecryptConnectionLogTest.readLines(log).values()).singleElement()
                .satisfies(l -> assertThat(l.get("ja4").asText()).isEqualTo("t12d020600_c5d8418a506e_c7db0b12fca1"));

        DecryptRun noGroups = filtered("tls12-chacha20poly1305.pcap", "tls.ja4 contains \"_67d773d9dde2\"", "--keylog", keys);
        assertThat(noGroups.report().get("connections")).extracting(c -> c.get("client").asText())
                .containsExactly("10.42.0.1:41836", "10.42.0.1:41838", "10.42.0.1:41840", "10.42.0.1:41844");
        assertThat(har(noGroups)).hasSize(4);

        // a JA3 that no connection has keeps none (exit code 5: nothing decrypted)
        DecryptRun none = DecryptRun.into(TestFiles.newDir("filter-ja3"),
                WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap").toString(), "--keylog", keys,
                "--filter", "tls.ja3 == \"00000000000000000000000000000000\"");
        assertThat(none.exitCode()).isEqualTo(5);
        assertThat(none.report().get("connections")).isEmpty();
        assertThat(none.report().at("/summary/filtered_out").asInt()).isEqualTo(7);
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

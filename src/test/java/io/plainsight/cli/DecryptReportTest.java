package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The decryption report of {@code plainsight decrypt}: the text report on stderr lists every
 * connection with the reason it was not decrypted, the JSON report has the documented fields, the
 * reasons name the client_random (as tshark reads it from the ClientHello) or forward secrecy, and
 * the exit code is 0, 4 or 5 as all, some or nothing was decrypted. tls12-chacha20poly1305 has 7
 * connections with 7 key exchanges, one key log line each.
 */
class DecryptReportTest {
    static final Path CHACHA = WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap");
    static final List<String> CONNECTION_FIELDS = List.of("id", "input", "first_packet", "start", "end", "client", "server",
            "sni", "version", "cipher", "alpn", "resumption", "handshakes", "status", "decrypted", "reason", "notes",
            "bytes_client_to_server", "bytes_server_to_client", "ended");

    /** Client port to the ClientHello's random, as tshark reads it. */
    static final Map<String, String> clientRandoms = new HashMap<>();

    @BeforeAll
    static void readTheClientRandomsWithTshark() {
        for (String line : new Tshark().fieldLines(CHACHA, "tls.handshake.type == 1", "tcp.srcport", "tls.handshake.random")) {
            String[] f = line.split("\t");
            clientRandoms.put("10.42.0.1:" + f[0], f[1]);
        }
        assertThat(clientRandoms).hasSize(7);
    }

    @Test
    void someDecryptedIsExit3AndTheTextReportListsEveryConnectionWithItsReason() throws IOException {
        Path dir = TestFiles.newDir("report-text");
        // the key log lines of the first two connections only
        List<String> lines = Files.readAllLines(WiresharkTlsCorpus.key("tls12-chacha20poly1305.keys")).stream()
                .filter(l -> l.contains(clientRandoms.get("10.42.0.1:41832")) || l.contains(clientRandoms.get("10.42.0.1:41834")))
                .toList();
        assertThat(lines).hasSize(2);
        Path keyLog = Files.write(dir.resolve("two.keys"), lines);
        Path pcap = dir.resolve("out.pcap");
        DecryptRun run = DecryptRun.decrypt(CHACHA.toString(), "--keylog", keyLog.toString(), "--pcap", pcap.toString(), "-q");
        assertThat(run.exitCode()).as("%s", run).isEqualTo(4);
        assertThat(run.err()).contains(
                "decryption report: " + CHACHA + " (pcap (microsecond timestamps, little-endian, Ethernet)), 64 packets "
                        + "(0 not TCP/IP), 7 connections",
                "  decrypted 2, not decrypted 5;",
                "connections:\n",
                "  #0 10.42.0.1:41832 -> 10.42.0.243:443 10.42.0.243 TLS 1.2 TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: "
                        + "decrypted, 35B up, 4.1KiB down\n",
                "  #1 10.42.0.1:41834 -> 10.42.0.243:443 10.42.0.243 TLS 1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: "
                        + "decrypted, 35B up, 4.1KiB down\n",
                "result: some connections not (fully) decrypted (exit code 4)");
        for (int port = 41836; port <= 41844; port += 2) {
            String client = "10.42.0.1:" + port;
            assertThat(run.err()).containsPattern("  #\\d " + client + " -> 10\\.42\\.0\\.243:443 .*: not decrypted - no key for "
                    + "client_random " + clientRandoms.get(client) + "\\b.*\n");
        }
        // the PCAP holds the two decrypted connections
        StreamsTsv all = StreamsTsv.load("tls12-chacha20poly1305");
        DecryptedPcap.read(pcap).assertMatches(new StreamsTsv(all.rows().subList(0, 2)));
    }

    @Test
    void wrongKeysAreExit4AndTheJsonReportNamesEachClientRandom() throws IOException {
        Path dir = TestFiles.newDir("report-json");
        DecryptRun run = DecryptRun.into(dir, CHACHA.toString(), "--keylog", WiresharkTlsCorpus.key("dhe1_keylog.dat").toString());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(5);
        JsonNode report = run.report();
        assertThat(report.fieldNames()).toIterable().containsExactly("connections", "inputs", "summary", "unreadable_inputs",
                "warning_count", "warnings", "exit_code");
        assertThat(report.get("connections")).hasSize(7);
        for (JsonNode c : report.get("connections")) {
            assertThat(c.fieldNames()).toIterable().containsExactlyElementsOf(CONNECTION_FIELDS);
            String client = c.get("client").asText();
            assertThat(c.get("status").asText()).isEqualTo("not decrypted");
            assertThat(c.get("decrypted").asBoolean()).isFalse();
            assertThat(c.get("reason").asText()).startsWith("no key for client_random " + clientRandoms.get(client))
                    .contains("the key log has 1 entry from " + WiresharkTlsCorpus.key("dhe1_keylog.dat"));
            assertThat(c.get("input").asText()).isEqualTo(CHACHA.toString());
            assertThat(c.get("version").asText()).isEqualTo("TLS 1.2");
            assertThat(c.get("sni").asText()).isEqualTo("10.42.0.243");
            assertThat(c.get("start").asText()).matches("2\\d{3}-\\d\\d-\\d\\dT.*Z");
        }
        assertThat(report.at("/inputs/0/name").asText()).isEqualTo(CHACHA.toString());
        assertThat(report.at("/inputs/0/packets").asInt()).isEqualTo(64);
        assertThat(report.at("/summary/connections").asInt()).isEqualTo(7);
        assertThat(report.at("/summary/not_decrypted").asInt()).isEqualTo(7);
        assertThat(report.at("/summary/decrypted").asInt()).isZero();
        assertThat(report.at("/summary/plaintext_bytes").asInt()).isZero();
        assertThat(report.get("exit_code").asInt()).isEqualTo(5);
        assertThat(run.err()).isEmpty(); // the report went to the file
    }

    @Test
    void onlyAnRsaKeyForEcdheNamesForwardSecrecy() throws IOException {
        Path dir = TestFiles.newDir("report-fs");
        DecryptRun run = DecryptRun.into(dir, CHACHA.toString(), "--rsa-key",
                WiresharkTlsCorpus.key("rsasnakeoil2.key").toString());
        assertThat(run.exitCode()).as("%s", run).isEqualTo(5);
        assertThat(run.connection("10.42.0.1:41834").get("reason").asText()).isEqualTo("forward-secret key exchange "
                + "(ECDHE_RSA) and only an RSA key given: it needs a key log entry for client_random "
                + clientRandoms.get("10.42.0.1:41834") + " (no key log was given)");
        assertThat(run.connection("10.42.0.1:41836").get("reason").asText())
                .startsWith("forward-secret key exchange (DHE_RSA) and only an RSA key given");
        assertThat(run.connection("10.42.0.1:41838").get("reason").asText()).startsWith("wrong RSA key: the server "
                + "certificate (CN=localhost, RSA 2048 bits");
    }

    @Test
    void everythingDecryptedIsExit0AndTheJsonReportCanGoToStdout() throws IOException {
        Path dir = TestFiles.newDir("report-all");
        String in = WiresharkTlsCorpus.capture("tls12-aes128ccm.pcap").toString();
        DecryptRun text = DecryptRun.decrypt(in, "--psk", "ca19e028a8a372ad2d325f950fcaceed", "--pcap",
                dir.resolve("a.pcap").toString(), "-q");
        assertThat(text.exitCode()).as("%s", text).isZero();
        assertThat(text.err()).contains("  #0 127.0.0.1:50586 -> 127.0.0.1:443 localhost TLS 1.2 TLS_PSK_WITH_AES_128_CCM: decrypted, "
                + "32B up, 820B down\n", "result: everything decrypted (exit code 0)");
        DecryptRun json = DecryptRun.decrypt(in, "--psk", "ca19e028a8a372ad2d325f950fcaceed", "--pcap",
                dir.resolve("b.pcap").toString(), "-q", "--report", "json");
        assertThat(json.exitCode()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.out());
        assertThat(report.at("/connections/0/status").asText()).isEqualTo("decrypted");
        assertThat(report.get("exit_code").asInt()).isZero();
        assertThat(json.err()).isEmpty();
    }
}

package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.offline.tls.StreamsTsv;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.OpensslServer;
import io.plainsight.testing.Tcpdump;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.TestPki;
import io.plainsight.testing.Tshark;
import io.plainsight.testing.TsharkHellos;
import io.plainsight.testing.WiresharkTlsCorpus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code plainsight decrypt CAPTURE --connections FILE} on every case of Wireshark's TLS corpus:
 * each line is checked field by field against tshark's view of the same capture. JA3 and JA3S (text
 * and hash) must be tshark's {@code tls.handshake.ja3_full}/{@code ja3} and {@code ja3s_full}/
 * {@code ja3s} of the stream's first hello that has one (tshark given the case's keys, so that it
 * also reads a hello sent encrypted, as in a renegotiation after an SSLv2-format hello); JA4 and
 * JA4S must be what FoxIO's specification makes of the lists tshark dissects from the hello in the
 * clear; SNI is tshark's; version, cipher and bytes each way are the case's streams.tsv (tshark's
 * ground truth); {@code packets_up}/{@code packets_down} are tshark's count of packets with TCP
 * payload ({@code tcp.len > 0}) each end sent in the stream. The same checks run on a capture
 * made here with tcpdump (curl and openssl s_client, TLS 1.2 and 1.3, with and without SNI and
 * ALPN, against nginx and openssl s_server).
 */
class DecryptConnectionLogTest {
    private static final Pattern OPTION = Pattern.compile("(-[od]) ('[^']*'|\\S+)");
    private static final AtomicInteger JA4_CHECKED = new AtomicInteger();
    private static final AtomicInteger JA4S_CHECKED = new AtomicInteger();
    private static final AtomicInteger LINES = new AtomicInteger();

    @ParameterizedTest(name = "{0}")
    @MethodSource("io.plainsight.cli.DecryptCorpusTest#cases")
    void everyLineAgreesWithTshark(String name) throws IOException {
        Path dir = TestFiles.newDir("connlog-" + name);
        Path log = dir.resolve("connections.jsonl");
        Path capture = DecryptCorpusTest.capture(name);
        List<String> args = new ArrayList<>(List.of(capture.toString()));
        args.addAll(DecryptCorpusTest.keyOptions(name, dir));
        args.addAll(List.of("--no-pcap", "-q", "--connections", log.toString()));
        DecryptRun run = DecryptRun.decrypt(args.toArray(String[]::new));
        assertThat(run.exitCode()).as("%s", run).isZero();
        Map<Integer, JsonNode> lines = readLines(log);

        StreamsTsv expected = StreamsTsv.load(name);
        TsharkHellos keyed = TsharkHellos.read(tsharkWithKeysOf(name), capture);
        TsharkHellos clear = TsharkHellos.read(new Tshark(), capture);
        assertThat(lines.keySet()).containsExactlyElementsOf(expected.rows().stream().map(StreamsTsv.Row::stream).toList());
        for (StreamsTsv.Row row : expected.rows()) {
            JsonNode l = lines.get(row.stream());
            String what = name + " stream " + row.stream() + ": " + l;
            assertThat(l.get("mode").asText()).isEqualTo("offline");
            assertThat(l.get("interception").asText()).as(what).isEqualTo("decrypted");
            assertThat(l.get("client").asText()).as(what).isEqualTo(row.client());
            assertThat(l.get("server").asText()).as(what).isEqualTo(row.server());
            String[] suites = StreamsTsv.withoutCodes(row.cipherSuites()).split(" / ");
            assertThat(l.at("/client_tls/version").asText()).as(what).isEqualTo(jsseName(StreamsTsv.withoutCodes(row.version())));
            assertThat(l.at("/client_tls/cipher").asText()).as(what).isEqualTo(suites[suites.length - 1]);
            assertThat(l.get("bytes_up").asLong()).as(what).isEqualTo(row.c2sBytes());
            assertThat(l.get("bytes_down").asLong()).as(what).isEqualTo(row.s2cBytes());
            assertThat(l.get("packets_up").asInt()).as(what).isEqualTo(keyed.payloadPackets(row.stream(), row.client()));
            assertThat(l.get("packets_down").asInt()).as(what).isEqualTo(keyed.payloadPackets(row.stream(), row.server()));
            assertThat(l.get("end").asText()).as(what).isIn("FIN", "RST");
            assertThat(l.get("time").asText()).as(what).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

            TsharkHellos.Client ch = keyed.clients.get(row.stream());
            if (ch == null) {
                assertThat(l.has("ja3")).as(what).isFalse();
            } else {
                assertThat(l.get("ja3").asText()).as(what).isEqualTo(ch.ja3());
                assertThat(l.get("ja3_string").asText()).as(what).isEqualTo(ch.ja3Full());
                assertThat(l.has("sni") ? l.get("sni").asText() : null).as(what).isEqualTo(ch.sni());
            }
            TsharkHellos.Server sh = keyed.servers.get(row.stream());
            if (sh == null) {
                assertThat(l.has("ja3s")).as(what).isFalse();
            } else {
                assertThat(l.get("ja3s").asText()).as(what).isEqualTo(sh.ja3s());
                assertThat(l.get("ja3s_string").asText()).as(what).isEqualTo(sh.ja3sFull());
            }
            // JA4/JA4S from tshark's dissection of the same hello in the clear
            TsharkHellos.Client clearCh = clear.clients.get(row.stream());
            if (clearCh != null && ch != null && clearCh.ja3Full().equals(ch.ja3Full())) {
                assertThat(l.get("ja4").asText()).as(what).isEqualTo(TsharkHellos.expectedJa4(clearCh));
                JA4_CHECKED.incrementAndGet();
            }
            TsharkHellos.Server clearSh = clear.servers.get(row.stream());
            if (clearSh != null && sh != null && clearSh.ja3sFull().equals(sh.ja3sFull())) {
                assertThat(l.get("ja4s").asText()).as(what).isEqualTo(TsharkHellos.expectedJa4s(clearSh));
                JA4S_CHECKED.incrementAndGet();
            }
            LINES.incrementAndGet();
        }
    }

    /** A client connection of the fresh capture, and what it forced: version and cipher suite. */
    private record Fresh(String version, String cipher, boolean sni, String alpn) {}

    @Test
    void freshCurlAndOpensslConnectionsAgreeWithTshark() throws IOException {
        Path dir = TestFiles.newDir("connlog-fresh");
        TestPki pki = TestPki.sharedRsa();
        Path keys = dir.resolve("keys.log");
        Path capture;
        List<Fresh> fresh = new ArrayList<>();
        try (NginxFixture nginx = NginxFixture.builder().tls().pki(pki).start();
                OpensslServer sServer = OpensslServer.start(pki, "-www", "-alpn", "http/1.1")) {
            int n = nginx.tlsPort();
            int s = sServer.port();
            try (Tcpdump dump = Tcpdump.start("lo", dir.resolve("fresh.pcap"), "tcp", "port", "" + n, "or", "tcp", "port", "" + s)) {
                String resolve = "backend.test:" + n + ":127.0.0.1";
                Curl.run(keys, "--fail", "-o", "/dev/null", "--cacert", pki.caCert().toString(), "--resolve", resolve,
                        "--http2", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_128_GCM_SHA256", "https://backend.test:" + n + "/")
                        .assertSuccess();
                fresh.add(new Fresh("TLSv1.3", "TLS_AES_128_GCM_SHA256", true, "h2"));
                Curl.run(keys, "--fail", "-o", "/dev/null", "--cacert", pki.caCert().toString(), "--resolve", resolve,
                        "--http2", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES256-GCM-SHA384",
                        "https://backend.test:" + n + "/").assertSuccess();
                fresh.add(new Fresh("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", true, "h2"));
                sClient(s, keys, "-tls1_3", "-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256", "-servername", "backend.test",
                        "-alpn", "http/1.1");
                fresh.add(new Fresh("TLSv1.3", "TLS_CHACHA20_POLY1305_SHA256", true, "http/1.1"));
                sClient(s, keys, "-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256", "-noservername");
                fresh.add(new Fresh("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", false, null));
                capture = dump.stop();
                assertThat(dump.droppedByKernel()).as("packets tcpdump lost: %s", dump.stderr()).isZero();
            }
        }
        Path log = dir.resolve("connections.jsonl");
        DecryptRun run = DecryptRun.decrypt(capture.toString(), "--keylog", keys.toString(), "--no-pcap", "-q",
                "--connections", log.toString());
        assertThat(run.exitCode()).as("%s", run).isZero();
        Map<Integer, JsonNode> lines = readLines(log);
        TsharkHellos keyed = TsharkHellos.read(new Tshark().withKeyLog(keys), capture);
        TsharkHellos clear = TsharkHellos.read(new Tshark(), capture);
        assertThat(lines).hasSize(fresh.size());
        assertThat(keyed.clients).hasSize(fresh.size());
        for (int i = 0; i < fresh.size(); i++) {
            Fresh f = fresh.get(i);
            JsonNode l = lines.get(i);
            String what = "connection " + i + ": " + l;
            TsharkHellos.Client ch = keyed.clients.get(i);
            TsharkHellos.Server sh = keyed.servers.get(i);
            assertThat(l.at("/client_tls/version").asText()).as(what).isEqualTo(f.version());
            assertThat(l.at("/client_tls/cipher").asText()).as(what).isEqualTo(f.cipher());
            assertThat(l.has("sni")).as(what).isEqualTo(f.sni());
            assertThat(l.has("sni") ? l.get("sni").asText() : null).as(what).isEqualTo(ch.sni());
            assertThat(l.at("/client_tls/alpn").isMissingNode() ? null : l.at("/client_tls/alpn").asText()).as(what)
                    .isEqualTo(f.alpn());
            assertThat(l.get("ja3").asText()).as(what).isEqualTo(ch.ja3());
            assertThat(l.get("ja3_string").asText()).as(what).isEqualTo(ch.ja3Full());
            assertThat(l.get("ja3s").asText()).as(what).isEqualTo(sh.ja3s());
            assertThat(l.get("ja3s_string").asText()).as(what).isEqualTo(sh.ja3sFull());
            assertThat(l.get("ja4").asText()).as(what).isEqualTo(TsharkHellos.expectedJa4(clear.clients.get(i)))
                    .startsWith("t" + f.version().substring(4).replace(".", "") + (f.sni() ? "d" : "i"));
            assertThat(l.get("ja4s").asText()).as(what).isEqualTo(TsharkHellos.expectedJa4s(clear.servers.get(i)));
            assertThat(l.get("packets_up").asInt()).as(what).isEqualTo(keyed.payloadPackets(i, l.get("client").asText()))
                    .isPositive();
            assertThat(l.get("packets_down").asInt()).as(what).isEqualTo(keyed.payloadPackets(i, l.get("server").asText()))
                    .isPositive();
            assertThat(l.get("bytes_down").asLong()).as(what).isPositive();
        }
        // TLS 1.2 carries the server's ALPN choice in its ServerHello: JA4S shows it; TLS 1.3 sends it encrypted
        assertThat(lines.get(1).get("ja4s").asText()).matches("t12\\d\\dh2_c030_[0-9a-f]{12}");
        assertThat(lines.get(0).get("ja4s").asText()).startsWith("t130200_1301_");
    }

    /** {@code openssl s_client} sends an HTTP/1.0 GET and reads the answer, logging its keys to {@code keys}. */
    private static void sClient(int port, Path keys, String... options) throws IOException {
        Path keyLog = keys.resolveSibling("s_client.keys");
        List<String> cmd = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-quiet",
                "-keylogfile", keyLog.toString()));
        cmd.addAll(List.of(options));
        String line = String.join(" ", cmd);
        ExternalProcess.run(Duration.ofSeconds(30), "sh", "-c", "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | " + line + " >/dev/null");
        Files.write(keys, Files.readAllBytes(keyLog), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        Files.delete(keyLog);
    }

    @AfterAll
    static void mostFingerprintsWereCrossChecked() {
        if (LINES.get() == 0) {
            return; // another test of the class was selected
        }
        // every stream but rsasnakeoil2's first (an SSLv2-format hello; its JA3 is the renegotiation's, encrypted)
        assertThat(JA4_CHECKED.get()).as("JA4 cross-checked of %s lines", LINES.get()).isEqualTo(LINES.get() - 1);
        assertThat(JA4S_CHECKED.get()).as("JA4S cross-checked of %s lines", LINES.get()).isEqualTo(LINES.get());
    }

    /** "TLS 1.2" (tshark) -> "TLSv1.2" (what the log writes, as the live modes' JSSE names; drafts as TLSv1.3). */
    static String jsseName(String tshark) {
        return switch (tshark.replaceFirst(" \\(draft \\d+\\)$", "")) {
            case "SSL 3.0" -> "SSLv3";
            case "TLS 1.0" -> "TLSv1";
            case String other -> other.replace("TLS ", "TLSv");
        };
    }

    static Map<Integer, JsonNode> readLines(Path log) throws IOException {
        Map<Integer, JsonNode> byConnection = new TreeMap<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(log)) {
            JsonNode n = json.readTree(line);
            assertThat(byConnection.put(n.get("connection").asInt(), n)).as("one line per connection: %s", line).isNull();
        }
        return byConnection;
    }

    /** tshark with the options the case's streams.tsv was made with (key paths made absolute). */
    static Tshark tsharkWithKeysOf(String name) throws IOException {
        String line = Files.readAllLines(WiresharkTlsCorpus.file("expected/" + name + ".streams.tsv")).stream()
                .filter(l -> l.startsWith("# decryption options:")).findFirst().orElseThrow();
        Tshark t = new Tshark();
        Matcher m = OPTION.matcher(line.substring("# decryption options:".length()));
        while (m.find()) {
            String value = m.group(2).replaceAll("^'|'$", "").replace("keys/", WiresharkTlsCorpus.DIR.resolve("keys") + "/");
            t = t.withOptions(m.group(1), value);
        }
        return t;
    }
}

package io.plainsight.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.FreePort;
import io.plainsight.testing.HarChecker;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.OpensslServer;
import io.plainsight.testing.Tcpdump;
import io.plainsight.testing.TestFiles;
import io.plainsight.testing.TestPki;
import io.plainsight.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code plainsight decrypt} on captures made right here: tcpdump records the loopback while curl
 * (with {@code SSLKEYLOGFILE}) talks to nginx (TLS 1.2 ECDHE, TLS 1.3 AES-256-GCM with HTTP/2, TLS
 * 1.3 ChaCha20) and to {@code openssl s_server -WWW} (TLS 1.2 RSA key exchange, CBC and GCM, one
 * session resumed). tshark, given the same key material, is the independent reader: its
 * {@code follow,tls} plaintext of the capture must be, byte for byte, what tshark's
 * {@code follow,tcp} reads from our decrypted PCAP.
 *
 * <p>Needs root or CAP_NET_RAW for tcpdump: skipped without (failed in CI, where {@code CI=true}).
 */
class DecryptFreshCapturesTest {
    private static final String HOST = "backend.test";
    private static final int BIG = 300_000;
    private static final int SMALL = 100_000;
    private static final byte[] BIG_BODY = Docroot.pseudoRandom(300, BIG);
    private static final byte[] SMALL_BODY = Docroot.pseudoRandom(100, SMALL);
    private static final byte[] POST_BODY = Docroot.pseudoRandom(20, 20_000);
    private static final String HTTP_OVER_TLS_PCAP_PORT = "80";

    private static TestPki pki;
    private static NginxFixture nginx;
    private static OpensslServer sServer;
    private static Path dir;
    private static Path capture;
    private static Path keyLog;
    /** The run with the key log on the whole capture. */
    private static Run keyLogRun;

    /** One {@code plainsight decrypt} run: exit code, console, error stream, the JSON report. */
    record Run(int exit, String out, String err, JsonNode report, Path pcap, Path har) {
        List<JsonNode> rows() {
            return StreamSupport.stream(report.get("connections").spliterator(), false).toList();
        }

        List<JsonNode> rowsTo(int serverPort) {
            return rows().stream().filter(r -> r.get("server").asText().equals("127.0.0.1:" + serverPort)).toList();
        }
    }

    @BeforeAll
    static void capture() throws IOException {
        dir = TestFiles.newDir("decrypt-fresh");
        pki = TestPki.sharedRsa();
        // /upload reads the whole request body before it answers (nginx answers /echo at once, and then an HTTP/2
        // client's body may come after the response and the server's RST_STREAM); the plain leg is not captured
        int plainPort = FreePort.tcp();
        nginx = NginxFixture.builder().tls().pki(pki).file("300k.bin", BIG_BODY).plain().ports(0, plainPort).h2c()
                .serverConfig("location = /upload { proxy_pass http://127.0.0.1:" + plainPort + "/echo; }").start();
        Path wwwRoot = Files.createDirectories(dir.resolve("www"));
        Files.write(wwwRoot.resolve("100k.bin"), SMALL_BODY);
        sServer = OpensslServer.startIn(wwwRoot, pki, "-WWW");
        Path post = Files.write(dir.resolve("post.bin"), POST_BODY);
        keyLog = dir.resolve("curl.keys");
        int n = nginx.tlsPort();
        int s = sServer.port();
        int h2c = nginx.h2cPort();
        try (Tcpdump dump = Tcpdump.start("lo", dir.resolve("fresh.pcap"), "tcp", "port", "" + n, "or", "tcp", "port", "" + s,
                "or", "tcp", "port", "" + h2c)) {
            // nginx, TLS 1.2 ECDHE-RSA AES-128-GCM, HTTP/1.1: three requests (the last a POST) on one connection
            List<String> tls12 = curlArgs(n, "--http1.1", "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "ECDHE-RSA-AES128-GCM-SHA256");
            curl(join(tls12, get(n, "/300k.bin"), get(n, "/index.html"), List.of("--next"), tls12, post(n, post)));
            // nginx, TLS 1.3 AES-256-GCM, HTTP/2: the same three requests on one connection
            List<String> h2 = curlArgs(n, "--http2", "--tlsv1.3", "--tls13-ciphers", "TLS_AES_256_GCM_SHA384");
            curl(join(h2, get(n, "/300k.bin"), get(n, "/index.html"), List.of("--next"), h2, post(n, post)));
            // nginx, TLS 1.3 ChaCha20-Poly1305, HTTP/1.1: two connections (Connection: close), the second resumed by PSK
            curl(join(curlArgs(n, "--http1.1", "--tlsv1.3", "--tls13-ciphers", "TLS_CHACHA20_POLY1305_SHA256", "-H",
                    "Connection: close"), get(n, "/hello"), get(n, "/hello")));
            // nginx, plaintext HTTP/2 (prior knowledge): captured as it is
            curl(List.of("--fail", "--http2-prior-knowledge", "-o", "/dev/null", nginx.h2cUrl("/index.html")));
            // s_server (HTTP/1.0, closes after each answer), TLS 1.2 RSA key exchange AES256-SHA: two connections, the
            // second resuming the first one's session; then AES128-GCM-SHA256
            curl(join(curlArgs(s, "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "AES256-SHA"), get(s, "/100k.bin"),
                    get(s, "/100k.bin")));
            curl(join(curlArgs(s, "--tlsv1.2", "--tls-max", "1.2", "--ciphers", "AES128-GCM-SHA256"), get(s, "/100k.bin")));
            capture = dump.stop();
            assertThat(dump.droppedByKernel()).as("packets tcpdump lost: %s", dump.stderr()).isZero();
        }
        keyLogRun = decrypt("keylog", "--keylog", keyLog.toString());
    }

    @AfterAll
    static void stopServers() {
        if (sServer != null) {
            sServer.close();
        }
        if (nginx != null) {
            nginx.close();
        }
    }

    private static List<String> curlArgs(int port, String... more) {
        List<String> args = new ArrayList<>(List.of("--fail", "--cacert", pki.caCert().toString(),
                "--resolve", HOST + ":" + port + ":127.0.0.1"));
        args.addAll(List.of(more));
        return args;
    }

    private static String url(int port, String path) {
        return "https://" + HOST + ":" + port + path;
    }

    private static List<String> get(int port, String path) {
        return List.of("-o", "/dev/null", url(port, path));
    }

    private static List<String> post(int port, Path body) {
        return List.of("--data-binary", "@" + body, "-o", "/dev/null", url(port, "/upload"));
    }

    @SafeVarargs
    private static List<String> join(List<String>... parts) {
        List<String> all = new ArrayList<>();
        for (List<String> p : parts) {
            all.addAll(p);
        }
        return all;
    }

    private static void curl(List<String> args) {
        Curl.run(keyLog, args.toArray(String[]::new)).assertSuccess();
    }

    /** {@code plainsight decrypt CAPTURE --pcap NAME.pcap --har NAME.har -q --report json MORE...}. */
    private static Run decrypt(String name, String... more) {
        Path pcap = dir.resolve(name + ".pcap");
        Path har = dir.resolve(name + ".har");
        List<String> args = new ArrayList<>(List.of("decrypt", capture.toString(), "--pcap", pcap.toString(), "--har",
                har.toString(), "-q", "--report", "json"));
        args.addAll(List.of(more));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
                args.toArray(String[]::new));
        return run(exit, out, err, pcap, har);
    }

    private static Run run(int exit, ByteArrayOutputStream out, ByteArrayOutputStream err, Path pcap, Path har) {
        String o = out.toString(StandardCharsets.UTF_8);
        String e = err.toString(StandardCharsets.UTF_8);
        try {
            return new Run(exit, o, e, new ObjectMapper().readTree(o), pcap, har);
        } catch (IOException x) {
            throw new AssertionError("the report is not JSON (exit " + exit + "):\n" + o + "\n--- err ---\n" + e, x);
        }
    }

    // ------------------------------------------------------------------ the key log

    @Test
    void keyLogDecryptsEveryConnection() {
        Run r = keyLogRun;
        assertThat(r.exit()).as("%s\n%s", r.err(), r.out()).isZero();
        assertThat(r.report().get("summary").get("connections").asInt()).isEqualTo(8);
        assertThat(r.report().get("summary").get("decrypted").asInt()).isEqualTo(7);
        assertThat(r.report().get("summary").get("plain").asInt()).isEqualTo(1);
        assertThat(r.rowsTo(nginx.h2cPort())).singleElement().satisfies(row -> {
            assertThat(row.get("status").asText()).isEqualTo("plain");
            assertThat(row.get("version").isNull()).isTrue();
            assertThat(row.get("bytes_server_to_client").asLong()).isGreaterThan(Docroot.INDEX_HTML.length());
        });
        List<JsonNode> tls = r.rows().stream().filter(row -> !row.get("server").asText().endsWith(":" + nginx.h2cPort())).toList();
        assertThat(tls).hasSize(7).allSatisfy(row -> {
            assertThat(row.get("status").asText()).as("%s", row).isEqualTo("decrypted");
            assertThat(row.get("decrypted").asBoolean()).isTrue();
            assertThat(row.get("reason").isNull()).isTrue();
            assertThat(row.get("sni").asText()).isEqualTo(HOST);
        });
        assertThat(r.rowsTo(nginx.tlsPort())).extracting(DecryptFreshCapturesTest::suite).containsExactly(
                "TLS 1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 http/1.1",
                "TLS 1.3 TLS_AES_256_GCM_SHA384 h2",
                "TLS 1.3 TLS_CHACHA20_POLY1305_SHA256 http/1.1",
                "TLS 1.3 TLS_CHACHA20_POLY1305_SHA256 http/1.1");
        assertThat(r.rowsTo(nginx.tlsPort())).extracting(row -> row.get("resumption").asText(null))
                .containsExactly(null, null, null, "PSK");
        assertThat(r.rowsTo(sServer.port())).extracting(DecryptFreshCapturesTest::suite).containsExactly(
                "TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA null",
                "TLS 1.2 TLS_RSA_WITH_AES_256_CBC_SHA null",
                "TLS 1.2 TLS_RSA_WITH_AES_128_GCM_SHA256 null");
        List<JsonNode> rsa = r.rowsTo(sServer.port());
        assertThat(rsa.get(0).get("resumption").isNull()).isTrue();
        assertThat(rsa.get(1).get("resumption").asText()).isIn("session ID", "session ticket");
        // the bodies went by, whole
        for (JsonNode row : rsa) {
            assertThat(row.get("bytes_server_to_client").asLong()).isGreaterThan(SMALL);
        }
        JsonNode tls12 = r.rowsTo(nginx.tlsPort()).get(0);
        assertThat(tls12.get("bytes_server_to_client").asLong()).isGreaterThan(BIG);
        assertThat(tls12.get("bytes_client_to_server").asLong()).isGreaterThan(POST_BODY.length);
    }

    private static String suite(JsonNode row) {
        return row.get("version").asText() + " " + row.get("cipher").asText() + " " + row.get("alpn").asText();
    }

    @Test
    void keyLogPlaintextIsTsharks() {
        assertSamePlaintext(new Tshark().withKeyLog(keyLog), keyLogRun, HTTP_OVER_TLS_PCAP_PORT);
    }

    @Test
    void harHasEveryRequest() {
        int n = nginx.tlsPort();
        int s = sServer.port();
        List<JsonNode> har = HarChecker.entries(keyLogRun.har());
        List<String> entries = har.stream()
                .map(e -> e.get("request").get("method").asText() + " " + e.get("request").get("url").asText() + " "
                        + e.get("request").get("httpVersion").asText() + " body " + e.get("request").get("bodySize").asLong()
                        + " -> " + e.get("response").get("status").asInt() + " " + e.get("response").get("content").get("size").asLong())
                .toList();
        String post = " body " + POST_BODY.length + " -> 200 " + "echo POST /echo\n".length();
        assertThat(entries).containsExactlyInAnyOrder(
                "GET " + url(n, "/300k.bin") + " HTTP/1.1 body 0 -> 200 " + BIG,
                "GET " + url(n, "/index.html") + " HTTP/1.1 body 0 -> 200 " + Docroot.INDEX_HTML.length(),
                "POST " + url(n, "/upload") + " HTTP/1.1" + post,
                "GET " + url(n, "/300k.bin") + " HTTP/2 body 0 -> 200 " + BIG,
                "GET " + url(n, "/index.html") + " HTTP/2 body 0 -> 200 " + Docroot.INDEX_HTML.length(),
                "POST " + url(n, "/upload") + " HTTP/2" + post,
                "GET " + url(n, "/hello") + " HTTP/1.1 body 0 -> 200 " + NginxFixture.HELLO_BODY.length(),
                "GET " + url(n, "/hello") + " HTTP/1.1 body 0 -> 200 " + NginxFixture.HELLO_BODY.length(),
                "GET " + nginx.h2cUrl("/index.html") + " HTTP/2 body 0 -> 200 " + Docroot.INDEX_HTML.length(),
                "GET " + url(s, "/100k.bin") + " HTTP/1.1 body 0 -> 200 " + SMALL,
                "GET " + url(s, "/100k.bin") + " HTTP/1.1 body 0 -> 200 " + SMALL,
                "GET " + url(s, "/100k.bin") + " HTTP/1.1 body 0 -> 200 " + SMALL);
        for (JsonNode e : har) {
            String url = e.get("request").get("url").asText();
            JsonNode content = e.get("response").get("content");
            if (url.endsWith(".bin")) {
                assertThat(content.get("encoding").asText()).isEqualTo("base64");
                assertThat(Base64.getDecoder().decode(content.get("text").asText())).as(url)
                        .isEqualTo(url.endsWith("/300k.bin") ? BIG_BODY : SMALL_BODY);
            }
        }
    }

    @Test
    void stdinGivesTheSamePcapAndReport() throws IOException {
        Path pcap = dir.resolve("stdin.pcap");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
        cl.setErr(new PrintWriter(err, true, StandardCharsets.UTF_8));
        DecryptCommand decrypt = (DecryptCommand) cl.getSubcommands().get("decrypt").getCommand();
        decrypt.console = new PrintStream(out, true, StandardCharsets.UTF_8);
        decrypt.err = new PrintStream(err, true, StandardCharsets.UTF_8);
        int exit;
        try (InputStream in = Files.newInputStream(capture)) {
            decrypt.stdin = in;
            exit = cl.execute("decrypt", "-", "--keylog", keyLog.toString(), "--pcap", pcap.toString(), "-q", "--report", "json");
        }
        Run r = run(exit, out, err, pcap, null);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(withoutInput(r.rows())).isEqualTo(withoutInput(keyLogRun.rows()));
        assertThat(Files.readAllBytes(pcap)).isEqualTo(Files.readAllBytes(keyLogRun.pcap()));
    }

    private static List<JsonNode> withoutInput(List<JsonNode> rows) {
        return rows.stream().map(row -> {
            ObjectNode copy = row.deepCopy();
            copy.remove("input");
            return (JsonNode) copy;
        }).toList();
    }

    // ------------------------------------------------------------------ the server's RSA key

    @Test
    void rsaKeyAloneDecryptsTheRsaKeyExchangeConnections() {
        String port = "8443";
        Run r = decrypt("rsa", "--rsa-key", pki.serverKey().toString(), "--filter", "tcp.port == " + sServer.port(),
                "--pcap-port", port);
        assertThat(r.exit()).as("%s\n%s", r.err(), r.out()).isZero();
        assertThat(r.rows()).hasSize(3).allSatisfy(row -> assertThat(row.get("status").asText()).as("%s", row).isEqualTo("decrypted"));
        assertThat(r.rows().get(1).get("resumption").asText()).isIn("session ID", "session ticket");
        Tshark rsaOnly = new Tshark().withOptions("-o", "uat:rsa_keys:\"" + pki.serverKey().toAbsolutePath() + "\",\"\"");
        assertSamePlaintext(rsaOnly, r, port);
    }

    @Test
    void rsaKeyAloneSaysWhichConnectionsNeedAKeyLog() {
        Run r = decrypt("rsa-all", "--rsa-key", pki.serverKey().toString());
        assertThat(r.exit()).as("%s\n%s", r.err(), r.out()).isEqualTo(4);
        assertThat(r.rowsTo(sServer.port())).hasSize(3)
                .allSatisfy(row -> assertThat(row.get("status").asText()).isEqualTo("decrypted"));
        assertThat(r.rowsTo(nginx.h2cPort())).singleElement().extracting(row -> row.get("status").asText()).isEqualTo("plain");
        assertThat(r.rowsTo(nginx.tlsPort())).hasSize(4).allSatisfy(row -> {
            assertThat(row.get("status").asText()).as("%s", row).isEqualTo("not decrypted");
            assertThat(row.get("reason").asText()).startsWith("forward-secret key exchange (");
            assertThat(row.get("bytes_client_to_server").asLong()).isZero();
        });
    }

    // ------------------------------------------------------------------ the encrypted packets (--pcapng-encrypted)

    @Test
    void pcapngWithTheKeyLogsKeysDecryptsInTsharkWithNoKeyOptions() {
        Path pcapng = dir.resolve("keylog-encrypted.pcapng");
        Run r = decrypt("keylog-encrypted", "--keylog", keyLog.toString(), "--pcapng", pcapng.toString(), "--pcapng-encrypted");
        assertThat(r.exit()).as("%s\n%s", r.err(), r.out()).isZero();
        assertThat(assertOriginalsDecrypt(new Tshark().withKeyLog(keyLog), r, pcapng)).isEqualTo(7);
    }

    @Test
    void pcapngWithTheRsaKeysMasterSecretsDecryptsInTsharkWithNoKeyOptions() {
        Path pcapng = dir.resolve("rsa-encrypted.pcapng");
        Run r = decrypt("rsa-encrypted", "--rsa-key", pki.serverKey().toString(), "--filter", "tcp.port == " + sServer.port(),
                "--pcapng", pcapng.toString(), "--pcapng-encrypted");
        assertThat(r.exit()).as("%s\n%s", r.err(), r.out()).isZero();
        Tshark rsaOnly = new Tshark().withOptions("-o", "uat:rsa_keys:\"" + pki.serverKey().toAbsolutePath() + "\",\"\"");
        assertThat(assertOriginalsDecrypt(rsaOnly, r, pcapng)).isEqualTo(3);
        assertThat(new Tshark().count(pcapng, DecryptPcapngEncryptedTest.ORIGINAL + " && !(tcp.port == " + sServer.port() + ")"))
                .as("the filter leaves the other connections' packets out").isZero();
    }

    /**
     * tshark with NO key option reads, from the original packets in {@code pcapng}, the same
     * plaintext of every decrypted connection of the run as {@code reader} (with the keys) reads
     * from the capture; the decrypted streams' interface is there too. Returns the connections compared.
     */
    private static int assertOriginalsDecrypt(Tshark reader, Run run, Path pcapng) {
        Tshark plain = new Tshark();
        plain.assertReadsCleanly(pcapng);
        Map<Integer, Integer> inputStreams = streamsByClientPort(plain, capture);
        Map<Integer, Tshark.Followed> theirs = reader.follow(capture, "tls", inputStreams.values());
        Map<String, Integer> ourStreams = DecryptPcapngEncryptedTest.originalStreams(plain, pcapng);
        Map<Integer, Tshark.Followed> ours = plain.follow(pcapng, "tls", ourStreams.values());
        int compared = 0;
        for (JsonNode row : run.rows()) {
            if (!row.get("status").asText().equals("decrypted")) {
                continue;
            }
            String client = row.get("client").asText();
            String server = row.get("server").asText();
            Tshark.Followed t = theirs.get(inputStreams.get(port(client)));
            assertThat(ourStreams).as("the original packets of %s", client).containsKey(client + " " + server);
            Tshark.Followed o = ours.get(ourStreams.get(client + " " + server));
            assertThat(t.sentBy(client, server)).as("%s: tshark's plaintext", client).isNotEmpty();
            assertSameBytes(client + " to " + server + " (original packets)", o.sentBy(client, server), t.sentBy(client, server));
            assertSameBytes(server + " to " + client + " (original packets)", o.sentBy(server, client), t.sentBy(server, client));
            compared++;
        }
        assertThat(plain.count(pcapng, DecryptPcapngEncryptedTest.DECRYPTED + " && tcp.len > 0")).as("decrypted streams")
                .isPositive();
        return compared;
    }

    // ------------------------------------------------------------------ comparing with tshark

    /**
     * For every connection of the run's report: tshark's {@code follow,tls} of the capture (with
     * {@code reader}'s keys; {@code follow,tcp} for a plain connection) and tshark's {@code follow,tcp}
     * of our PCAP (where the server port of HTTP in TLS is {@code pcapPort}) carry the same bytes each
     * way, as many as the report counts.
     */
    private static void assertSamePlaintext(Tshark reader, Run run, String pcapPort) {
        Tshark plain = new Tshark();
        Map<Integer, Integer> inputStreams = streamsByClientPort(plain, capture);
        Map<Integer, Integer> ourStreams = streamsByClientPort(plain, run.pcap());
        List<Integer> plainStreams = run.rows().stream().filter(row -> row.get("status").asText().equals("plain"))
                .map(row -> inputStreams.get(port(row.get("client").asText()))).toList();
        Map<Integer, Tshark.Followed> theirs = new LinkedHashMap<>(reader.follow(capture, "tls", inputStreams.values()));
        if (!plainStreams.isEmpty()) {
            theirs.putAll(plain.follow(capture, "tcp", plainStreams));
        }
        Map<Integer, Tshark.Followed> ours = plain.follow(run.pcap(), "tcp", ourStreams.values());
        assertThat(run.rows()).isNotEmpty();
        for (JsonNode row : run.rows()) {
            String client = row.get("client").asText();
            String server = row.get("server").asText();
            Tshark.Followed t = theirs.get(inputStreams.get(port(client)));
            assertThat(ourStreams).as("our PCAP has the connection from %s", client).containsKey(port(client));
            Tshark.Followed o = ours.get(ourStreams.get(port(client)));
            String ourServer = row.get("status").asText().equals("plain") ? server : "127.0.0.1:" + pcapPort;
            assertThat(o.node1()).as("server address in our PCAP").isEqualTo(ourServer);
            byte[] c2s = t.sentBy(client, server);
            byte[] s2c = t.sentBy(server, client);
            assertThat(c2s.length).as("%s: tshark's client-to-server bytes vs the report", client)
                    .isEqualTo(row.get("bytes_client_to_server").asLong()).isPositive();
            assertThat(s2c.length).as("%s: tshark's server-to-client bytes vs the report", client)
                    .isEqualTo(row.get("bytes_server_to_client").asLong()).isPositive();
            assertSameBytes(client + " to " + server, o.sentBy(client, ourServer), c2s);
            assertSameBytes(server + " to " + client, o.sentBy(ourServer, client), s2c);
        }
    }

    private static int port(String address) {
        return Integer.parseInt(address.substring(address.lastIndexOf(':') + 1));
    }

    /** tcp.stream of each connection, by client port (from the first SYN). */
    private static Map<Integer, Integer> streamsByClientPort(Tshark tshark, Path pcap) {
        Map<Integer, Integer> streams = new LinkedHashMap<>();
        for (String line : tshark.fieldLines(pcap, "tcp.flags.syn == 1 && tcp.flags.ack == 0", "tcp.stream", "tcp.srcport")) {
            String[] f = line.split("\t");
            streams.putIfAbsent(Integer.parseInt(f[1]), Integer.parseInt(f[0]));
        }
        return streams;
    }

    /** Equal bytes, or an error naming the first difference (not a dump of 300 KB). */
    private static void assertSameBytes(String what, byte[] ours, byte[] tsharks) {
        int n = Math.min(ours.length, tsharks.length);
        int i = 0;
        while (i < n && ours[i] == tsharks[i]) {
            i++;
        }
        if (i == n && ours.length == tsharks.length) {
            return;
        }
        HexFormat hex = HexFormat.of();
        throw new AssertionError(String.format("%s: our PCAP has %d bytes, tshark's plaintext %d; first difference at "
                + "offset %d: ours %s..., tshark's %s...", what, ours.length, tsharks.length, i,
                hex.formatHex(ours, i, Math.min(ours.length, i + 16)), hex.formatHex(tsharks, i, Math.min(tsharks.length, i + 16))));
    }
}

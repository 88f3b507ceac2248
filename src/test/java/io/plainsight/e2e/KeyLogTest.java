package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Main;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.Tcpdump;
import io.plainsight.testing.Tshark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * {@code --keylog FILE} and {@code SSLKEYLOGFILE}: tcpdump records the raw (encrypted) wire of both
 * legs on the loopback, and tshark, given nothing but plainsight's key log, decrypts the HTTP
 * request and response on the client leg and on the upstream leg; with TLS 1.2 on both legs (an
 * nginx that speaks only TLS 1.2) and TLS 1.3 on both, through the reverse proxy and through the
 * forward proxy (CONNECT, forged certificate).
 */
class KeyLogTest extends E2eSupport {
    /** A backend that speaks TLS 1.2 only, so that the upstream leg is TLS 1.2 too. */
    static NginxFixture nginx12;

    @BeforeAll
    static void startTls12Backend() {
        nginx12 = NginxFixture.builder().tls().http2(false).tlsProtocols("TLSv1.2").start();
    }

    @AfterAll
    static void stopTls12Backend() {
        if (nginx12 != null) {
            nginx12.close();
        }
    }

    static NginxFixture backend(String version) {
        return version.equals("1.2") ? nginx12 : nginx;
    }

    static String[] curlVersion(String version) {
        return version.equals("1.2") ? new String[] {"--tlsv1.2", "--tls-max", "1.2"} : new String[] {"--tlsv1.3"};
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void reverseProxyBothLegsDecryptWithOnlyTheKeyLog(String version) throws Exception {
        NginxFixture backend = backend(version);
        Path keyLog = tmp.resolve("secrets").resolve("keys.log"); // its directory does not exist yet
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + backend.tlsPort(),
                "--upstream-ca", backend.pki().caCert().toString(), "--keylog", keyLog.toString(), "--no-pcap");
        Path wire;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("wire.pcap"), "tcp", "and", "(", "port",
                Integer.toString(r.port()), "or", "port", Integer.toString(backend.tlsPort()), ")")) {
            Curl.Response resp = Curl.https(url(r, "backend.test", "/hello"), ourCa(), append(curlVersion(version),
                    "--http1.1", "--resolve", resolve(r, "backend.test")));
            assertThat(resp.bodyText()).isEqualTo(NginxFixture.HELLO_BODY);
            assertThat(r.drain()).isTrue();
            wire = dump.stop();
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyLog))).isEqualTo("rw-------");
        assertKeyLogLines(Files.readString(keyLog), version, 2);
        assertBothLegsDecrypt(new Tshark().withKeyLog(keyLog), wire, r.port(), backend.tlsPort(), "/hello");
        // without the key log, nothing on either leg is readable
        assertThat(new Tshark().fieldLines(wire, "http", "http.request.uri")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2", "1.3"})
    void forwardProxyBothLegsDecryptWithOnlyTheKeyLog(String version) throws Exception {
        NginxFixture backend = backend(version);
        Path keyLog = tmp.resolve("keys.log");
        Running r = plainsight("proxy", "--listen", "127.0.0.1:0", "--upstream-ca", backend.pki().caCert().toString(),
                "--keylog", keyLog.toString(), "--no-pcap");
        Path wire;
        try (Tcpdump dump = Tcpdump.start("lo", tmp.resolve("wire.pcap"), "tcp", "and", "(", "port",
                Integer.toString(r.port()), "or", "port", Integer.toString(backend.tlsPort()), ")")) {
            Curl.Response resp = Curl.https("https://localhost:" + backend.tlsPort() + "/echo", ourCa(),
                    append(curlVersion(version), "--http1.1", "--noproxy", "", "--proxy", "http://127.0.0.1:" + r.port()));
            assertThat(resp.bodyText()).isEqualTo("echo GET /echo\n");
            assertThat(r.drain()).isTrue();
            wire = dump.stop();
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyLog))).isEqualTo("rw-------");
        assertKeyLogLines(Files.readString(keyLog), version, 2);
        // the client leg starts with the CONNECT exchange: tshark follows it into the tunnel's TLS
        Tshark t = new Tshark().withKeyLog(keyLog).withDecodeAs("tcp.port==" + r.port() + ",http");
        assertBothLegsDecrypt(t, wire, r.port(), backend.tlsPort(), "/echo");
    }

    @Test
    void sslKeyLogFileFromTheEnvironmentIsUsedWithoutTheOptionAndAppendedTo() throws Exception {
        Path keyLog = tmp.resolve("env-keys.log");
        Files.writeString(keyLog, "# earlier lines stay\n");
        Files.setPosixFilePermissions(keyLog, PosixFilePermissions.fromString("rw-------"));
        Running r = start(Map.of("SSLKEYLOGFILE", keyLog.toString()), "reverse", "--listen", "127.0.0.1:0",
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(), "--no-pcap");
        curlFrom(r, "127.0.0.1", "/hello", "--tlsv1.3");
        assertThat(r.drain()).isTrue();
        String text = Files.readString(keyLog);
        assertThat(text).startsWith("# earlier lines stay\n");
        assertKeyLogLines(text.substring(text.indexOf('\n') + 1), "1.3", 2);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keyLog))).isEqualTo("rw-------");

        // --keylog wins over the environment
        Path chosen = tmp.resolve("chosen.log");
        Path ignored = tmp.resolve("ignored.log");
        Running r2 = start(Map.of("SSLKEYLOGFILE", ignored.toString()), "reverse", "--listen", "127.0.0.1:0",
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(), "--no-pcap",
                "--keylog", chosen.toString());
        curlFrom(r2, "127.0.0.1", "/hello", "--tlsv1.3");
        assertThat(r2.drain()).isTrue();
        assertKeyLogLines(Files.readString(chosen), "1.3", 2);
        assertThat(ignored).doesNotExist();
    }

    @Test
    void withoutAKeyLogNoFileIsWritten() throws Exception {
        Running r = start(Map.of(), "reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.tlsPort(),
                "--upstream-ca", nginx.pki().caCert().toString(), "--no-pcap", "--home", home().toString());
        assertThat(r.bus().wantsSecrets()).isFalse();
        curlFrom(r, "127.0.0.1", "/hello");
        assertThat(r.drain()).isTrue();
    }

    /** Starts plainsight with {@code environment} as its environment (and --home in this test's directory). */
    Running start(Map<String, String> environment, String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--home")) {
            all.add("--home");
            all.add(home().toString());
        }
        Running r = Main.start(console, environment::get, all.toArray(String[]::new));
        started.add(r);
        return r;
    }

    private static String[] append(String[] a, String... more) {
        List<String> all = new ArrayList<>(List.of(a));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static final Pattern LINE = Pattern.compile("^([A-Z_0-9]+) ([0-9a-f]{64}) ([0-9a-f]+)$");

    /**
     * The key log holds well-formed NSS lines for {@code handshakes} handshakes of this TLS version:
     * one CLIENT_RANDOM each (1.2), or the five secrets each (1.3), with distinct client randoms.
     */
    static void assertKeyLogLines(String text, String version, int handshakes) {
        List<String> lines = text.lines().toList();
        java.util.Map<String, List<String>> labelsByRandom = new java.util.LinkedHashMap<>();
        for (String line : lines) {
            Matcher m = LINE.matcher(line);
            assertThat(m.matches()).as("key log line '%s'", line).isTrue();
            labelsByRandom.computeIfAbsent(m.group(2), k -> new ArrayList<>()).add(m.group(1));
        }
        assertThat(labelsByRandom).as(text).hasSize(handshakes);
        for (List<String> labels : labelsByRandom.values()) {
            if (version.equals("1.2")) {
                assertThat(labels).containsExactly("CLIENT_RANDOM");
            } else {
                assertThat(labels).containsExactlyInAnyOrder("CLIENT_HANDSHAKE_TRAFFIC_SECRET",
                        "SERVER_HANDSHAKE_TRAFFIC_SECRET", "CLIENT_TRAFFIC_SECRET_0", "SERVER_TRAFFIC_SECRET_0",
                        "EXPORTER_SECRET");
            }
        }
    }

    /** tshark, with the options given, reads the request and the response on both legs of the capture. */
    static void assertBothLegsDecrypt(Tshark t, Path wire, int listenPort, int backendPort, String uri) {
        assertThat(t.fieldLines(wire, "http.request", "tcp.dstport", "http.request.uri"))
                .contains(listenPort + "\t" + uri, backendPort + "\t" + uri);
        assertThat(t.fieldLines(wire, "http.response", "tcp.srcport", "http.response.code"))
                .contains(listenPort + "\t200", backendPort + "\t200");
        // the response body, decrypted on each leg
        String body = uri.equals("/hello") ? NginxFixture.HELLO_BODY : "echo GET /echo\n";
        for (int port : new int[] {listenPort, backendPort}) {
            List<String> streams = t.fieldLines(wire, "http.response && tcp.srcport == " + port, "tcp.stream");
            assertThat(streams).as("responses from port %d", port).isNotEmpty();
            int stream = Integer.parseInt(streams.get(streams.size() - 1).strip());
            String follow = t.run(wire, List.of("-q", "-z", "follow,tls,ascii," + stream)).assertSuccess().stdout();
            assertThat(follow).as("decrypted TLS stream %d (port %d)", stream, port).contains(body.strip())
                    .contains("GET " + uri + " HTTP/1.1");
        }
    }
}

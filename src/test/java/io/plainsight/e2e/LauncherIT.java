package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.Tshark;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher and the packaged jar, as a user runs them: with the machine's default java (which
 * may be older than 21), stopped by SIGTERM, configured from a YAML file.
 */
class LauncherIT {
    static final Path LAUNCHER = Path.of("plainsight").toAbsolutePath();
    static NginxFixture nginx;

    @TempDir
    Path tmp;

    @BeforeAll
    static void backend() {
        ExternalProcess.requireTool("nginx");
        ExternalProcess.requireTool("curl");
        ExternalProcess.requireTool("tshark");
        nginx = NginxFixture.builder().tls().http2(true).plain().start();
    }

    @AfterAll
    static void stop() {
        if (nginx != null) {
            nginx.close();
        }
    }

    @Test
    void versionRunsWhateverTheDefaultJavaIs() {
        ExternalProcess.Result r = ExternalProcess.run(Duration.ofMinutes(3), LAUNCHER.toString(), "--version");
        assertThat(r.stdout()).startsWith("plainsight ");
    }

    @Test
    void invalidArgumentsExitNonZeroWithUsage() {
        ExternalProcess.Result r = ExternalProcess.exec(Duration.ofMinutes(1), LAUNCHER.toString(), "reverse", "--listen", "8443");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("Missing required option: '--connect=HOST:PORT'").contains("Usage: plainsight reverse");
    }

    @Test
    void theReadmeFirstCommandStartsTheForwardProxyOn8080WithDefaultCaptures() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeFalse(io.plainsight.testing.FreePort.accepting(8080),
                "something else listens on 127.0.0.1:8080, which `./plainsight proxy` uses by default");
        Path userHome = tmp.resolve("user");
        Files.createDirectories(userHome);
        try (ExternalProcess p = ExternalProcess.builder(LAUNCHER.toString(), "proxy")
                .env("HOME", userHome.toString()).unsetEnv("PLAINSIGHT_HOME").start()) {
            p.awaitStderr("listening on 127.0.0.1:8080", Duration.ofSeconds(60));
            Curl.Response resp = Curl.http("http://127.0.0.1:" + nginx.plainPort() + "/1k.bin",
                    "--noproxy", "", "--proxy", "http://127.0.0.1:8080");
            assertThat(resp.body()).isEqualTo(Docroot.content("1k.bin"));
            Curl.Response ca = Curl.http("http://plainsight/cert/pem", "--noproxy", "", "--proxy", "http://127.0.0.1:8080");
            assertThat(ca.bodyText()).isEqualTo(Files.readString(userHome.resolve(".plainsight/ca.pem")));
            p.signal("TERM");
            p.waitFor(Duration.ofSeconds(30));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(userHome.resolve(".plainsight/captures"))) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".pcap")).toList();
        }
        assertThat(files).hasSize(1);
        assertThat(new Tshark().fieldLines(files.get(0), "http.request", "http.request.uri")).containsExactly("/1k.bin");
    }

    @Test
    void sigtermFlushesAndClosesTheDefaultCaptureDirectory() throws Exception {
        Path home = tmp.resolve("home");
        int port = io.plainsight.testing.FreePort.tcp();
        try (ExternalProcess p = ExternalProcess.start(List.of(LAUNCHER.toString(), "reverse", "--listen", "127.0.0.1:" + port,
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(),
                "--home", home.toString()))) {
            p.awaitStderr("listening on", Duration.ofSeconds(60));
            Curl.Response resp = Curl.https("https://backend.test:" + port + "/1m.bin", home.resolve("ca.pem"),
                    "--resolve", "backend.test:" + port + ":127.0.0.1", "--http1.1");
            assertThat(resp.body()).isEqualTo(Docroot.content("1m.bin"));
            p.awaitStdout(" reverse ", Duration.ofSeconds(10)); // the connection's console line
            p.signal("TERM");
            ExternalProcess.Result r = p.waitFor(Duration.ofSeconds(30));
            assertThat(r.exitCode()).isIn(0, 143);
        }
        Path captures = home.resolve("captures");
        List<Path> files;
        try (Stream<Path> s = Files.list(captures)) {
            files = s.filter(f -> f.getFileName().toString().endsWith(".pcap")).toList();
        }
        assertThat(files).hasSize(1);
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(files.get(0));
        assertThat(tshark.fieldLines(files.get(0), "http.response", "http.response.code", "http.content_length"))
                .containsExactly("200\t1048576");
        assertThat(tshark.count(files.get(0), "tcp.flags.fin == 1")).isEqualTo(2);
    }

    @Test
    void pcapToStdoutStreamsAReadableCaptureAndMovesTheConsoleToStderr() throws Exception {
        Path home = tmp.resolve("home");
        int port = io.plainsight.testing.FreePort.tcp();
        Path stdout;
        try (ExternalProcess p = ExternalProcess.start(List.of(LAUNCHER.toString(), "reverse", "--listen", "127.0.0.1:" + port,
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(),
                "--home", home.toString(), "--pcap", "-"))) {
            p.awaitStderr("listening on", Duration.ofSeconds(60));
            Curl.Response resp = Curl.https("https://backend.test:" + port + "/1k.bin", home.resolve("ca.pem"),
                    "--resolve", "backend.test:" + port + ":127.0.0.1", "--http1.1");
            assertThat(resp.body()).isEqualTo(Docroot.content("1k.bin"));
            p.awaitStderr(" reverse ", Duration.ofSeconds(10)); // the console line went to stderr
            p.signal("TERM");
            p.waitFor(Duration.ofSeconds(30));
            stdout = p.stdoutFile();
        }
        Tshark tshark = new Tshark();
        tshark.assertReadsCleanly(stdout);
        assertThat(tshark.fieldLines(stdout, "http.request", "http.request.uri")).containsExactly("/1k.bin");
    }

    /** Any output given '-' has stdout to itself: the console lines (exchanges, connections) go to stderr. */
    @Test
    void harAndConnectionLogOnStdoutGetItAlone() throws Exception {
        Path capture = io.plainsight.testing.WiresharkTlsCorpus.capture("challenge01_ooo_stream.pcapng.gz");
        ExternalProcess.Result har = ExternalProcess.exec(Duration.ofMinutes(3), LAUNCHER.toString(), "decrypt",
                capture.toString(), "--no-pcap", "--har", "-", "--report", "none");
        assertThat(har.exitCode()).isZero();
        var log = new com.fasterxml.jackson.databind.ObjectMapper().readTree(har.stdout()).path("log");
        assertThat(log.path("entries").size()).isEqualTo(12);
        assertThat(har.stderr()).contains("GET https://25th.syn-bit.nl/bootstrap.bundle.min.js  200");
        ExternalProcess.Result connections = ExternalProcess.exec(Duration.ofMinutes(3), LAUNCHER.toString(), "decrypt",
                capture.toString(), "--no-pcap", "--connections", "-", "--report", "none");
        assertThat(connections.exitCode()).isZero();
        assertThat(connections.stdout().lines().toList()).isNotEmpty().allMatch(l -> l.startsWith("{\"time\":"));
        assertThat(connections.stderr()).contains("GET https://25th.syn-bit.nl/bootstrap.bundle.min.js  200");
    }

    /**
     * decrypt's class-data-sharing archive: the first run writes it, later runs map it; either way
     * the output is the same, stderr carries no JVM logging, and where it cannot be written the run
     * goes on without it.
     */
    @Test
    void decryptWritesAClassArchiveOnceAndLaterRunsGiveTheSameOutput() throws Exception {
        Path capture = io.plainsight.testing.WiresharkTlsCorpus.capture("challenge01_ooo_stream.pcapng.gz");
        Path cds = tmp.resolve("cds");
        ExternalProcess.Result first = decryptToStdout(capture, cds.toString());
        assertThat(first.exitCode()).isZero();
        try (Stream<Path> files = Files.list(cds)) {
            assertThat(files.filter(f -> f.toString().endsWith(".jsa")).toList())
                    .singleElement().satisfies(f -> assertThat(Files.size(f)).isGreaterThan(1_000_000));
        }
        ExternalProcess.Result second = decryptToStdout(capture, cds.toString());
        Files.writeString(tmp.resolve("file"), "not a directory");
        ExternalProcess.Result unwritable = decryptToStdout(capture, tmp.resolve("file/cds").toString());
        for (ExternalProcess.Result r : List.of(first, second, unwritable)) {
            assertThat(r.exitCode()).isZero();
            assertThat(r.stderr()).doesNotContain("[cds]").doesNotContain("VM warning").doesNotContain("shared archive");
            assertThat(r.stdout()).isEqualTo(first.stdout()).contains("\"entries\"");
        }
    }

    /**
     * The run that writes the archive keeps its own exit code (5: nothing decrypted) and its stdout
     * (a PCAP: the JDK's note about the dump must not land in it).
     */
    @Test
    void theRunWritingTheClassArchiveKeepsItsExitCodeAndStdout() throws Exception {
        Path capture = io.plainsight.testing.WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap");
        Path cds = tmp.resolve("cds");
        ExternalProcess.Result[] runs = new ExternalProcess.Result[2];
        for (int i = 0; i < 2; i++) {
            try (ExternalProcess p = ExternalProcess.builder(LAUNCHER.toString(), "decrypt", capture.toString(),
                    "--pcap", "-", "--report", "none").env("PLAINSIGHT_CDS_DIR", cds.toString()).start()) {
                runs[i] = p.waitFor(Duration.ofMinutes(3));
            }
            try (Stream<Path> files = Files.list(cds)) {
                assertThat(files.map(f -> f.getFileName().toString()).filter(f -> f.endsWith(".jsa") || f.contains(".tmp-")))
                        .as("run %d", i).singleElement().matches(f -> f.endsWith(".jsa"));
            }
        }
        for (ExternalProcess.Result r : runs) {
            assertThat(r.exitCode()).isEqualTo(5);
            assertThat(r.stderr()).doesNotContain("[cds]").doesNotContain("VM warning").doesNotContain("archive");
            Path pcap = tmp.resolve("stdout.pcap");
            Files.write(pcap, r.stdoutBytes());
            new Tshark().assertReadsCleanly(pcap);
        }
        assertThat(runs[1].stdoutBytes()).isEqualTo(runs[0].stdoutBytes());
    }

    /**
     * picocli's classes (Java 5 class files, which the class archive cannot hold once linked) are
     * rewritten to Java 8 class files by the build when its JDK has the ClassFile API (24+), and a
     * decrypt run after the one that wrote the archive then loads them from it.
     */
    @Test
    void picocliComesFromTheClassArchiveWhenTheBuildCouldRewriteIt() throws Exception {
        int major;
        try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(Path.of("target/plainsight.jar").toFile())) {
            byte[] head = jar.getInputStream(jar.getEntry("picocli/CommandLine.class")).readNBytes(8);
            major = ((head[6] & 0xff) << 8) | (head[7] & 0xff);
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(Runtime.version().feature() >= 24,
                "the build's JDK has no ClassFile API: picocli stays version " + major);
        assertThat(major).isEqualTo(52);
        Path capture = io.plainsight.testing.WiresharkTlsCorpus.capture("tls12-chacha20poly1305.pcap");
        Path cds = tmp.resolve("cds");
        for (int i = 0; i < 2; i++) {
            Path log = tmp.resolve("classes-" + i + ".log");
            try (ExternalProcess p = ExternalProcess.builder(LAUNCHER.toString(), "decrypt", capture.toString(),
                    "--no-pcap", "--report", "none").env("PLAINSIGHT_CDS_DIR", cds.toString())
                    .env("PLAINSIGHT_JAVA_OPTS", "-Xlog:class+load=info:file=" + log).start()) {
                assertThat(p.waitFor(Duration.ofMinutes(3)).exitCode()).isEqualTo(5);
            }
            List<String> picocli = Files.readAllLines(log).stream().filter(l -> l.contains(" picocli.CommandLine ")).toList();
            assertThat(picocli).as("run %d", i).singleElement().asString()
                    .contains(i == 0 ? "source: file:" : "source: shared objects file");
        }
    }

    private static ExternalProcess.Result decryptToStdout(Path capture, String cdsDir) {
        try (ExternalProcess p = ExternalProcess.builder(LAUNCHER.toString(), "decrypt", capture.toString(),
                "--no-pcap", "--har", "-", "--report", "none").env("PLAINSIGHT_CDS_DIR", cdsDir).start()) {
            return p.waitFor(Duration.ofMinutes(3));
        }
    }

    @Test
    void optionsComeFromAYamlConfigFile() throws Exception {
        Path home = tmp.resolve("home");
        int port = io.plainsight.testing.FreePort.tcp();
        Path pcap = tmp.resolve("from-config.pcap");
        Path config = tmp.resolve("plainsight.yaml");
        Files.writeString(config, """
                # reverse proxy in front of the test nginx
                listen: 127.0.0.1:%d
                connect: 127.0.0.1:%d
                upstream-ca: [%s]
                pcap: %s
                quiet: true
                """.formatted(port, nginx.tlsPort(), nginx.pki().caCert(), pcap));
        try (ExternalProcess p = ExternalProcess.start(List.of(LAUNCHER.toString(), "reverse", "--config", config.toString(),
                "--home", home.toString()))) {
            p.awaitStderr("listening on 127.0.0.1:" + port, Duration.ofSeconds(60));
            Curl.Response resp = Curl.https("https://localhost:" + port + "/index.html", home.resolve("ca.pem"));
            assertThat(resp.body()).isEqualTo(Docroot.content("index.html"));
            p.signal("TERM");
            p.waitFor(Duration.ofSeconds(30));
            assertThat(p.stdoutSoFar()).as("quiet: true silences the console").isEmpty();
        }
        assertThat(new Tshark().count(pcap, "http2.headers.path == \"/index.html\"")).isEqualTo(1);
    }

    @Test
    void badConfigFileIsNamed() throws Exception {
        Path config = tmp.resolve("bad.yaml");
        Files.writeString(config, "listen: 8443\nconect: a:1\n");
        ExternalProcess.Result r = ExternalProcess.exec(Duration.ofMinutes(1), LAUNCHER.toString(), "reverse", "--config", config.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.stderr()).contains("config " + config + ": unknown option 'conect' for 'plainsight reverse'");
    }

    @Test
    void sighupReloadsTheRulesFileAndABadEditKeepsTheRulesInForce() throws Exception {
        // a hangup ignored by this JVM (a test run under nohup) is ignored by the plainsight it starts:
        // anIgnoredSighupIsSaidAtStartUp covers that case
        org.junit.jupiter.api.Assumptions.assumeFalse(sighupIgnoredHere(), "SIGHUP is ignored in this test run (nohup?)");
        Path home = tmp.resolve("home");
        int port = io.plainsight.testing.FreePort.tcp();
        Path rules = tmp.resolve("rules.conf");
        Path audit = tmp.resolve("modsec_audit.log");
        Files.writeString(rules, "1 match http.request.uri == \"/nothing\" => audit off\n");
        try (ExternalProcess p = ExternalProcess.start(List.of(LAUNCHER.toString(), "reverse", "--listen", "127.0.0.1:" + port,
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(),
                "--home", home.toString(), "--no-pcap", "-q", "--rules", rules.toString(), "--audit-log", audit.toString()))) {
            p.awaitStderr("listening on", Duration.ofSeconds(60));
            fetch(port, home, "/1k.bin");
            awaitAuditEntries(audit, 1);

            // the edited file is read on SIGHUP (a real signal to the JVM the launcher exec'd)
            Files.writeString(rules, "7 \"quiet please\" match http.request.uri == \"/1k.bin\" => audit off\n");
            p.signal("HUP");
            p.awaitStderr("rules reloaded", Duration.ofSeconds(20));
            fetch(port, home, "/1k.bin");
            fetch(port, home, "/index.html");
            awaitAuditEntries(audit, 2);
            String log = Files.readString(audit);
            assertThat(log.split("/1k.bin HTTP", -1)).as("/1k.bin logged once: before the reload").hasSize(2);
            assertThat(log).contains("GET /index.html HTTP");

            // a broken edit is reported and the rules in force stay
            Files.writeString(rules, "8 match http.request.uri = \"/x\" => audit off\n");
            p.signal("HUP");
            p.awaitStderr("rules not reloaded", Duration.ofSeconds(20));
            assertThat(p.stderrSoFar()).contains(rules.toString());
            fetch(port, home, "/1k.bin");
            fetch(port, home, "/index.html");
            awaitAuditEntries(audit, 3);
            assertThat(Files.readString(audit).split("/1k.bin HTTP", -1)).as("rule 7 still in force").hasSize(2);
            assertThat(p.isAlive()).isTrue();
            p.signal("TERM");
            p.waitFor(Duration.ofSeconds(30));
        }
    }

    /** Whether this process ignores SIGHUP (bit 0 of SigIgn in /proc/self/status), as its children then do. */
    private static boolean sighupIgnoredHere() throws java.io.IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("SigIgn:")) {
                return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 1) != 0;
            }
        }
        return false;
    }

    /**
     * Started under nohup, SIGHUP is ignored, and the JVM will not handle a signal ignored when it
     * started: plainsight says so at start-up instead of leaving a reload that never comes unsaid,
     * and a hangup neither reloads the rules nor stops it.
     */
    @Test
    void anIgnoredSighupIsSaidAtStartUp() throws Exception {
        Path home = tmp.resolve("home");
        int port = io.plainsight.testing.FreePort.tcp();
        Path rules = tmp.resolve("rules.conf");
        Files.writeString(rules, "1 match http.request.uri == \"/nothing\" => audit off\n");
        try (ExternalProcess p = ExternalProcess.start(List.of("nohup", LAUNCHER.toString(), "reverse", "--listen",
                "127.0.0.1:" + port, "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString(),
                "--home", home.toString(), "--no-pcap", "-q", "--rules", rules.toString()))) {
            p.awaitStderr("listening on", Duration.ofSeconds(60));
            assertThat(p.stderrSoFar()).contains("SIGHUP was ignored when plainsight started (under nohup?): "
                    + "the rules are not reloaded on a hangup");
            p.signal("HUP");
            fetch(port, home, "/1k.bin");
            assertThat(p.isAlive()).isTrue();
            assertThat(p.stderrSoFar()).doesNotContain("reloading the rules");
            p.signal("TERM");
            p.waitFor(Duration.ofSeconds(30));
        }
    }

    private static void fetch(int port, Path home, String path) {
        Curl.Response resp = Curl.https("https://localhost:" + port + path, home.resolve("ca.pem"), "--http1.1");
        assertThat(resp.body()).isEqualTo(Docroot.content(path.substring(1)));
    }

    /** Waits (the audit log is flushed at least once a second) until the log holds {@code n} entries. */
    private static void awaitAuditEntries(Path audit, int n) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long entries = 0;
        while (System.nanoTime() < deadline) {
            entries = Files.exists(audit) ? Files.readAllLines(audit, java.nio.charset.StandardCharsets.ISO_8859_1).stream()
                    .filter(l -> l.matches("^--[a-f0-9]{8}-A--$")).count() : 0;
            if (entries >= n) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(entries).as("audit log entries in " + audit).isEqualTo(n);
    }
}

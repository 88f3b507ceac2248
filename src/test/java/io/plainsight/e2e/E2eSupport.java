package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Main;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.NginxFixture;
import io.plainsight.testing.Tshark;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * Shared set-up of the end-to-end tests: one nginx (TLS with h2, plain HTTP) as the backend, a
 * plainsight home per test, plainsight started in-process with its console captured.
 */
abstract class E2eSupport {
    static NginxFixture nginx;

    @TempDir
    Path tmp;

    final List<Running> started = new ArrayList<>();
    final ByteArrayOutputStream consoleBytes = new ByteArrayOutputStream();
    final PrintStream console = new PrintStream(consoleBytes, true, StandardCharsets.UTF_8);
    final Tshark tshark = new Tshark();

    @BeforeAll
    static void startBackend() {
        ExternalProcess.requireTool("nginx");
        ExternalProcess.requireTool("openssl");
        ExternalProcess.requireTool("curl");
        ExternalProcess.requireTool("tshark");
        if (nginx == null) {
            nginx = NginxFixture.builder().tls().http2(true).plain().start();
        }
    }

    @AfterAll
    static void stopBackend() {
        if (nginx != null) {
            nginx.close();
            nginx = null;
        }
    }

    @AfterEach
    void stopPlainsight() {
        started.forEach(Running::close);
    }

    Path home() {
        return tmp.resolve("home");
    }

    Path pcap() {
        return tmp.resolve("capture.pcap");
    }

    /** Our CA, as clients must trust it. */
    Path ourCa() {
        return home().resolve("ca.pem");
    }

    /** Starts plainsight with {@code args} plus --home and --pcap in this test's directory. */
    Running plainsight(String... args) throws InterruptedException {
        List<String> all = new ArrayList<>(List.of(args));
        if (!all.contains("--home")) {
            all.add("--home");
            all.add(home().toString());
        }
        if (!all.contains("--pcap") && !all.contains("--pcap-dir") && !all.contains("--no-pcap")) {
            all.add("--pcap");
            all.add(pcap().toString());
        }
        Running r = Main.start(console, all.toArray(String[]::new));
        started.add(r);
        return r;
    }

    /** Reverse proxy to the nginx TLS port, trusting the test PKI. */
    Running reverseToNginx(String... extra) throws InterruptedException {
        List<String> args = new ArrayList<>(List.of("reverse", "--listen", "127.0.0.1:0",
                "--connect", "127.0.0.1:" + nginx.tlsPort(), "--upstream-ca", nginx.pki().caCert().toString()));
        args.addAll(List.of(extra));
        return plainsight(args.toArray(String[]::new));
    }

    static String url(Running r, String host, String path) {
        return "https://" + host + ":" + r.port() + path;
    }

    static String resolve(Running r, String host) {
        return host + ":" + r.port() + ":127.0.0.1";
    }

    /**
     * curl over HTTP/1.1 from the local address {@code from} (clients told apart by source address)
     * to {@code path} on backend.test through {@code r}; stdout is the status code.
     */
    ExternalProcess.Result curlFrom(Running r, String from, String path, String... extra) {
        List<String> args = new ArrayList<>(List.of("--http1.1", "--interface", from, "--cacert", ourCa().toString(),
                "--resolve", resolve(r, "backend.test"), "-o", "/dev/null", "-w", "%{http_code}"));
        args.addAll(List.of(extra));
        args.add(url(r, "backend.test", path));
        ExternalProcess.Result res = Curl.run(args.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        return res;
    }

    String consoleText() {
        return consoleBytes.toString(StandardCharsets.UTF_8);
    }

    /** Waits (bounded) for a console line matching {@code p}: lines are written when connections end. */
    String awaitConsoleLine(Running r, Predicate<String> p) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            r.drain();
            for (String line : consoleText().split("\n")) {
                if (p.test(line)) {
                    return line;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no console line matched; console was:\n" + consoleText());
    }

    /** Flushes every output, then checks tshark reads the capture without complaint. */
    Path flushedCapture(Running r) {
        assertThat(r.drain()).as("capture drained").isTrue();
        tshark.assertReadsCleanly(pcap());
        return pcap();
    }
}

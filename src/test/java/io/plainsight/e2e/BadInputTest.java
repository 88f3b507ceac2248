package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Main;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.Docroot;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.FreePort;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Bad input on every path: a clear one-line reason on the console, a clean close of that
 * connection, and the process keeps serving.
 */
class BadInputTest extends E2eSupport {

    /** The proxy still serves a good request after the bad one. */
    void stillServes(Running r) {
        Curl.Response ok = Curl.https(url(r, "backend.test", "/index.html"), ourCa(), "--resolve", resolve(r, "backend.test"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(Docroot.content("index.html"));
    }

    @Test
    void clientThatDoesNotSpeakTls() throws Exception {
        Running r = reverseToNginx();
        try (Socket s = new Socket("127.0.0.1", r.port())) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // drain until the proxy closes
            }
        }
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("client did not speak TLS (first bytes: 'GET / HTTP/1.1\\r\\nHost: x");
        stillServes(r);
    }

    @Test
    void backendThatRefuses() throws Exception {
        int closedPort = FreePort.tcp();
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + closedPort);
        curlFails(r, "backend.test", ourCa());
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("cannot connect to backend 127.0.0.1:" + closedPort + ": connection refused");
    }

    @Test
    void backendThatDoesNotResolve() throws Exception {
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "no-such-host.invalid:443");
        curlFails(r, "backend.test", ourCa());
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("cannot connect to backend no-such-host.invalid:443: host does not resolve");
        stillServesNothingElse(r);
    }

    /** The listener is still accepting after a failed conversation. */
    static void stillServesNothingElse(Running r) throws Exception {
        try (Socket s = new Socket("127.0.0.1", r.port())) {
            assertThat(s.isConnected()).isTrue();
        }
    }

    @Test
    void backendThatResets() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[100]);
                    s.setSoLinger(true, 0); // close with RST
                } catch (Exception ignored) {
                    // the test asserts on what the proxy saw
                }
            });
            Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + server.getLocalPort());
            curlFails(r, "backend.test", ourCa());
            t.join(10_000);
            String line = awaitConsoleLine(r, l -> l.contains("ERROR") || l.contains("RST"));
            assertThat(line).containsPattern("reset|RST");
        }
    }

    @Test
    void backendThatClosesDuringTheHandshakeIsReportedAtOnce() throws Exception {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress("127.0.0.1", 0));
            Thread t = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().read(new byte[4096]); // the ClientHello, then a FIN
                } catch (Exception ignored) {
                    // the test asserts on what the proxy saw
                }
            });
            Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + server.getLocalPort());
            long start = System.nanoTime();
            curlFails(r, "backend.test", ourCa());
            t.join(10_000);
            String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
            assertThat(line).contains("backend 127.0.0.1:" + server.getLocalPort() + " closed the connection during the TLS handshake");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not the 10 s handshake timeout")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void backendWithUntrustedCertificate() throws Exception {
        // no --upstream-ca: the test PKI is not in the JDK trust store
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.tlsPort());
        curlFails(r, "backend.test", ourCa());
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("backend 127.0.0.1:" + nginx.tlsPort() + " TLS handshake failed")
                .containsIgnoringCase("certification path");
    }

    @Test
    void backendWithWrongName() throws Exception {
        // the backend's certificate names neither the client's SNI nor the --connect address
        io.plainsight.testing.TestPki.Issued onlyTest = nginx.pki().issue("only.test", "only.test");
        try (io.plainsight.testing.OpensslServer server = io.plainsight.testing.OpensslServer.start(
                onlyTest.chainFile(), onlyTest.keyFile(), "-www")) {
            Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + server.port(),
                    "--upstream-ca", nginx.pki().caCert().toString());
            curlFails(r, "other.example", ourCa());
            String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
            assertThat(line).contains("TLS handshake failed").contains("127.0.0.1");
        }
    }

    @Test
    void backendNamedByConnectIsVerifiedWhateverSniTheClientSends() throws Exception {
        // like the README's first example: the client reaches the proxy as "myproxy.test", the
        // backend is --connect localhost (its certificate names localhost, not myproxy.test)
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "localhost:" + nginx.tlsPort(),
                "--upstream-ca", nginx.pki().caCert().toString());
        Curl.Response ok = Curl.https(url(r, "myproxy.test", "/index.html"), ourCa(), "--resolve", resolve(r, "myproxy.test"));
        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.body()).isEqualTo(Docroot.content("index.html"));
    }

    @Test
    void backendThatIsNotTls() throws Exception {
        Running r = plainsight("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:" + nginx.plainPort());
        curlFails(r, "backend.test", ourCa());
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("backend 127.0.0.1:" + nginx.plainPort()).contains("did not speak TLS")
                .contains("HTTP/1.1 400 Bad Request");
    }

    @Test
    void clientThatAbortsTheHandshake() throws Exception {
        Running r = reverseToNginx();
        // curl trusting only the test PKI rejects our forged certificate
        ExternalProcess.Result res = curlFails(r, "backend.test", nginx.pki().caCert());
        assertThat(res.stderr()).contains("SSL certificate problem");
        String line = awaitConsoleLine(r, l -> l.contains("ERROR"));
        assertThat(line).contains("client TLS handshake failed");
        stillServes(r);
    }

    @Test
    void unwritableCaptureKeepsTrafficFlowing() throws Exception {
        Path file = tmp.resolve("a-file");
        Files.writeString(file, "not a directory");
        Running r = reverseToNginx("--pcap", file.resolve("capture.pcap").toString());
        stillServes(r);
        stillServes(r);
    }

    @Test
    void fullDiskKeepsTrafficFlowing() throws Exception {
        Running r = reverseToNginx("--pcap", "/dev/full");
        Curl.Response big = Curl.https(url(r, "backend.test", "/10m.bin"), ourCa(), "--resolve", resolve(r, "backend.test"));
        assertThat(big.body()).isEqualTo(Docroot.content("10m.bin"));
        stillServes(r);
    }

    @Test
    void idleConnectionsAreClosedAfterTheIdleTimeout() throws Exception {
        Running r = reverseToNginx("--idle-timeout", "1s");
        // an idle TLS client (Java's SSLSocket trusting our CA): handshakes, then sends nothing
        javax.net.ssl.SSLContext ssl = ReverseProxyTest.trusting(ourCa());
        long start = System.nanoTime();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) ssl.getSocketFactory().createSocket("127.0.0.1", r.port())) {
            javax.net.ssl.SSLParameters params = s.getSSLParameters();
            params.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("backend.test")));
            s.setSSLParameters(params);
            s.startHandshake();
            s.setSoTimeout(15_000);
            int read;
            try {
                read = s.getInputStream().read();
            } catch (java.io.IOException closed) {
                read = -1;
            }
            assertThat(read).as("the proxy closed the idle connection").isEqualTo(-1);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
        String line = awaitConsoleLine(r, l -> l.contains(" reverse "));
        assertThat(line).contains(" TIMEOUT").contains("sni=backend.test");
        stillServes(r);
    }

    @Test
    void invalidArgumentsExitNonZeroWithUsage() {
        assertThat(runCli("reverse", "--listen", "8443")).satisfies(out -> {
            assertThat(out.code).isEqualTo(2);
            assertThat(out.err).contains("Missing required option: '--connect=HOST:PORT'").contains("Usage: plainsight reverse");
        });
        assertThat(runCli("reverse", "--listen", "nonsense:x", "--connect", "a:1")).satisfies(out -> {
            assertThat(out.code).isEqualTo(2);
            assertThat(out.err).contains("--listen 'nonsense:x': port 'x' is not a number");
        });
        assertThat(runCli("reverse", "--listen", "1", "--connect", "a:1", "--rotate", "5x")).satisfies(out -> {
            assertThat(out.code).isNotZero();
            assertThat(out.err).contains("--rotate '5x'");
        });
        assertThat(runCli("bogus")).satisfies(out -> assertThat(out.code).isEqualTo(2));
        assertThat(runCli("reverse", "--listen", "1", "--connect", "a:1", "--idle-timeout", "soon")).satisfies(out -> {
            assertThat(out.code).isEqualTo(2);
            assertThat(out.err).contains("--idle-timeout 'soon': expected a duration like 30s, 10m, 2h or 0 for never");
        });
    }

    @Test
    void listenAddressInUse() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            CliResult out = runCli("reverse", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--connect", "127.0.0.1:1",
                    "--home", home().toString(), "--no-pcap");
            assertThat(out.code).isEqualTo(1);
            assertThat(out.err).contains("cannot listen on 127.0.0.1:" + taken.getLocalPort()).contains("in use");
        }
    }

    @Test
    void wrongPkcs12PasswordIsNamed() throws Exception {
        Path pass = tmp.resolve("wrong.pass");
        Files.writeString(pass, "not-the-password\n");
        CliResult out = runCli("reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:1", "--home", home().toString(),
                "--server-cert", "*:" + nginx.pki().serverP12(), "--server-cert-password-file", pass.toString());
        assertThat(out.code).isNotZero();
        assertThat(out.err).contains(nginx.pki().serverP12().toString()).containsIgnoringCase("password");
    }

    /** curl gets no HTTP response: the connection is closed (by the proxy, or with an alert). */
    static ExternalProcess.Result curlFails(Running r, String host, Path ca) {
        ExternalProcess.Result res = Curl.run("--cacert", ca.toString(), "--resolve", resolve(r, host), url(r, host, "/"),
                "-o", "/dev/null");
        assertThat(res.exitCode()).as(res.toString()).isNotZero();
        return res;
    }

    record CliResult(int code, String err) {}

    static CliResult runCli(String... args) {
        var cl = Main.commandLine();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        cl.setErr(new java.io.PrintWriter(new PrintStream(err, true, StandardCharsets.UTF_8), true));
        cl.setOut(new java.io.PrintWriter(OutputStream.nullOutputStream()));
        int code = cl.execute(args);
        return new CliResult(code, err.toString(StandardCharsets.UTF_8));
    }
}

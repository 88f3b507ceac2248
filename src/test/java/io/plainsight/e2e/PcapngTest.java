package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.plainsight.cli.Running;
import io.plainsight.sink.pcap.LogCapture;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code --pcapng} through the live reverse proxy, read by tshark with no key options: the
 * decrypted streams (the same frames as the PCAP), and with {@code --pcapng-encrypted} both legs
 * as they were on the wire, decrypted by Wireshark from the file's Decryption Secrets Blocks.
 */
class PcapngTest extends E2eSupport {
    Path pcapng() {
        return tmp.resolve("capture.pcapng");
    }

    String iface(Running r, String kind) {
        return "plainsight reverse 127.0.0.1:" + r.port() + " " + kind;
    }

    /** curl to backend.test through {@code r}, trusting our CA; returns the status. */
    int curl(Running r, String path, String... extra) {
        List<String> args = new java.util.ArrayList<>(List.of("--cacert", ourCa().toString(), "--resolve",
                resolve(r, "backend.test"), "-o", "/dev/null", "-w", "%{http_code}"));
        args.addAll(List.of(extra));
        args.add(url(r, "backend.test", path));
        ExternalProcess.Result res = Curl.run(args.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        return Integer.parseInt(res.stdout().strip());
    }

    @Test
    void decryptedStreamsOnTheListenersInterfaceWithAConnectionCommentAndThePcapsFrames() throws Exception {
        Running r = reverseToNginx("--pcapng", pcapng().toString());
        assertThat(curl(r, "/index.html", "--http1.1")).isEqualTo(200);
        assertThat(curl(r, "/1k.bin", "--http2")).isEqualTo(200);
        Path pcap = flushedCapture(r);
        tshark.assertReadsCleanly(pcapng());
        tshark.assertChecksumsAndTcpAnalysisClean(pcapng());

        assertThat(tshark.fieldLines(pcapng(), "http.request", "frame.interface_name", "http.request.uri"))
                .containsExactly(iface(r, "decrypted") + "\t/index.html");
        assertThat(tshark.fieldLines(pcapng(), "http2.headers.path", "http2.headers.path")).containsExactly("/1k.bin");
        assertThat(tshark.fieldLines(pcapng(), "frame.comment", "frame.comment"))
                .hasSize(2).allSatisfy(c -> assertThat(c).matches("connection #\\d+ sni=backend\\.test"));
        String[] fields = {"frame.len", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.seq_raw", "tcp.flags"};
        assertThat(tshark.fieldLines(pcapng(), null, fields)).hasSizeGreaterThan(10)
                .isEqualTo(tshark.fieldLines(pcap, null, fields));
    }

    @Test
    void thePcapFileAndAPcapOverIpReaderGetThePcapngsDecryptedFramesMadeOnItsThread() throws Exception {
        Running r = reverseToNginx("--pcapng", pcapng().toString(), "--pcapng-encrypted", "--pcap-over-ip", "127.0.0.1:0");
        // one bus queue and thread for the three: the PCAP sink follows the PCAPNG sink, PCAP-over-IP the PCAP sink
        assertThat(r.bus().sinks()).noneMatch(s -> s instanceof io.plainsight.sink.pcap.PcapSink
                || s instanceof io.plainsight.sink.pcapoverip.PcapOverIpSink);
        io.plainsight.sink.pcapoverip.PcapOverIpSink poip = PcapOverIpTest.sinkOf(r);
        try (io.plainsight.testing.PcapStreamClient reader = io.plainsight.testing.PcapStreamClient.connect(
                poip.serverAddress(), tmp.resolve("stream.pcap"))) {
            for (int i = 0; i < 200 && poip.readers() < 1; i++) {
                Thread.sleep(20);
            }
            assertThat(poip.readers()).isEqualTo(1);
            assertThat(curl(r, "/index.html", "--http1.1", "--tlsv1.3")).isEqualTo(200);
            assertThat(curl(r, "/1k.bin", "--http1.1", "--tlsv1.2", "--tls-max", "1.2")).isEqualTo(200);
            r.close();
            reader.awaitEnd(java.time.Duration.ofSeconds(30));
            String[] fields = {"frame.time_epoch", "frame.len", "ip.src", "tcp.srcport", "ip.dst", "tcp.dstport", "tcp.seq_raw",
                "tcp.flags", "tcp.checksum"};
            List<String> decrypted = tshark.fieldLines(pcapng(), "frame.interface_name contains \"decrypted\"", fields);
            assertThat(decrypted).hasSizeGreaterThan(10);
            assertThat(tshark.fieldLines(pcap(), null, fields)).isEqualTo(decrypted);
            assertThat(tshark.fieldLines(reader.file(), null, fields)).isEqualTo(decrypted);
            assertThat(tshark.fieldLines(pcap(), "http.request", "http.request.uri")).containsExactly("/index.html", "/1k.bin");
            tshark.assertChecksumsAndTcpAnalysisClean(pcap());
        }
    }

    @Test
    void encryptedLegsOfTls12AndTls13DecryptWithNoKeyOptions() throws Exception {
        Running r = reverseToNginx("--pcapng", pcapng().toString(), "--pcapng-encrypted");
        assertThat(curl(r, "/index.html", "--http1.1", "--tlsv1.2", "--tls-max", "1.2")).isEqualTo(200);
        assertThat(curl(r, "/hello", "--http1.1", "--tlsv1.3")).isEqualTo(200);
        assertThat(r.drain()).isTrue();
        tshark.assertReadsCleanly(pcapng());

        assertThat(tshark.fieldLines(pcapng(), "http.request", "frame.interface_name", "http.request.uri"))
                .containsExactlyInAnyOrder(
                        iface(r, "client leg") + "\t/index.html", iface(r, "client leg") + "\t/hello",
                        iface(r, "upstream leg") + "\t/index.html", iface(r, "upstream leg") + "\t/hello",
                        iface(r, "decrypted") + "\t/index.html", iface(r, "decrypted") + "\t/hello");
        // the client leg runs to plainsight's listener, the upstream leg to nginx, on their real ports
        assertThat(tshark.fieldLines(pcapng(), "http.request && frame.interface_name contains \"client leg\"", "tcp.dstport"))
                .containsOnly(Integer.toString(r.port()));
        assertThat(tshark.fieldLines(pcapng(), "http.request && frame.interface_name contains \"upstream leg\"", "tcp.dstport"))
                .containsOnly(Integer.toString(nginx.tlsPort()));
        // the client legs negotiated what curl was told to
        assertThat(tshark.fieldLines(pcapng(), "tls.handshake.type == 2 && frame.interface_name contains \"client leg\"",
                "tls.handshake.version", "tls.handshake.extensions.supported_version"))
                .containsExactlyInAnyOrder("0x0303\t", "0x0303\t0x0304"); // TLS 1.3 says so in supported_versions
        // each connection's first packet on each of its three interfaces carries its comment
        assertThat(tshark.fieldLines(pcapng(), "frame.comment", "frame.comment")).hasSize(2 * 3);
    }

    @Test
    void forwardProxyConnectThenTlsAndH2DecryptOnEveryInterface() throws Exception {
        Running r = plainsight("proxy", "--listen", "127.0.0.1:0", "--upstream-ca", nginx.pki().caCert().toString(),
                "--pcapng", pcapng().toString(), "--pcapng-encrypted");
        String origin = "https://localhost:" + nginx.tlsPort();
        for (String version : List.of("--http1.1", "--http2")) {
            Curl.Response resp = Curl.https(origin + "/index.html", ourCa(), "--noproxy", "", "--proxy",
                    "http://127.0.0.1:" + r.port(), version);
            assertThat(resp.status()).isEqualTo(200);
        }
        assertThat(r.drain()).isTrue();
        tshark.assertReadsCleanly(pcapng());
        String proxy = "plainsight proxy 127.0.0.1:" + r.port() + " ";
        // the CONNECT request is plaintext on the client leg; the TLS after it decrypts from the file's keys
        assertThat(tshark.fieldLines(pcapng(), "http.request", "frame.interface_name", "http.request.method",
                "http.request.uri")).containsExactlyInAnyOrder(
                proxy + "client leg\tCONNECT\tlocalhost:" + nginx.tlsPort(),
                proxy + "client leg\tCONNECT\tlocalhost:" + nginx.tlsPort(),
                proxy + "client leg\tGET\t/index.html", proxy + "upstream leg\tGET\t/index.html",
                proxy + "decrypted\tGET\t/index.html");
        assertThat(tshark.fieldLines(pcapng(), "http2.headers.path", "frame.interface_name", "http2.headers.path"))
                .containsExactlyInAnyOrder(proxy + "client leg\t/index.html", proxy + "upstream leg\t/index.html",
                        proxy + "decrypted\t/index.html");
    }

    @Test
    void anUnwritablePcapngPathIsSaidOnceAndTrafficFlows() throws Exception {
        Path blocker = tmp.resolve("blocker");
        Files.writeString(blocker, "a regular file");
        Path file = blocker.resolve("x.pcapng");
        try (LogCapture logs = new LogCapture("io.plainsight.sink.pcapng")) {
            Running r = reverseToNginx("--pcapng", file.toString(), "--pcapng-encrypted");
            for (int i = 0; i < 3; i++) {
                assertThat(curl(r, "/index.html", "--http1.1")).isEqualTo(200);
            }
            assertThat(r.drain()).isTrue();
            assertThat(logs.at(Level.ERROR)).singleElement().asString()
                    .startsWith("pcapng capture cannot write to " + file + ": ").contains(blocker.toString())
                    .contains("traffic is not affected");
            assertThat(tshark.count(flushedCapture(r), "http.request")).isEqualTo(3); // the PCAP beside it is whole
        }
    }

    @Test
    void badPcapngOptionsStopStartUpNamingTheOption() {
        BadInputTest.CliResult noFile = BadInputTest.runCli("reverse", "--listen", "127.0.0.1:0", "--connect",
                "127.0.0.1:1", "--home", home().toString(), "--pcapng-encrypted");
        assertThat(noFile.code()).isEqualTo(2);
        assertThat(noFile.err()).contains("plainsight: --pcapng-encrypted needs --pcapng FILE|DIR/");
        BadInputTest.CliResult stdout = BadInputTest.runCli("reverse", "--listen", "127.0.0.1:0", "--connect",
                "127.0.0.1:1", "--home", home().toString(), "--pcapng", "-");
        assertThat(stdout.code()).isEqualTo(2);
        assertThat(stdout.err()).contains("plainsight: --pcapng -: standard output is not supported");
    }
}

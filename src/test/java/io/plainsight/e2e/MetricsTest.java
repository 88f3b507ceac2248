package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.plainsight.cli.Running;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.HarChecker;
import io.plainsight.testing.PrometheusText;
import io.plainsight.testing.TestFiles;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code --metrics}: a known number of requests (curl) through the reverse and forward proxies,
 * then /metrics scraped with curl and read as a Prometheus scraper reads the text format; the byte
 * counters checked against what curl itself says it sent and received.
 */
class MetricsTest extends E2eSupport {
    /** One answer of the metrics endpoint, as curl got it. */
    record Http(int status, String contentType, String body) {}

    static Http request(Running r, String path, String... curlOptions) {
        Path body = TestFiles.newDir("scrape").resolve("body");
        List<String> args = new ArrayList<>(List.of(curlOptions));
        args.addAll(List.of("-o", body.toString(), "-w", "%{http_code} %{content_type}",
                "http://127.0.0.1:" + r.metricsAddress().getPort() + path));
        ExternalProcess.Result res = Curl.run(args.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        String[] w = res.stdout().split(" ", 2);
        try {
            return new Http(Integer.parseInt(w[0]), w.length > 1 ? w[1] : "", Files.exists(body) ? Files.readString(body) : "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Waits until every event reached every sink, then scrapes. */
    static PrometheusText scrape(Running r) {
        assertThat(r.drain()).as("capture drained").isTrue();
        Http h = request(r, "/metrics");
        assertThat(h.status()).isEqualTo(200);
        assertThat(h.contentType()).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
        return PrometheusText.parse(h.body());
    }

    /** Scrapes until {@code settled} holds (connections are closed asynchronously), for 10 s at most. */
    static PrometheusText scrapeUntil(Running r, java.util.function.Predicate<PrometheusText> settled) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        PrometheusText m = scrape(r);
        while (!settled.test(m) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            m = scrape(r);
        }
        return m;
    }

    /**
     * Byte counts curl reports for one transfer: what it sent (%{size_request}, which holds a small
     * -d body sent with the head) and received (%{size_header} + %{size_download}).
     */
    record Transfer(int status, long up, long down) {}

    /** Runs curl (HTTP/1.1, our CA) through {@code r}; one Transfer per URL, from curl's own counters. */
    List<Transfer> curl(Running r, String... args) {
        List<String> all = new ArrayList<>(List.of("--http1.1", "--cacert", ourCa().toString(), "--resolve",
                resolve(r, "backend.test"), "-w", "%{http_code} %{size_request} %{size_header} %{size_download}\\n"));
        all.addAll(List.of(args));
        ExternalProcess.Result res = Curl.run(all.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        List<Transfer> out = new ArrayList<>();
        for (String line : res.stdout().strip().split("\n")) {
            String[] f = line.trim().split(" ");
            out.add(new Transfer(Integer.parseInt(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]) + Long.parseLong(f[3])));
        }
        return out;
    }

    @Test
    void reverseProxyCountsConnectionsExchangesLatencyBytesAndAFailedHandshake() throws Exception {
        Path flows = tmp.resolve("flows.jsonl");
        Running r = reverseToNginx("--metrics", "127.0.0.1:0", "--flows", flows.toString());
        assertThat(request(r, "/healthz")).isEqualTo(new Http(200, "text/plain; charset=utf-8", "ok\n"));
        String u = url(r, "backend.test", "");

        List<Transfer> transfers = new ArrayList<>();
        // 5 GET 200 on one keep-alive connection, 2 GET 404 on a second, 1 POST on a third
        transfers.addAll(curl(r, u + "/hello", "-o", "/dev/null", u + "/hello", "-o", "/dev/null", u + "/hello", "-o",
                "/dev/null", u + "/hello", "-o", "/dev/null", u + "/hello", "-o", "/dev/null"));
        transfers.addAll(curl(r, u + "/missing", "-o", "/dev/null", u + "/missing-too", "-o", "/dev/null"));
        transfers.addAll(curl(r, "-d", "a=b&c=d", u + "/echo", "-o", "/dev/null"));
        assertThat(transfers).extracting(Transfer::status).containsExactly(200, 200, 200, 200, 200, 404, 404, 200);
        // and one client that does not trust our certificate (TLS 1.2: its unknown_ca alert is plaintext)
        ExternalProcess.Result untrusting = Curl.run("--tls-max", "1.2", "--cacert", nginx.pki().caCert().toString(),
                "--resolve", resolve(r, "backend.test"), u + "/hello");
        assertThat(untrusting.exitCode()).as(untrusting.toString()).isNotZero();

        // curl has exited, but plainsight may not have seen the last connection end (or the failed
        // handshake) yet: all four connections counted as ended, the failure with them
        PrometheusText m = scrapeUntil(r, t -> t.sum("plainsight_connections_total", "mode", "reverse") >= 4
                && t.sum("plainsight_tls_handshake_failures_total") >= 1);
        // connections: 3 served and ended in order, 1 failed; none open any more
        assertThat(m.value("plainsight_connections_opened_total", "mode", "reverse")).isEqualTo(4);
        assertThat(m.value("plainsight_connections_active", "mode", "reverse")).isZero();
        assertThat(m.samples("plainsight_connections_total")).allSatisfy(s -> assertThat(s.has("mode", "reverse",
                "interception", "decrypted")).as(s.toString()).isTrue());
        assertThat(m.samples("plainsight_connections_total").stream().filter(s -> !s.has("outcome", "error"))
                .mapToDouble(PrometheusText.Sample::value).sum()).isEqualTo(3);
        assertThat(m.value("plainsight_connections_total", "outcome", "error")).isEqualTo(1);
        assertThat(m.type("plainsight_connections_total")).isEqualTo("counter");

        // exchanges by host, method and status class
        assertThat(m.value("plainsight_http_exchanges_total", "host", "backend.test", "method", "GET", "status_class", "2xx"))
                .isEqualTo(5);
        assertThat(m.value("plainsight_http_exchanges_total", "host", "backend.test", "method", "GET", "status_class", "4xx"))
                .isEqualTo(2);
        assertThat(m.value("plainsight_http_exchanges_total", "host", "backend.test", "method", "POST", "status_class", "2xx"))
                .isEqualTo(1);
        assertThat(m.sum("plainsight_http_exchanges_total")).isEqualTo(8);

        // both latency histograms hold every request, in non-decreasing buckets ending at +Inf
        for (String h : List.of("plainsight_http_request_duration_seconds", "plainsight_http_upstream_duration_seconds")) {
            assertThat(m.type(h)).isEqualTo("histogram");
            assertThat(m.value(h + "_count", "host", "backend.test")).as(h).isEqualTo(8);
            assertThat(m.value(h + "_sum", "host", "backend.test")).as(h).isPositive();
            List<Double> buckets = m.samples(h + "_bucket", "host", "backend.test").stream()
                    .map(PrometheusText.Sample::value).toList();
            assertThat(buckets).as(h).isSorted().hasSizeGreaterThan(5).last().isEqualTo(8.0);
            assertThat(m.value(h + "_bucket", "host", "backend.test", "le", "+Inf")).isEqualTo(8);
        }
        // the client-observed latency includes the upstream one
        assertThat(m.value("plainsight_http_request_duration_seconds_sum", "host", "backend.test"))
                .isGreaterThanOrEqualTo(m.value("plainsight_http_upstream_duration_seconds_sum", "host", "backend.test"));

        // bytes each way: exactly what curl says it sent and received, and what the flow log saw
        long up = transfers.stream().mapToLong(Transfer::up).sum();
        long down = transfers.stream().mapToLong(Transfer::down).sum();
        assertThat(up).isPositive();
        assertThat(m.value("plainsight_bytes_total", "mode", "reverse", "direction", "client_to_server")).isEqualTo(up);
        assertThat(m.value("plainsight_bytes_total", "mode", "reverse", "direction", "server_to_client")).isEqualTo(down);
        long flowUp = 0;
        long flowDown = 0;
        for (String line : Files.readAllLines(flows)) {
            JsonNode l = new ObjectMapper().readTree(line);
            if (l.get("type").asText().equals("http")) {
                flowUp += l.at("/request/header_bytes").asLong() + l.at("/request/wire_body_bytes").asLong();
                flowDown += l.at("/response/header_bytes").asLong() + l.at("/response/wire_body_bytes").asLong();
            }
        }
        assertThat(flowUp).isEqualTo(up);
        assertThat(flowDown).isEqualTo(down);

        // the failed handshake: the client's side, with its reason
        assertThat(m.value("plainsight_tls_handshake_failures_total", "side", "client", "reason", "unknown_ca")).isEqualTo(1);
        assertThat(m.sum("plainsight_tls_handshake_failures_total")).isEqualTo(1);
        assertThat(m.sum("plainsight_tls_handshakes_total", "side", "client")).isEqualTo(3);
        assertThat(m.sum("plainsight_tls_handshakes_total", "side", "upstream")).isGreaterThanOrEqualTo(3);

        // the capture bus per sink, certificates, the JVM
        for (String sink : List.of("pcap", "console", "exchanges", "metrics")) {
            assertThat(m.value("plainsight_capture_queue_events", "sink", sink)).as(sink).isZero();
            assertThat(m.value("plainsight_capture_dropped_events_total", "sink", sink)).as(sink).isZero();
            // a handful of requests never fills a queue: no I/O thread waited for one
            assertThat(m.value("plainsight_capture_blocked_seconds_total", "sink", sink)).as(sink).isZero();
            assertThat(m.value("plainsight_capture_sink_failures_total", "sink", sink)).as(sink).isZero();
        }
        assertThat(m.value("plainsight_certificates_forged_total")).isGreaterThanOrEqualTo(1);
        assertThat(m.samples("jvm_memory_used_bytes", "area", "heap")).isNotEmpty()
                .allSatisfy(s -> assertThat(s.value()).isNotNegative());
        assertThat(m.sum("jvm_memory_used_bytes", "area", "heap")).isPositive();
        assertThat(m.anyName(n -> n.startsWith("jvm_gc_"))).isTrue();
        assertThat(m.value("process_uptime_seconds")).isPositive();

        assertThat(request(r, "/healthz").status()).isEqualTo(200);
        assertThat(request(r, "/nothing-here").status()).isEqualTo(404);
        assertThat(request(r, "/metrics", "-X", "POST").status()).isEqualTo(405);
    }

    @Test
    void forwardProxyCountsForgedCertificatesThenCacheHitsAndPassThrough() throws Exception {
        Running r = plainsight("proxy", "--listen", "127.0.0.1:0", "--upstream-ca", nginx.pki().caCert().toString(),
                "--metrics", "127.0.0.1:0", "--ignore-hosts", "^127\\.0\\.0\\.1:");
        PrometheusText m0 = scrape(r);
        // one certificate is forged at start-up (the warm-up), none served yet
        assertThat(m0.value("plainsight_certificates_forged_total")).isEqualTo(1);
        assertThat(m0.value("plainsight_certificate_cache_hits_total")).isZero();
        assertThat(m0.value("plainsight_connections_active", "mode", "proxy")).isZero();

        String origin = "https://localhost:" + nginx.tlsPort() + "/hello";
        Curl.https(origin, ourCa(), ForwardProxyTest.via(r, "--http1.1"));
        PrometheusText m1 = scrape(r);
        assertThat(m1.value("plainsight_certificates_forged_total")).isEqualTo(2);
        assertThat(m1.value("plainsight_certificate_cache_hits_total")).isZero();

        for (int i = 0; i < 3; i++) {
            assertThat(Curl.https(origin, ourCa(), ForwardProxyTest.via(r, "--http1.1")).status()).isEqualTo(200);
        }
        // a host that is not intercepted: no certificate, counted as passthrough
        Curl.https("https://127.0.0.1:" + nginx.tlsPort() + "/hello", nginx.pki().caCert(), ForwardProxyTest.via(r));
        // connections are counted when plainsight has seen them end, which may be after curl exits
        PrometheusText m2 = scrapeUntil(r, t -> t.sum("plainsight_connections_total", "mode", "proxy") >= 5);
        assertThat(m2.value("plainsight_certificates_forged_total")).isEqualTo(2);
        assertThat(m2.value("plainsight_certificate_cache_hits_total")).isEqualTo(3);
        assertThat(m2.value("plainsight_http_exchanges_total", "host", "localhost", "method", "GET", "status_class", "2xx"))
                .isEqualTo(4);
        assertThat(m2.sum("plainsight_connections_total", "mode", "proxy", "interception", "decrypted")).isEqualTo(4);
        assertThat(m2.sum("plainsight_connections_total", "mode", "proxy", "interception", "passthrough")).isEqualTo(1);
        assertThat(m2.value("plainsight_connections_opened_total", "mode", "proxy")).isEqualTo(5);
        assertThat(m2.sum("plainsight_tls_handshake_failures_total")).isZero();
    }

    @Test
    void exchangesAreCountedWhateverTheFilterAndWithoutOtherOutputs() throws Exception {
        Path har = tmp.resolve("out.har");
        Running filtered = reverseToNginx("--metrics", "127.0.0.1:0", "--filter", "http.response.code >= 500",
                "--har", har.toString());
        String u = url(filtered, "backend.test", "");
        curl(filtered, u + "/hello", "-o", "/dev/null", u + "/hello", "-o", "/dev/null");
        PrometheusText m = scrape(filtered);
        assertThat(m.value("plainsight_http_exchanges_total", "host", "backend.test", "method", "GET", "status_class", "2xx"))
                .isEqualTo(2);
        assertThat(m.samples("plainsight_capture_queue_events", "sink", "metrics-http")).hasSize(1);
        filtered.close();
        assertThat(HarChecker.entries(har)).isEmpty();

        Running quiet = reverseToNginx("--metrics", "127.0.0.1:0", "-q", "--no-pcap");
        String q = url(quiet, "backend.test", "");
        curl(quiet, q + "/missing", "-o", "/dev/null");
        PrometheusText mq = scrape(quiet);
        assertThat(mq.value("plainsight_http_exchanges_total", "host", "backend.test", "method", "GET", "status_class", "4xx"))
                .isEqualTo(1);
        assertThat(mq.samples("plainsight_capture_queue_events")).extracting(s -> s.labels().get("sink"))
                .containsExactlyInAnyOrder("metrics-http", "metrics");
    }

    @Test
    void healthzTurnsUnhealthyWhileTheCaptureCannotBeWritten() throws Exception {
        Running r = reverseToNginx("--metrics", "127.0.0.1:0", "--pcap", "/dev/full");
        String u = url(r, "backend.test", "");
        curl(r, u + "/1m.bin", "-o", "/dev/null");
        Http h = null;
        for (int i = 0; i < 50; i++) {
            r.drain();
            h = request(r, "/healthz");
            if (h.status() != 200) {
                break;
            }
            Thread.sleep(100);
        }
        assertThat(h.status()).as(h.toString()).isEqualTo(503);
        assertThat(h.body()).startsWith("unhealthy\n").contains("capture sink 'pcap' is failing");
        assertThat(scrape(r).value("plainsight_capture_sink_failures_total", "sink", "pcap")).isPositive();
        // the traffic still flows
        assertThat(curl(r, u + "/hello", "-o", "/dev/null")).extracting(Transfer::status).containsExactly(200);
    }

    @Test
    void badMetricsAddressesStopStartUpNamingTheOption() throws Exception {
        String[] base = {"reverse", "--listen", "127.0.0.1:0", "--connect", "127.0.0.1:1", "--home", home().toString(),
            "--no-pcap", "-q"};
        BadInputTest.CliResult bad = BadInputTest.runCli(with(base, "--metrics", "nonsense:x"));
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--metrics 'nonsense:x': port 'x' is not a number");
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            String at = "127.0.0.1:" + taken.getLocalPort();
            BadInputTest.CliResult inUse = BadInputTest.runCli(with(base, "--metrics", at));
            assertThat(inUse.code()).isEqualTo(2);
            assertThat(inUse.err()).contains("--metrics '" + at + "': cannot listen on " + at + ": ").containsIgnoringCase("in use");
        }
        // an address this machine does not have (TEST-NET-1): nothing is sent, the bind fails
        BadInputTest.CliResult foreign = BadInputTest.runCli(with(base, "--metrics", "192.0.2.1:9100"));
        assertThat(foreign.code()).isEqualTo(2);
        assertThat(foreign.err()).contains("--metrics '192.0.2.1:9100': cannot listen on 192.0.2.1:9100: ");
    }

    private static String[] with(String[] base, String... more) {
        List<String> all = new ArrayList<>(List.of(base));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}

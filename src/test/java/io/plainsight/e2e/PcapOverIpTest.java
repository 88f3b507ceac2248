package io.plainsight.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.plainsight.cli.Running;
import io.plainsight.sink.pcap.PcapSink;
import io.plainsight.sink.pcapoverip.PcapOverIpSink;
import io.plainsight.testing.Curl;
import io.plainsight.testing.ExternalProcess;
import io.plainsight.testing.PcapStreamClient;
import io.plainsight.testing.PcapStreamListener;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BooleanSupplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * PCAP-over-IP through the reverse proxy with real peers: curl through plainsight to nginx, tshark
 * reading the live stream from a socket ({@code cat </dev/tcp/127.0.0.1/PORT | tshark -r -}), Java
 * readers that read slowly or not at all, and a plain Java listener for the push mode.
 */
class PcapOverIpTest extends E2eSupport {
    static final Duration WAIT = Duration.ofSeconds(60);

    /**
     * The PCAP-over-IP sink: on the bus (lossless), or following the PCAP sink (which makes its
     * frames), which may follow the PCAPNG sink.
     */
    static PcapOverIpSink sinkOf(Running r) {
        return r.bus().sinks().stream().flatMap(PcapOverIpTest::withFollowers)
                .filter(s -> s instanceof PcapOverIpSink).map(s -> (PcapOverIpSink) s)
                .findFirst().orElseThrow();
    }

    static java.util.stream.Stream<Object> withFollowers(Object sink) {
        List<? extends Object> followers = sink instanceof PcapSink p ? p.followers()
                : sink instanceof io.plainsight.sink.pcapng.PcapngSink p ? p.followers() : List.of();
        return java.util.stream.Stream.concat(java.util.stream.Stream.of(sink),
                followers.stream().flatMap(PcapOverIpTest::withFollowers));
    }

    /** Whether the PCAP-over-IP sink has a queue and thread of its own on the bus. */
    static boolean onTheBus(Running r) {
        return r.bus().sinks().stream().anyMatch(s -> s instanceof PcapOverIpSink);
    }

    /** curl over one keep-alive HTTP/1.1 connection fetching each path through {@code r}; returns the status codes. */
    List<String> fetch(Running r, List<String> paths) {
        List<String> args = new ArrayList<>(List.of("--http1.1", "--cacert", ourCa().toString(),
                "--resolve", resolve(r, "backend.test"), "-w", "%{http_code}\\n"));
        for (String p : paths) {
            args.addAll(List.of("-o", "/dev/null", url(r, "backend.test", p)));
        }
        ExternalProcess.Result res = Curl.run(args.toArray(String[]::new));
        assertThat(res.exitCode()).as(res.toString()).isZero();
        return res.stdout().lines().toList();
    }

    /** A tshark reading the stream of {@code r}, printing each HTTP request's URI and each response's code. */
    ExternalProcess tsharkReader(Running r, String name) {
        InetSocketAddress at = sinkOf(r).serverAddress();
        return tshark.streamFields(at.getAddress().getHostAddress(), at.getPort(), tmp.resolve(name), "http",
                "http.request.uri", "http.response.code");
    }

    /** Waits for tshark's end (the stream ended) and checks it read the stream without a complaint. */
    static ExternalProcess.Result finished(ExternalProcess reader) {
        ExternalProcess.Result res = reader.waitFor(WAIT);
        assertThat(res.exitCode()).as(res.toString()).isZero();
        String err = res.stderr().toLowerCase(Locale.ROOT);
        assertThat(err).as("tshark's stderr").doesNotContain("cut short").doesNotContain("damaged").doesNotContain("corrupt");
        return res;
    }

    static List<String> uris(ExternalProcess.Result tsharkFields) {
        return tsharkFields.stdout().lines().map(l -> l.split("\t", -1)[0]).filter(s -> !s.isEmpty()).toList();
    }

    static List<String> codes(ExternalProcess.Result tsharkFields) {
        return tsharkFields.stdout().lines().map(l -> l.split("\t", -1)).filter(f -> f.length > 1 && !f[1].isEmpty())
                .map(f -> f[1]).toList();
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void twoTsharkReadersAtOnceEachSeeEveryRequestMadeAfterTheyConnected() throws Exception {
        Running r = reverseToNginx("--pcap-over-ip", "127.0.0.1:0");
        PcapOverIpSink sink = sinkOf(r);
        assertThat(onTheBus(r)).as("the PCAP sink's frames are copied to it").isFalse();
        assertThat(sink.serverAddress().getAddress().isLoopbackAddress()).isTrue();
        assertThat(fetch(r, List.of("/echo?before"))).containsExactly("200");
        assertThat(r.drain()).isTrue(); // out before anyone reads: nobody gets it

        ExternalProcess first = tsharkReader(r, "first.pcap");
        ExternalProcess second = tsharkReader(r, "second.pcap");
        await("two readers", () -> sink.readers() == 2);
        List<String> paths = IntStream.rangeClosed(1, 12).mapToObj(i -> "/echo?n=" + i).toList();
        assertThat(fetch(r, paths.subList(0, 6))).hasSize(6).containsOnly("200");
        assertThat(fetch(r, paths.subList(6, 9))).hasSize(3).containsOnly("200"); // a second connection
        assertThat(fetch(r, paths.subList(9, 12))).hasSize(3).containsOnly("200");
        r.close();

        for (ExternalProcess reader : List.of(first, second)) {
            ExternalProcess.Result res = finished(reader);
            assertThat(uris(res)).containsExactlyElementsOf(paths);
            assertThat(codes(res)).hasSize(12).containsOnly("200");
        }
        tshark.assertReadsCleanly(tmp.resolve("first.pcap"));
        // the PCAP file of the same run has the request made before the readers came too
        assertThat(tshark.fieldLines(pcap(), "http.request", "http.request.uri")).containsExactlyElementsOf(
                java.util.stream.Stream.concat(java.util.stream.Stream.of("/echo?before"), paths.stream()).toList());
    }

    @Test
    void aReaderThatNeverReadsIsDroppedWhileTheTrafficFlowsAndAnotherReaderGetsEverything() throws Exception {
        Running r = reverseToNginx("--pcap-over-ip", "127.0.0.1:0");
        PcapOverIpSink sink = sinkOf(r);
        // the other reader copies the stream to a file as fast as it comes (tshark dissecting live
        // falls 8 MiB behind a bulk transfer on loopback, and is dropped too: lossless is for that)
        try (PcapStreamClient stuck = PcapStreamClient.idle(sink.serverAddress(), tmp.resolve("stuck.pcap"));
                PcapStreamClient reader = PcapStreamClient.connect(sink.serverAddress(), tmp.resolve("reader.pcap"))) {
            await("two readers", () -> sink.readers() == 2);
            // 24 MiB: more than the kernel's socket buffers (4 MiB here) and the stuck reader's 8 MiB;
            // had the traffic waited for it, curl would never finish (it reads nothing)
            List<String> paths = IntStream.rangeClosed(1, 24).mapToObj(i -> "/1m.bin?n=" + i).toList();
            assertThat(fetch(r, paths)).hasSize(24).containsOnly("200");
            await("the stuck reader dropped", () -> sink.droppedReaders() >= 1);
            assertThat(sink.droppedReaders()).isEqualTo(1);
            assertThat(sink.waitedMillis()).isZero();
            assertThat(sink.readers()).isEqualTo(1);
            r.close();

            reader.awaitEnd(WAIT);
            tshark.assertReadsCleanly(reader.file());
            assertThat(tshark.fieldLines(reader.file(), "http.request", "http.request.uri")).containsExactlyElementsOf(paths);
            assertThat(tshark.fieldLines(reader.file(), "http.response", "http.response.code")).hasSize(24).containsOnly("200");
            assertThat(tshark.count(reader.file(), null)).isEqualTo(tshark.count(pcap(), null));
            // the stuck reader's connection was closed by plainsight: once it reads, it meets the end
            stuck.startReading();
            stuck.awaitEnd(WAIT);
            assertThat(stuck.bytes()).isPositive().isLessThan(reader.bytes() / 2);
        }
    }

    @Test
    void losslessASlowReaderGetsEveryPacketAndTheTrafficWaitsForIt() throws Exception {
        Running r = reverseToNginx("--pcap-over-ip", "127.0.0.1:0", "--pcap-over-ip-lossless");
        PcapOverIpSink sink = sinkOf(r);
        assertThat(onTheBus(r)).as("lossless: a slow reader must not hold up the PCAP sink").isTrue();
        // 64 KiB every 5 ms at most: about 12 MiB/s, far below what the proxy relays on loopback
        try (PcapStreamClient slow = PcapStreamClient.slow(sink.serverAddress(), tmp.resolve("slow.pcap"), 64 << 10,
                Duration.ofMillis(5))) {
            slow.awaitBytes(24, WAIT);
            List<String> paths = IntStream.rangeClosed(1, 24).mapToObj(i -> "/1m.bin?n=" + i).toList();
            assertThat(fetch(r, paths)).hasSize(24).containsOnly("200");
            assertThat(r.drain()).isTrue();
            assertThat(sink.waitedMillis()).as("the traffic waited for the slow reader").isPositive();
            assertThat(sink.droppedReaders()).isZero();
            // let it read what is still queued for it, then stop
            long deadline = System.nanoTime() + WAIT.toNanos();
            for (long before = -1; slow.bytes() != before && System.nanoTime() < deadline; ) {
                before = slow.bytes();
                Thread.sleep(300);
            }
            r.close();
            // counted after the close: connections that end after the drain add their FIN packets
            long total = sink.packets();
            slow.awaitEnd(WAIT);
            tshark.assertReadsCleanly(slow.file());
            assertThat(tshark.count(slow.file(), null)).isEqualTo(total).isEqualTo(tshark.count(pcap(), null));
            assertThat(tshark.fieldLines(slow.file(), "http.request", "http.request.uri")).containsExactlyElementsOf(paths);
        }
    }

    @Test
    void pushModeStreamsToAListenerAndReconnectsWhenItComesBack() throws Exception {
        PcapStreamListener first = PcapStreamListener.start(0, tmp, "first");
        int port = first.port();
        Running r = reverseToNginx("--pcap-over-ip-connect", "127.0.0.1:" + port);
        PcapOverIpSink sink = sinkOf(r);
        try (first) {
            first.awaitConnection(1, 24, WAIT);
            await("the connection joined", () -> sink.readers() == 1);
            assertThat(fetch(r, List.of("/echo?push=1", "/echo?push=2"))).containsOnly("200");
            assertThat(r.drain()).isTrue();
            await("both requests at the listener", () -> tshark.count(first.connections().get(0).file(), "http.request") == 2);
        }
        first.awaitEnded(1, WAIT);
        await("the connection lost", () -> sink.readers() == 0);
        assertThat(fetch(r, List.of("/echo?push=down"))).containsOnly("200");
        assertThat(r.drain()).isTrue();
        assertThat(sink.pushMissedPackets().get(0)).as("packets dropped while not connected").isPositive();

        try (PcapStreamListener second = PcapStreamListener.start(port, tmp, "second")) {
            second.awaitConnection(1, 24, WAIT); // back-off: 1 s, then 2 s...
            await("the connection joined", () -> sink.readers() == 1);
            assertThat(fetch(r, List.of("/echo?push=3"))).containsOnly("200");
            r.close();
            second.awaitEnded(1, WAIT);
            Path again = second.connections().get(0).file();
            tshark.assertReadsCleanly(again);
            assertThat(tshark.fieldLines(again, "http.request", "http.request.uri")).containsExactly("/echo?push=3");
            assertThat(tshark.fieldLines(again, "http.response", "http.response.code")).containsExactly("200");
        }
        Path before = first.connections().get(0).file();
        tshark.assertReadsCleanly(before);
        assertThat(tshark.fieldLines(before, "http.request", "http.request.uri")).containsExactly("/echo?push=1", "/echo?push=2");
        assertThat(sink.pushConnections()).containsExactly(2L);
    }
}

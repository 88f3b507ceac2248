package io.plainsight.sink.pcapoverip;

import static io.plainsight.sink.pcapoverip.Conversations.feed;
import static io.plainsight.sink.pcapoverip.Conversations.http;
import static io.plainsight.sink.pcapoverip.Conversations.records;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.testing.FreePort;
import io.plainsight.testing.PcapStreamClient;
import io.plainsight.testing.PcapStreamListener;
import io.plainsight.testing.Tshark;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PCAP-over-IP sink driven directly (the test thread is the sink thread), with real sockets:
 * Java readers and listeners, the pure pcap writer and the checked-in fixture as the oracles of
 * the bytes, and tshark reading what arrived.
 */
class PcapOverIpSinkTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final Tshark TSHARK = new Tshark();
    static final InetSocketAddress ANY_LOOPBACK_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    static final byte[] HEADER = StreamHandler.globalHeader();

    @TempDir
    Path tmp;

    final List<AutoCloseable> opened = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : opened.reversed()) {
            c.close();
        }
    }

    <T extends AutoCloseable> T track(T c) {
        opened.add(c);
        return c;
    }

    PcapOverIpSink server(PcapOverIpSettings settings) {
        return track(PcapOverIpSink.start(settings, PcapOptions.defaults(), "--pcap-over-ip"));
    }

    PcapOverIpSink server() {
        return server(PcapOverIpSettings.of(ANY_LOOPBACK_PORT, List.of(), false));
    }

    PcapStreamClient reader(PcapOverIpSink sink, String name) {
        PcapStreamClient c = track(PcapStreamClient.connect(sink.serverAddress(), tmp.resolve(name)));
        c.awaitBytes(HEADER.length, WAIT); // it has joined
        return c;
    }

    static byte[] concat(byte[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    @Test
    void aReaderConnectedFromTheStartGetsTheCheckedInFixtureByteForByte() throws IOException {
        PcapOverIpSink sink = server();
        PcapStreamClient c = reader(sink, "v4.pcap");
        // the events of sink/pcap's PcapFixtureTest.writeIpv4, whose output tshark checked
        long t0 = 1_700_000_000_123_456L;
        InetSocketAddress client = Conversations.addr("192.0.2.10", 51000);
        InetSocketAddress server = Conversations.addr("198.51.100.20", 8443);
        feed(sink, List.of(
                new ConnectionOpened(1, t0, Mode.REVERSE, client, server, Conversations.addr("127.0.0.1", 8443), null, true),
                new DataChunk(1, t0 + 1000, Direction.CLIENT_TO_SERVER,
                        Unpooled.copiedBuffer("GET /hello HTTP/1.1\r\nHost: example.test\r\n\r\n", StandardCharsets.ISO_8859_1)),
                new DataChunk(1, t0 + 2000, Direction.SERVER_TO_CLIENT, Unpooled.copiedBuffer(
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Type: text/plain\r\n\r\nhello", StandardCharsets.ISO_8859_1)),
                new ConnectionClosed(1, t0 + 3000, CloseKind.FIN, null, null, 0, 0)));
        sink.close();
        assertThat(c.awaitEnd(WAIT)).isEqualTo("EOF");
        byte[] fixture;
        try (InputStream in = getClass().getResourceAsStream("/pcap/ipv4-http.pcap")) {
            fixture = in.readAllBytes();
        }
        assertThat(Files.readAllBytes(c.file())).isEqualTo(fixture);
        assertThat(sink.packets()).isEqualTo(TSHARK.count(c.file(), null));
    }

    @Test
    void aReaderThatJoinsLaterGetsTheHeaderThenEveryWholeRecordFromThenOn() {
        PcapOverIpSink sink = server();
        PcapStreamClient early = reader(sink, "early.pcap");
        feed(sink, http(1, "/first", 100_000));
        sink.flush();
        PcapStreamClient late = reader(sink, "late.pcap");
        feed(sink, http(2, "/second", 300_000));
        sink.flush();
        sink.close();
        early.awaitEnd(WAIT);
        late.awaitEnd(WAIT);

        assertThat(read(early.file())).isEqualTo(records(true, List.of(http(1, "/first", 100_000), http(2, "/second", 300_000))));
        assertThat(read(late.file())).isEqualTo(concat(HEADER, records(false, List.of(http(2, "/second", 300_000)))));
        TSHARK.assertReadsCleanly(late.file());
        assertThat(TSHARK.fieldLines(late.file(), "http.request", "http.request.uri")).containsExactly("/second");
        assertThat(TSHARK.fieldLines(early.file(), "http.request", "http.request.uri")).containsExactly("/first", "/second");
    }

    @Test
    void aReaderThatEndsItsSendingSideStillGetsTheStream() {
        PcapOverIpSink sink = server();
        PcapStreamClient c = track(PcapStreamClient.connect(sink.serverAddress(), tmp.resolve("half.pcap")));
        c.shutdownOutput(); // like nc whose stdin is at its end
        c.awaitBytes(HEADER.length, WAIT);
        sleep(200); // the FIN has arrived
        feed(sink, http(1, "/half", 5000));
        sink.close();
        c.awaitEnd(WAIT);
        assertThat(read(c.file())).isEqualTo(records(true, List.of(http(1, "/half", 5000))));
    }

    @Test
    void packetsWithNobodyConnectedAreCountedAndNotSentToLaterReaders() {
        PcapOverIpSink sink = server();
        feed(sink, http(1, "/nobody", 50_000));
        sink.flush();
        assertThat(sink.unreadPackets()).isEqualTo(sink.packets()).isPositive();
        PcapStreamClient c = reader(sink, "after.pcap");
        feed(sink, http(2, "/after", 1000));
        sink.close();
        c.awaitEnd(WAIT);
        assertThat(read(c.file())).isEqualTo(concat(HEADER, records(false, List.of(http(2, "/after", 1000)))));
    }

    @Test
    void aReaderThatDoesNotReadIsDroppedWithOneLineAndTheOtherGetsEverything() {
        try (LogLines logs = new LogLines()) {
            PcapOverIpSink sink = server(PcapOverIpSettings.of(ANY_LOOPBACK_PORT, List.of(), false).withBufferBytes(512 << 10));
            PcapStreamClient stuck = track(PcapStreamClient.idle(sink.serverAddress(), tmp.resolve("stuck.pcap")));
            PcapStreamClient good = reader(sink, "good.pcap");
            awaitReaders(sink, 2);
            // the good reader keeps up with the traffic (the test waits for it after each conversation);
            // the stuck one falls behind by the kernel's buffers, then by its own 512 KiB
            List<List<CaptureEvent>> all = new ArrayList<>();
            long sent = HEADER.length;
            for (int i = 1; i <= 128; i++) {
                feed(sink, http(i, "/c" + i, 128 << 10));
                all.add(http(i, "/c" + i, 128 << 10));
                sink.flush();
                sent += records(false, List.of(http(i, "/c" + i, 128 << 10))).length;
                good.awaitBytes(sent, WAIT);
            }
            sink.close();
            good.awaitEnd(WAIT);
            assertThat(sink.droppedReaders()).isEqualTo(1);
            assertThat(sink.waitedMillis()).isZero();
            assertThat(read(good.file())).isEqualTo(records(true, all));
            TSHARK.assertReadsCleanly(good.file());

            List<String> dropped = logs.containing("dropped");
            assertThat(dropped).hasSize(1);
            assertThat(dropped.get(0)).startsWith("WARN pcap-over-ip: reader 127.0.0.1:" + stuck.localPort() + " dropped: it fell 512.0KiB behind")
                    .containsPattern("it missed [1-9][0-9]* packets \\([0-9.]+[KM]iB\\)");
            assertThat(logs.containing("reader 127.0.0.1:" + stuck.localPort() + " disconnected")).isEmpty();
            assertThat(logs.containing("reader 127.0.0.1:" + good.localPort() + " disconnected")).hasSize(1);
            // the stuck reader's connection was closed: once it reads, its stream ends, short
            stuck.startReading();
            stuck.awaitEnd(WAIT);
            assertThat(stuck.bytes()).isLessThan(good.bytes());
        }
    }

    @Test
    void losslessWaitsForASlowReaderWhichGetsEveryPacket() {
        try (LogLines logs = new LogLines()) {
            PcapOverIpSink sink = server(PcapOverIpSettings.of(ANY_LOOPBACK_PORT, List.of(), true).withBufferBytes(512 << 10));
            PcapStreamClient slow = track(PcapStreamClient.slow(sink.serverAddress(), tmp.resolve("slow.pcap"), 16 << 10,
                    Duration.ofMillis(2)));
            slow.awaitBytes(HEADER.length, WAIT);
            List<List<CaptureEvent>> all = new ArrayList<>();
            for (int i = 1; i <= 8; i++) {
                feed(sink, http(i, "/big" + i, 1 << 20));
                all.add(http(i, "/big" + i, 1 << 20));
                sink.flush();
            }
            sink.close();
            slow.awaitEnd(WAIT);
            assertThat(sink.droppedReaders()).isZero();
            assertThat(sink.waitedMillis()).as("the sink waited for the reader").isPositive();
            assertThat(read(slow.file())).isEqualTo(records(true, all));
            assertThat(logs.containing("reads slower than the traffic")).hasSize(1);
        }
    }

    @Test
    void pushReconnectsWithBackOffLogsStateChangesOnceAndCountsWhatItDropped() {
        try (LogLines logs = new LogLines()) {
            int port = FreePort.tcp();
            PcapOverIpSink sink = track(PcapOverIpSink.start(
                    PcapOverIpSettings.of(null, List.of(InetSocketAddress.createUnresolved("127.0.0.1", port)), false)
                            .withRetry(Duration.ofMillis(50), Duration.ofMillis(200)),
                    PcapOptions.defaults(), "--pcap-over-ip"));
            await(() -> logs.containing("cannot connect").size() == 1);
            sleep(700); // attempts at 50, 100, 200, 200... ms: several, all refused
            assertThat(logs.containing("cannot connect")).containsExactly("WARN pcap-over-ip: cannot connect to 127.0.0.1:" + port
                    + ": connection refused; retrying after 0.05s, doubling up to 0.2s; packets are dropped meanwhile");

            feed(sink, http(1, "/while-down", 20_000));
            sink.flush();
            long droppedWhileDown = sink.packets();
            assertThat(sink.pushMissedPackets()).containsExactly(droppedWhileDown);

            PcapStreamListener first = track(PcapStreamListener.start(port, tmp, "first"));
            first.awaitConnection(1, HEADER.length, WAIT);
            await(() -> !logs.containing("connected to 127.0.0.1:" + port + " again").isEmpty());
            assertThat(logs.containing("connected to 127.0.0.1:" + port + " again")).containsExactly("INFO pcap-over-ip: connected to 127.0.0.1:"
                    + port + " again; " + droppedWhileDown + " packets were dropped while it was not connected");
            feed(sink, http(2, "/first", 30_000));
            sink.flush();
            first.awaitConnection(1, HEADER.length + records(false, List.of(http(2, "/first", 30_000))).length, WAIT);
            first.close(); // the listener goes away
            first.awaitEnded(1, WAIT);
            await(() -> sink.readers() == 0);
            await(() -> logs.containing("lost").size() == 1);

            PcapStreamListener second = track(PcapStreamListener.start(port, tmp, "second"));
            second.awaitConnection(1, HEADER.length, WAIT);
            feed(sink, http(3, "/second", 40_000));
            sink.close();
            second.awaitEnded(1, WAIT);

            assertThat(read(first.connections().get(0).file())).isEqualTo(concat(HEADER, records(false, List.of(http(2, "/first", 30_000)))));
            assertThat(read(second.connections().get(0).file())).isEqualTo(concat(HEADER, records(false, List.of(http(3, "/second", 40_000)))));
            assertThat(sink.pushConnections()).containsExactly(2L);
            assertThat(logs.containing("lost")).singleElement().asString()
                    .startsWith("WARN pcap-over-ip: connection to 127.0.0.1:" + port + " lost after ");
        }
    }

    @Test
    void aPortInUseIsRefusedNamingTheOptionAndTheCause() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InetSocketAddress at = new InetSocketAddress(InetAddress.getLoopbackAddress(), taken.getLocalPort());
            assertThatThrownBy(() -> PcapOverIpSink.start(PcapOverIpSettings.of(at, List.of(), false), PcapOptions.defaults(),
                    "--pcap-over-ip"))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("--pcap-over-ip 127.0.0.1:" + taken.getLocalPort() + ": cannot listen there: address already in use");
        }
    }

    static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static void awaitReaders(PcapOverIpSink sink, int n) {
        await(() -> sink.readers() == n);
    }

    static void await(java.util.function.BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within " + WAIT);
            }
            sleep(10);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

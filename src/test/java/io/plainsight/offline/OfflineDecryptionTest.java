package io.plainsight.offline;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.tls.DecryptionKeys;
import io.plainsight.policy.FilterExpression;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offline pipeline from capture file to events: what the sinks get from a capture (order,
 * addresses, timestamps, bytes, how each connection is labelled) and what the report says.
 */
class OfflineDecryptionTest {
    static final Path CORPUS = Path.of(System.getProperty("plainsight.wiresharkTls", "/work/shared/testdata/wireshark-tls"));

    @TempDir
    Path dir;

    /** Events of one run, and its report. */
    record Run(List<CaptureEvent> events, DecryptionReport report) {
        List<CaptureEvent> of(long id) {
            return events.stream().filter(e -> e.connectionId() == id).toList();
        }

        String bytes(long id, Direction d) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (CaptureEvent e : of(id)) {
                if (e instanceof DataChunk c && c.direction() == d) {
                    out.writeBytes(ByteBufUtil.getBytes(c.data()));
                }
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static Run run(DecryptionKeys keys, ConnectionPrefilter filter, Path... inputs) throws IOException {
        List<CaptureEvent> events = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        DecryptionReport report = new DecryptionReport();
        OfflineDecryption d = new OfflineDecryption(keys, e -> {
            if (e instanceof DataChunk c) {
                // keep a copy, give the buffer back as a sink would
                events.add(new DataChunk(c.connectionId(), c.timestampMicros(), c.direction(),
                        Unpooled.wrappedBuffer(ByteBufUtil.getBytes(c.data()))));
                c.data().release();
            } else {
                events.add(e);
            }
        }, true, filter, warnings::add, report);
        for (Path in : inputs) {
            try (CaptureReader r = CaptureReader.open(in)) {
                d.read(r, () -> { });
            }
        }
        d.finish();
        assertThat(warnings).hasSize((int) report.warningCount);
        return new Run(events, report);
    }

    static DecryptionKeys keyLog(String name) throws IOException {
        DecryptionKeys k = new DecryptionKeys();
        try (Reader r = Files.newBufferedReader(CORPUS.resolve("keys").resolve(name))) {
            assertThat(k.addKeyLog(name, r)).isEmpty();
        }
        return k;
    }

    static Path capture(String name) {
        return CORPUS.resolve("captures").resolve(name);
    }

    @Test
    void tls13WithZeroRttBecomesOfflineEventsWithTheCapturesAddressesTimesAndPlaintext() throws IOException {
        Run r = run(keyLog("tls13-rfc8446.keys"), ConnectionPrefilter.ALL, capture("tls13-rfc8446.pcap"));

        for (long id : new long[] {0, 1}) {
            List<CaptureEvent> events = r.of(id);
            assertThat(events.get(0)).isInstanceOf(ConnectionOpened.class);
            assertThat(events.get(events.size() - 1)).isInstanceOf(ConnectionClosed.class);
            ConnectionOpened o = (ConnectionOpened) events.get(0);
            assertThat(o.mode()).isEqualTo(Mode.OFFLINE);
            assertThat(o.interception()).isEqualTo(Interception.DECRYPTED);
            assertThat(o.tlsCarried()).isTrue();
            assertThat(o.server()).isEqualTo(new InetSocketAddress("10.9.0.2", 443));
            assertThat(o.client().getAddress().getHostAddress()).isEqualTo("10.9.0.1");
            // timestamps are the packets' (2018), never the wall clock
            for (CaptureEvent e : events) {
                assertThat(e.timestampMicros()).isBetween(1_500_000_000_000_000L, 1_600_000_000_000_000L);
                assertThat(e.timestampMicros()).isGreaterThanOrEqualTo(o.timestampMicros());
            }
            TlsEstablished tls = events.stream().filter(TlsEstablished.class::isInstance).map(TlsEstablished.class::cast)
                    .findFirst().orElseThrow();
            assertThat(tls.protocol()).isEqualTo("TLSv1.3");
            assertThat(tls.cipher()).isEqualTo("TLS_AES_128_GCM_SHA256");
        }
        assertThat(r.bytes(0, Direction.CLIENT_TO_SERVER)).startsWith("GET /first HTTP/1.1\r\n");
        assertThat(r.bytes(0, Direction.SERVER_TO_CLIENT)).endsWith("Request for /first, version TLSv1.3, Early data: no\n");
        // the 0-RTT request comes first, then the one after the handshake
        assertThat(r.bytes(1, Direction.CLIENT_TO_SERVER)).startsWith("GET /early HTTP/1.1\r\n").contains("GET /second HTTP/1.1\r\n");
        assertThat(r.bytes(1, Direction.SERVER_TO_CLIENT)).contains("Request for /early, version TLSv1.3, Early data: yes\n")
                .endsWith("Request for /second, version TLSv1.3, Early data: yes\n");

        DecryptionReport report = r.report();
        assertThat(report.count(ConnectionOutcome.Status.DECRYPTED)).isEqualTo(2);
        assertThat(report.exitCode()).isEqualTo(DecryptionReport.EXIT_ALL);
        assertThat(report.rows).extracting(ConnectionOutcome::resumption).containsExactly(null, "PSK");
        assertThat(report.rows.get(1).plaintextClientToServer()).isEqualTo(r.bytes(1, Direction.CLIENT_TO_SERVER).length());
    }

    @Test
    void withoutKeysEachConnectionIsReportedWithItsClientRandomAndPublishedAsMetadataOnly() throws IOException {
        Run r = run(new DecryptionKeys(), ConnectionPrefilter.ALL, capture("tls13-rfc8446.pcap"));

        assertThat(r.events()).noneMatch(DataChunk.class::isInstance);
        assertThat(r.events()).filteredOn(ConnectionOpened.class::isInstance).extracting(e -> ((ConnectionOpened) e).interception())
                .containsOnly(Interception.UNDECRYPTED).hasSize(2);
        DecryptionReport report = r.report();
        assertThat(report.count(ConnectionOutcome.Status.NOT_DECRYPTED)).isEqualTo(2);
        assertThat(report.failedRows).allSatisfy(o -> assertThat(o.reason()).containsIgnoringCase("client_random"));
        assertThat(report.exitCode()).isEqualTo(DecryptionReport.EXIT_NONE);
    }

    @Test
    void aConnectionFilterLeavesTheOtherConnectionsOutOfEveryOutputAndUndecrypted() throws Exception {
        Run r = run(keyLog("tls13-rfc8446.keys"), ConnectionPrefilter.of(FilterExpression.parse("tcp.stream == 1")),
                capture("tls13-rfc8446.pcap"));
        assertThat(r.events()).allMatch(e -> e.connectionId() == 1);
        assertThat(r.report().count(ConnectionOutcome.Status.FILTERED)).isEqualTo(1);
        assertThat(r.report().rows).extracting(ConnectionOutcome::id).containsExactly(1L);

        // decided after the handshake when the filter reads TLS fields
        Run byCipher = run(keyLog("tls13-rfc8446.keys"),
                ConnectionPrefilter.of(FilterExpression.parse("tls.cipher == \"TLS_AES_256_GCM_SHA384\"")),
                capture("tls13-rfc8446.pcap"));
        assertThat(byCipher.events()).isEmpty();
        assertThat(byCipher.report().count(ConnectionOutcome.Status.FILTERED)).isEqualTo(2);

        // HTTP fields are decided per exchange by the exchange outputs: every connection stays
        assertThat(ConnectionPrefilter.of(FilterExpression.parse("tcp.port == 443 && http.request.method == \"GET\"")).active())
                .isFalse();
    }

    @Test
    void plaintextConnectionsComeOutAsTheyWentInThroughOurOwnPcapWriter() throws IOException {
        // a live-mode PCAP (plaintext HTTP on port 8080) read back: same addresses, bytes and times
        Path pcap = dir.resolve("plain.pcap");
        InetSocketAddress client = new InetSocketAddress("192.0.2.10", 40000);
        InetSocketAddress server = new InetSocketAddress("198.51.100.20", 8080);
        String request = "POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + "a".repeat(5000);
        String response = "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n";
        long t0 = 1_700_000_000_000_000L;
        try (PcapFileSink sink = new PcapFileSink(pcap.toString(), PcapOptions.defaults())) {
            sink.accept(new ConnectionOpened(7, t0, Mode.PROXY, client, server, server, null, false));
            sink.accept(new DataChunk(7, t0 + 10, Direction.CLIENT_TO_SERVER,
                    Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1)));
            sink.accept(new DataChunk(7, t0 + 20, Direction.SERVER_TO_CLIENT,
                    Unpooled.copiedBuffer(response, StandardCharsets.ISO_8859_1)));
            sink.accept(new ConnectionClosed(7, t0 + 30, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 0, 0));
        }
        Run r = run(new DecryptionKeys(), ConnectionPrefilter.ALL, pcap);

        ConnectionOpened o = (ConnectionOpened) r.of(0).get(0);
        assertThat(o.client()).isEqualTo(client);
        assertThat(o.server()).isEqualTo(server);
        assertThat(o.interception()).isEqualTo(Interception.PLAIN);
        assertThat(o.tlsCarried()).isFalse();
        assertThat(o.timestampMicros()).isEqualTo(t0);
        assertThat(r.bytes(0, Direction.CLIENT_TO_SERVER)).isEqualTo(request);
        assertThat(r.bytes(0, Direction.SERVER_TO_CLIENT)).isEqualTo(response);
        Map<Direction, Long> firstData = new LinkedHashMap<>();
        r.of(0).stream().filter(DataChunk.class::isInstance).map(DataChunk.class::cast)
                .forEach(c -> firstData.putIfAbsent(c.direction(), c.timestampMicros()));
        assertThat(firstData).containsEntry(Direction.CLIENT_TO_SERVER, t0 + 10).containsEntry(Direction.SERVER_TO_CLIENT, t0 + 20);
        ConnectionClosed closed = (ConnectionClosed) r.of(0).get(r.of(0).size() - 1);
        assertThat(closed.how()).isEqualTo(CloseKind.FIN);
        assertThat(closed.bytesClientToServer()).isEqualTo(request.length());
        assertThat(r.report().count(ConnectionOutcome.Status.PLAIN)).isEqualTo(1);
        assertThat(r.report().exitCode()).isEqualTo(DecryptionReport.EXIT_ALL);
    }

    @Test
    void keysFromADecryptionSecretsBlockAreUsedWithNothingElseGiven() throws IOException {
        Path dsb = capture("tls12-dsb.pcapng");
        Run r = run(new DecryptionKeys(), ConnectionPrefilter.ALL, dsb);
        assertThat(r.report().secretsBlocks).isPositive();
        assertThat(r.report().count(ConnectionOutcome.Status.DECRYPTED)).isPositive();
        assertThat(r.events()).anyMatch(DataChunk.class::isInstance);
    }

    @Test
    void protocolNamesAreThoseOfTheLiveModes() {
        assertThat(OfflineConnection.protocolName(0x0300)).isEqualTo("SSLv3");
        assertThat(OfflineConnection.protocolName(0x0301)).isEqualTo("TLSv1");
        assertThat(OfflineConnection.protocolName(0x0303)).isEqualTo("TLSv1.2");
        assertThat(OfflineConnection.protocolName(0x7f1c)).isEqualTo("TLSv1.3");
    }
}

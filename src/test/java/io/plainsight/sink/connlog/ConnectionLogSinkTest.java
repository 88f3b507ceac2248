package io.plainsight.sink.connlog;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.sink.exchange.OutputFile;
import io.plainsight.testing.TestFiles;
import io.plainsight.tls.HelloBytes;
import io.plainsight.tls.Ja3;
import io.plainsight.tls.Ja3s;
import io.plainsight.tls.Ja4;
import io.plainsight.tls.Ja4s;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connection log sink on hand-made events: the line's layout byte for byte, which leg each
 * fingerprint comes from, connections still open at shutdown, and a file that cannot be written.
 */
class ConnectionLogSinkTest {
    private static final long T0 = 1_763_744_400_123_456L; // 2025-11-21T17:00:00.123456Z
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 50412);
    private static final InetSocketAddress SERVER = new InetSocketAddress("10.0.0.5", 443);
    private static final InetSocketAddress LISTENER = new InetSocketAddress("0:0:0:0:0:0:0:1", 8443);
    private static final InetSocketAddress UPSTREAM_LOCAL = new InetSocketAddress("10.0.0.1", 40000);

    private static final byte[] CLIENT_HELLO = new HelloBytes().sni("api.test").alpn("h2", "http/1.1")
            .u16List(0x000d, 2, 0x0403, 0x0804).u16List(0x002b, 1, 0x0a0a, 0x0304, 0x0303).u16List(0x000a, 2, 0x001d)
            .clientHello(0x0303, 0x1a1a, 0x1301, 0x1302, 0xc02f);
    private static final byte[] OUR_CLIENT_HELLO = new HelloBytes().sni("api.test").clientHello(0x0303, 0x1303);
    private static final byte[] SERVER_HELLO = new HelloBytes().u16(0x002b, 0x0304).opaque(0x0033, 36).serverHello(0x0303, 0x1302);
    private static final byte[] OUR_SERVER_HELLO = new HelloBytes().u16(0x002b, 0x0304).serverHello(0x0303, 0x1301);

    private static List<String> run(Path file, Object... events) throws IOException {
        ConnectionLogSink sink = new ConnectionLogSink(new OutputFile(file.toString(), "connection log"));
        assertThat(sink.acceptsData()).isFalse();
        assertThat(sink.acceptsWire()).isFalse();
        for (Object e : events) {
            sink.accept((io.plainsight.event.CaptureEvent) e);
        }
        sink.close();
        return Files.readAllLines(file);
    }

    @Test
    void aReverseConnectionLine() throws IOException {
        Path file = TestFiles.newDir("connlog").resolve("c.jsonl");
        List<String> lines = run(file,
                new ConnectionOpened(7, T0, Mode.REVERSE, CLIENT, SERVER, LISTENER, "api.test", true, Interception.DECRYPTED,
                        UPSTREAM_LOCAL),
                new TlsEstablished(7, T0 + 900, Leg.UPSTREAM, "TLSv1.3", "TLS_AES_256_GCM_SHA384", "h2", "api.test", "aa11",
                        "CN=api.test,O=Backend", OUR_CLIENT_HELLO, SERVER_HELLO),
                new TlsEstablished(7, T0 + 1500, Leg.CLIENT, "TLSv1.3", "TLS_AES_128_GCM_SHA256", "h2", "api.test", "bb22",
                        "CN=api.test", CLIENT_HELLO, OUR_SERVER_HELLO),
                new DataChunk(7, T0 + 2000, Direction.CLIENT_TO_SERVER, Unpooled.wrappedBuffer(new byte[10])),
                new ConnectionClosed(7, T0 + 12_345_678, CloseKind.FIN, Direction.CLIENT_TO_SERVER, null, 512, 1_048_576, 3, 40));
        Ja3 ja3 = Ja3.ofClientHello(CLIENT_HELLO);
        Ja3s ja3s = Ja3s.ofServerHello(SERVER_HELLO);
        assertThat(ja3.text()).isEqualTo("771,4865-4866-49199,0-16-13-43-10,29,");
        assertThat(ja3s.text()).isEqualTo("771,4866,43-51");
        assertThat(lines).containsExactly("{\"time\":\"2025-11-21T17:00:00.123456Z\",\"end_time\":\"2025-11-21T17:00:12.469134Z\","
                + "\"duration_ms\":12345.678,\"connection\":7,\"mode\":\"reverse\",\"interception\":\"decrypted\","
                + "\"client\":\"127.0.0.1:50412\",\"server\":\"10.0.0.5:443\",\"listener\":\"[0:0:0:0:0:0:0:1]:8443\","
                + "\"upstream_local\":\"10.0.0.1:40000\",\"sni\":\"api.test\","
                + "\"client_tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_128_GCM_SHA256\",\"alpn\":\"h2\","
                + "\"certificate_sha256\":\"bb22\",\"certificate_subject\":\"CN=api.test\"},"
                + "\"upstream_tls\":{\"version\":\"TLSv1.3\",\"cipher\":\"TLS_AES_256_GCM_SHA384\",\"alpn\":\"h2\","
                + "\"certificate_sha256\":\"aa11\",\"certificate_subject\":\"CN=api.test,O=Backend\"},"
                + "\"ja3\":\"" + ja3.md5() + "\",\"ja3_string\":\"" + ja3.text() + "\",\"ja4\":\"" + Ja4.ofClientHello(CLIENT_HELLO)
                + "\",\"ja3s\":\"" + ja3s.md5() + "\",\"ja3s_string\":\"" + ja3s.text() + "\",\"ja4s\":\""
                + Ja4s.ofServerHello(SERVER_HELLO) + "\","
                + "\"bytes_up\":512,\"bytes_down\":1048576,\"packets_up\":3,\"packets_down\":40,\"end\":\"FIN\",\"closed_by\":\"client\"}");
        // the client's own hello (not plainsight's upstream one), the server's (not plainsight's to the client)
        assertThat(Ja4.ofClientHello(CLIENT_HELLO)).startsWith("t13d0305h2_");
        assertThat(Ja4s.ofServerHello(SERVER_HELLO)).startsWith("t130200_1302_");
    }

    @Test
    void errorsPassthroughAndConnectionsOpenAtShutdown() throws IOException {
        Path file = TestFiles.newDir("connlog").resolve("c.jsonl");
        List<String> lines = run(file,
                new ConnectionOpened(1, T0, Mode.PROXY, CLIENT, SERVER, LISTENER, "bank.test", true, Interception.PASSED_THROUGH),
                new ConnectionOpened(2, T0, Mode.REVERSE, CLIENT, SERVER, LISTENER, null, true, Interception.DECRYPTED),
                new ConnectionOpened(3, T0 + 1, Mode.TERMINATE, CLIENT, SERVER, LISTENER, null, true, Interception.DECRYPTED),
                new ConnectionClosed(2, T0 + 2000, CloseKind.ERROR, null, "client TLS handshake failed: certificate_unknown", 0, 0),
                new ConnectionClosed(1, T0 + 3000, CloseKind.RST, Direction.SERVER_TO_CLIENT, null, 100, 200, 1, 2),
                new ConnectionClosed(99, T0 + 3000, CloseKind.FIN, null, null, 0, 0));
        assertThat(lines).hasSize(3);
        assertThat(lines.get(0)).contains("\"connection\":2,", "\"interception\":\"decrypted\"", "\"end\":\"ERROR\"",
                "\"error\":\"client TLS handshake failed: certificate_unknown\"").doesNotContain("closed_by", "ja3", "client_tls");
        assertThat(lines.get(1)).contains("\"connection\":1,", "\"mode\":\"proxy\"", "\"interception\":\"passthrough\"",
                "\"sni\":\"bank.test\"", "\"end\":\"RST\"", "\"closed_by\":\"server\"", "\"packets_up\":1,\"packets_down\":2");
        assertThat(lines.get(2)).isEqualTo("{\"time\":\"2025-11-21T17:00:00.123457Z\",\"open\":true,\"connection\":3,"
                + "\"mode\":\"terminate\",\"interception\":\"decrypted\",\"client\":\"127.0.0.1:50412\",\"server\":\"10.0.0.5:443\","
                + "\"listener\":\"[0:0:0:0:0:0:0:1]:8443\"}");
    }

    @Test
    void anOfflineConnectionTakesBothHellosFromItsOneLeg() throws IOException {
        Path file = TestFiles.newDir("connlog").resolve("c.jsonl");
        List<String> lines = run(file,
                new ConnectionOpened(0, T0, Mode.OFFLINE, CLIENT, SERVER, SERVER, "api.test", true, Interception.DECRYPTED),
                new TlsEstablished(0, T0, Leg.CLIENT, "TLSv1.3", "TLS_AES_256_GCM_SHA384", null, "api.test", null, null,
                        CLIENT_HELLO, SERVER_HELLO),
                new ConnectionClosed(0, T0, CloseKind.FIN, null, null, 1, 2, 1, 1));
        assertThat(lines).singleElement().asString()
                .contains("\"ja4\":\"" + Ja4.ofClientHello(CLIENT_HELLO) + "\"", "\"ja4s\":\"" + Ja4s.ofServerHello(SERVER_HELLO) + "\"");
    }

    @Test
    void aMalformedHelloGivesNoFingerprintAndTheLineStillComes() throws IOException {
        Path file = TestFiles.newDir("connlog").resolve("c.jsonl");
        byte[] cut = java.util.Arrays.copyOf(CLIENT_HELLO, 20);
        List<String> lines = run(file,
                new ConnectionOpened(0, T0, Mode.REVERSE, CLIENT, SERVER, LISTENER, null, true, Interception.DECRYPTED),
                new TlsEstablished(0, T0, Leg.CLIENT, "TLSv1.2", "X", null, null, null, null, cut, null),
                new ConnectionClosed(0, T0, CloseKind.FIN, null, null, 1, 2, 1, 1));
        assertThat(lines).singleElement().asString().contains("\"client_tls\"").doesNotContain("ja3", "ja4");
    }

    @Test
    void aFileThatCannotBeWrittenIsRetriedAndLosesNothingPending() throws IOException {
        Path dir = TestFiles.newDir("connlog");
        Path blocker = Files.writeString(dir.resolve("not-a-dir"), "x");
        Path file = blocker.resolve("c.jsonl"); // its parent is a file: every write fails
        ConnectionLogSink sink = new ConnectionLogSink(new OutputFile(file.toString(), "connection log"));
        sink.accept(new ConnectionOpened(1, T0, Mode.REVERSE, CLIENT, SERVER, LISTENER, null, false, Interception.PLAIN));
        sink.accept(new ConnectionClosed(1, T0 + 1, CloseKind.FIN, null, null, 1, 1));
        sink.flush(); // fails, says so once, keeps the line
        assertThat(Files.exists(file)).isFalse();
        Files.delete(blocker);
        sink.accept(new ConnectionOpened(2, T0, Mode.REVERSE, CLIENT, SERVER, LISTENER, null, false, Interception.PLAIN));
        sink.accept(new ConnectionClosed(2, T0 + 1, CloseKind.FIN, null, null, 1, 1));
        sink.close();
        assertThat(Files.readAllLines(file)).extracting(l -> l.replaceAll(".*\"connection\":(\\d+).*", "$1"))
                .containsExactly("1", "2");
    }
}

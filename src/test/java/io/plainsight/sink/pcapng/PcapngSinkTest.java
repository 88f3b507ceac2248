package io.plainsight.sink.pcapng;

import static io.plainsight.sink.pcapng.Play.addr;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.sink.pcap.LogCapture;
import io.plainsight.sink.pcap.PcapFileSink;
import io.plainsight.sink.pcap.PcapOptions;
import io.plainsight.testing.Tshark;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PCAPNG sink with synthetic events: the decrypted frames, interfaces, comments, and when wire packets are held. */
class PcapngSinkTest {
    static final long T = 1_700_000_000_000_000L;
    static final Direction C2S = Direction.CLIENT_TO_SERVER;
    static final Direction S2C = Direction.SERVER_TO_CLIENT;

    @TempDir Path tmp;

    static byte[] tlsRecord(int type, int length) {
        byte[] b = new byte[5 + length];
        b[0] = (byte) type;
        b[1] = 3;
        b[2] = 3;
        b[3] = (byte) (length >> 8);
        b[4] = (byte) length;
        Arrays.fill(b, 5, b.length, (byte) 0x5A);
        return b;
    }

    /** Two conversations (IPv4 HTTP in TLS, IPv6 with a reset), as both sinks get them. */
    static void twoConversations(Play p) {
        p.open(1, T, Mode.REVERSE, addr("192.0.2.10", 51000), addr("198.51.100.20", 443), addr("127.0.0.1", 8443),
                "a.test", null);
        p.data(1, T + 10, C2S, "GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n");
        p.data(1, T + 20, S2C, "HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n" + "y".repeat(300));
        p.open(2, T + 30, Mode.REVERSE, addr("2001:db8::10", 51001), addr("2001:db8::20", 443), addr("127.0.0.1", 8443),
                null, null);
        p.data(2, T + 40, C2S, "POST /up HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        p.send(new ConnectionClosed(2, T + 50, CloseKind.RST, Direction.SERVER_TO_CLIENT, "reset", 0, 0));
        p.close(1, T + 60);
    }

    /** (timestamp, frame hex) of every record of a classic pcap file. */
    static List<String> pcapFrames(Path file) throws Exception {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(24);
        List<String> out = new ArrayList<>();
        while (b.remaining() > 0) {
            long ts = b.getInt() * 1_000_000L + b.getInt();
            byte[] frame = new byte[b.getInt()];
            b.getInt();
            b.get(frame);
            out.add(ts + " " + HexFormat.of().formatHex(frame));
        }
        return out;
    }

    @Test
    void decryptedStreamsAreThePcapOutputsFramesWithTheSameOptions() throws Exception {
        PcapOptions options = PcapOptions.defaults().withMss(100).withPcapPort(8080).withIsnSeed(7);
        Path pcap = tmp.resolve("same.pcap");
        Path pcapng = tmp.resolve("same.pcapng");
        try (PcapFileSink s = new PcapFileSink(pcap.toString(), options)) {
            twoConversations(new Play(s));
        }
        PcapngSink s = PcapngSink.open(pcapng.toString(), null, false, options, "plainsight test");
        assertThat(s.acceptsWire()).isFalse();
        twoConversations(new Play(s));
        s.close();

        List<Blocks.Block> blocks = Blocks.read(pcapng);
        assertThat(blocks).filteredOn(Blocks.Block::iface).extracting(Blocks.Block::name)
                .containsExactly("plainsight reverse 127.0.0.1:8443 decrypted");
        List<String> frames = blocks.stream().filter(Blocks.Block::packet)
                .map(x -> x.timestampMicros() + " " + HexFormat.of().formatHex(x.data())).toList();
        assertThat(frames).hasSizeGreaterThan(10).isEqualTo(pcapFrames(pcap));
        assertThat(blocks).filteredOn(Blocks.Block::packet).extracting(Blocks.Block::comment).filteredOn(c -> c != null)
                .containsExactly("connection #1 sni=a.test", "connection #2 no sni");
        assertThat(blocks).noneMatch(Blocks.Block::secrets);
        new Tshark().assertChecksumsAndTcpAnalysisClean(pcapng);
    }

    /** {@link #twoConversations} with both legs' TLS records and their secrets around the decrypted bytes (live: TERMINATE). */
    static void twoConversationsWithTheirLegs(Play p) {
        p.open(1, T, Mode.TERMINATE, addr("192.0.2.10", 51000), addr("198.51.100.20", 443), addr("127.0.0.1", 8443),
                "a.test", addr("127.0.0.1", 40000));
        p.wire(1, T + 1, Leg.CLIENT, C2S, tlsRecord(0x16, 200));
        p.secrets(1, T + 2, Leg.CLIENT, "CLIENT_RANDOM 00aa 11bb\n");
        p.wire(1, T + 3, Leg.CLIENT, C2S, tlsRecord(0x17, 60));
        p.data(1, T + 10, C2S, "GET /x HTTP/1.1\r\nHost: a.test\r\n\r\n");
        p.wire(1, T + 11, Leg.UPSTREAM, C2S, tlsRecord(0x17, 60));
        p.data(1, T + 20, S2C, "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + "y".repeat(3000));
        p.wire(1, T + 21, Leg.CLIENT, S2C, tlsRecord(0x17, 3100));
        p.open(2, T + 30, Mode.TERMINATE, addr("2001:db8::10", 51001), addr("2001:db8::20", 443), addr("127.0.0.1", 8443),
                null, addr("127.0.0.1", 40001));
        p.data(2, T + 40, C2S, "POST /up HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc");
        p.send(new ConnectionClosed(2, T + 50, CloseKind.RST, Direction.SERVER_TO_CLIENT, "reset", 0, 0));
        p.close(1, T + 60);
    }

    @Test
    void aPcapFileFollowingThePcapngGetsTheFileItsOwnSinkWritesAndItsFailuresCount() throws Exception {
        PcapOptions options = PcapOptions.defaults().withMss(500).withIsnSeed(7);
        Path own = tmp.resolve("own.pcap");
        try (PcapFileSink s = new PcapFileSink(own.toString(), options)) {
            twoConversationsWithTheirLegs(new Play(s));
        }
        Path followed = tmp.resolve("followed.pcap");
        Path pcapng = tmp.resolve("both.pcapng");
        PcapFileSink follower = new PcapFileSink(followed.toString(), options);
        PcapngSink s = PcapngSink.open(pcapng.toString(), null, true, options, "plainsight test");
        s.follow(follower);
        assertThat(s.followers()).containsExactly(follower);
        twoConversationsWithTheirLegs(new Play(s));
        s.flush();
        assertThat(pcapFrames(followed)).as("flushed with the PCAPNG").hasSizeGreaterThan(10);
        s.close();

        assertThat(Files.readAllBytes(followed)).isEqualTo(Files.readAllBytes(own));
        List<Blocks.Block> blocks = Blocks.read(pcapng);
        int decrypted = Blocks.interfaceId(blocks, "plainsight terminate 127.0.0.1:8443 decrypted");
        assertThat(Blocks.packets(blocks, decrypted)).extracting(x -> x.timestampMicros() + " " + HexFormat.of().formatHex(x.data()))
                .isEqualTo(pcapFrames(own));
        assertThat(Blocks.packets(blocks, Blocks.interfaceId(blocks, "plainsight terminate 127.0.0.1:8443 client leg")))
                .hasSizeGreaterThan(3);

        // a follower that cannot write: its lost packets are the PCAPNG sink's write failures too
        Files.writeString(tmp.resolve("not-a-dir"), "x");
        PcapFileSink lost = new PcapFileSink(tmp.resolve("not-a-dir/lost.pcap").toString(), options);
        PcapngSink t = PcapngSink.open(tmp.resolve("other.pcapng").toString(), null, true, options, "plainsight test");
        t.follow(lost);
        twoConversationsWithTheirLegs(new Play(t));
        t.close();
        assertThat(lost.lostPackets()).isEqualTo(pcapFrames(own).size());
        assertThat(t.writeFailures()).isEqualTo(lost.lostPackets()).isEqualTo(lost.writeFailures());
        assertThat(t.lostPackets()).isZero();
    }

    @Test
    void aTlsLegIsHeldUntilItsKeysAndAPlaintextLegIsWrittenAtOnce() throws Exception {
        Path f = tmp.resolve("held.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, true, PcapOptions.defaults(), "plainsight test");
        assertThat(sink.acceptsWire()).isTrue();
        Play p = new Play(sink);
        p.open(1, T, Mode.TERMINATE, addr("10.0.0.1", 50000), addr("10.0.0.3", 8080), addr("10.0.0.2", 443), "a.test",
                addr("10.0.0.2", 40000));
        p.wire(1, T + 1, Leg.CLIENT, C2S, tlsRecord(0x16, 200)); // ClientHello
        p.wire(1, T + 2, Leg.CLIENT, S2C, tlsRecord(0x16, 900)); // ServerHello ...
        p.wire(1, T + 3, Leg.CLIENT, C2S, tlsRecord(0x17, 40)); // encrypted before the keys came
        p.wire(1, T + 4, Leg.UPSTREAM, C2S, "GET / HTTP/1.1\r\nHost: a\r\n\r\n".getBytes());
        sink.flush();
        List<Blocks.Block> before = Blocks.read(f);
        int upstream = Blocks.interfaceId(before, "plainsight terminate 10.0.0.2:443 upstream leg");
        assertThat(Blocks.packets(before, upstream)).hasSize(3 + 1);
        assertThat(before).filteredOn(Blocks.Block::iface).extracting(Blocks.Block::name)
                .doesNotContain("plainsight terminate 10.0.0.2:443 client leg");

        p.secrets(1, T + 5, Leg.CLIENT, "CLIENT_RANDOM 00aa 11bb\n");
        p.wire(1, T + 6, Leg.CLIENT, S2C, tlsRecord(0x17, 60)); // after the keys: at once
        sink.flush();
        List<Blocks.Block> after = Blocks.read(f);
        int client = Blocks.interfaceId(after, "plainsight terminate 10.0.0.2:443 client leg");
        List<Blocks.Block> clientPackets = Blocks.packets(after, client);
        assertThat(clientPackets).extracting(Blocks.Block::timestampMicros)
                .containsExactly(T, T, T, T + 1, T + 2, T + 3, T + 6); // handshake at the open, then each chunk's own time
        assertThat(clientPackets.get(0).comment()).isEqualTo("connection #1 sni=a.test");
        int secrets = indexOf(after, Blocks.Block::secrets);
        assertThat(after.get(secrets).text()).isEqualTo("CLIENT_RANDOM 00aa 11bb\n");
        assertThat(secrets).isLessThan(after.indexOf(clientPackets.get(0)))
                .isGreaterThan(indexOf(after, b -> b.iface() && b.name().endsWith("client leg")));

        p.close(1, T + 7);
        sink.close();
        List<Blocks.Block> end = Blocks.read(f);
        assertThat(Blocks.packets(end, client)).hasSize(7 + 3); // FIN, FIN, ACK
        assertThat(Blocks.packets(end, upstream)).hasSize(4 + 3);
        new Tshark().assertChecksumsAndTcpAnalysisClean(f);
    }

    static int indexOf(List<Blocks.Block> blocks, java.util.function.Predicate<Blocks.Block> p) {
        for (int i = 0; i < blocks.size(); i++) {
            if (p.test(blocks.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such block");
    }

    /** Client-leg packets written (not held) once the events so far are flushed. */
    int clientLegPackets(PcapngSink sink, Path f, Consumer<Play> events) {
        events.accept(new Play(sink));
        sink.flush();
        List<Blocks.Block> b = Blocks.read(f);
        List<String> names = b.stream().filter(Blocks.Block::iface).map(Blocks.Block::name).toList();
        int id = -1;
        for (int i = 0; i < names.size(); i++) {
            if (names.get(i).endsWith("client leg")) {
                id = i;
            }
        }
        return id < 0 ? 0 : Blocks.packets(b, id).size();
    }

    @Test
    void theHandshakeCompletingReleasesALegWhoseKeysDidNotCome() {
        Path f = tmp.resolve("established.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, true, PcapOptions.defaults(), "t");
        assertThat(clientLegPackets(sink, f, p -> {
            p.open(1, T, Mode.REVERSE, addr("10.0.0.1", 50000), addr("10.0.0.3", 443), addr("10.0.0.2", 443), null, null);
            p.wire(1, T + 1, Leg.CLIENT, C2S, tlsRecord(0x16, 100));
        })).isZero();
        assertThat(clientLegPackets(sink, f, p -> p.send(new TlsEstablished(1, T + 2, Leg.CLIENT, "TLSv1.3",
                "TLS_AES_128_GCM_SHA256", null, null, null)))).isEqualTo(3 + 1);
        sink.close();
    }

    @Test
    void aLegWithoutKeysIsWrittenAfterAMegabyteAndThatIsSaidOnce() {
        Path f = tmp.resolve("limit.pcapng");
        try (LogCapture logs = new LogCapture("io.plainsight.sink.pcapng")) {
            PcapngSink sink = PcapngSink.open(f.toString(), null, true, PcapOptions.defaults(), "t");
            int chunks = (int) (PcapngSink.MAX_HELD_BYTES_PER_LEG / 16_389) + 1;
            assertThat(clientLegPackets(sink, f, p -> {
                p.open(1, T, Mode.REVERSE, addr("10.0.0.1", 50000), addr("10.0.0.3", 443), addr("10.0.0.2", 443), null, null);
                p.wire(1, T + 1, Leg.CLIENT, C2S, tlsRecord(0x16, 100));
                for (int i = 0; i < chunks - 1; i++) {
                    p.wire(1, T + 2, Leg.CLIENT, S2C, tlsRecord(0x17, 16_384));
                }
            })).isZero();
            assertThat(clientLegPackets(sink, f, p -> p.wire(1, T + 3, Leg.CLIENT, S2C, tlsRecord(0x17, 16_384))))
                    .isGreaterThan(chunks * 11);
            assertThat(logs.at(Level.INFO)).singleElement().asString()
                    .contains("no TLS keys for connection #1's client leg after 10").contains("written without them");
            sink.close();
        }
    }

    @Test
    void aConnectRequestBeforeTheClientHelloIsWrittenAtOnceAndTheTlsAfterItHeld() {
        Path f = tmp.resolve("connect.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, true, PcapOptions.defaults(), "t");
        assertThat(clientLegPackets(sink, f, p -> {
            p.open(1, T, Mode.PROXY, addr("10.0.0.1", 50000), addr("10.0.0.3", 443), addr("127.0.0.1", 8080), "a.test",
                    addr("10.0.0.2", 41000));
            p.wire(1, T + 1, Leg.CLIENT, C2S, "CONNECT a.test:443 HTTP/1.1\r\nHost: a.test:443\r\n\r\n".getBytes());
            p.wire(1, T + 2, Leg.CLIENT, S2C, "HTTP/1.1 200 Connection established\r\n\r\n".getBytes());
            p.wire(1, T + 3, Leg.CLIENT, C2S, new byte[] {0x16, 0x41, 0x42}); // not a TLS record header: plaintext
        })).isEqualTo(3 + 3);
        assertThat(clientLegPackets(sink, f, p -> p.wire(1, T + 4, Leg.CLIENT, C2S, tlsRecord(0x16, 100)))).isEqualTo(6);
        assertThat(clientLegPackets(sink, f, p -> p.secrets(1, T + 5, Leg.CLIENT, "CLIENT_RANDOM 00 11\n"))).isEqualTo(7);
        // a handshake record after the keys (TLS 1.2 renegotiation, encrypted) is not held again
        assertThat(clientLegPackets(sink, f, p -> p.wire(1, T + 6, Leg.CLIENT, S2C, tlsRecord(0x16, 100)))).isEqualTo(8);
        sink.close();
    }

    @Test
    void passedThroughTlsIsNotHeld() {
        Path f = tmp.resolve("passthrough.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, true, PcapOptions.defaults(), "t");
        assertThat(clientLegPackets(sink, f, p -> {
            p.send(new ConnectionOpened(1, T, Mode.PROXY, addr("10.0.0.1", 50000), addr("10.0.0.3", 443),
                    addr("127.0.0.1", 8080), "bank.test", true, Interception.PASSED_THROUGH, addr("10.0.0.2", 41000)));
            p.wire(1, T + 1, Leg.CLIENT, C2S, tlsRecord(0x16, 100));
        })).isEqualTo(3 + 1);
        sink.close();
    }

    @Test
    void interfacesNameModeAndListenerUpToSixteenListenersPerMode() {
        Path f = tmp.resolve("names.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, false, PcapOptions.defaults(), "t");
        Play p = new Play(sink);
        for (int i = 1; i <= 18; i++) {
            p.open(i, T, Mode.TRANSPARENT, addr("10.0.0.1", 50000 + i), addr("10.0.1." + i, 443), addr("10.0.1." + i, 443),
                    null, null);
            p.data(i, T + 1, C2S, "x");
        }
        p.open(20, T, Mode.PROXY, addr("::1", 50000), addr("2001:db8::1", 443), addr("::1", 8080), null, null);
        p.data(20, T + 1, C2S, "x");
        p.send(new ConnectionOpened(21, T, Mode.OFFLINE, addr("10.0.0.1", 50000), addr("10.0.0.2", 443),
                addr("10.0.0.2", 443), null, true));
        p.data(21, T + 1, C2S, "x");
        sink.close();
        List<String> names = Blocks.read(f).stream().filter(Blocks.Block::iface).map(Blocks.Block::name).toList();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 16; i++) {
            expected.add("plainsight transparent 10.0.1." + i + ":443 decrypted");
        }
        expected.add("plainsight transparent (other listeners) decrypted");
        expected.add("plainsight proxy [0:0:0:0:0:0:0:1]:8080 decrypted");
        expected.add("plainsight offline decrypted");
        assertThat(names).containsExactlyElementsOf(expected);
    }

    @Test
    void withoutTheEncryptedPacketsSecretsAreNotWritten() {
        Path f = tmp.resolve("plain.pcapng");
        PcapngSink sink = PcapngSink.open(f.toString(), null, false, PcapOptions.defaults(), "t");
        Play p = new Play(sink);
        p.open(1, T, Mode.REVERSE, addr("10.0.0.1", 50000), addr("10.0.0.3", 443), addr("10.0.0.2", 443), null, null);
        p.secrets(1, T + 1, Leg.CLIENT, "CLIENT_RANDOM 00 11\n");
        p.data(1, T + 2, C2S, "GET / HTTP/1.1\r\n\r\n");
        sink.close();
        assertThat(Blocks.read(f)).noneMatch(Blocks.Block::secrets).filteredOn(Blocks.Block::packet).hasSize(4);
    }

    @Test
    void aTargetEndingInSlashOrAnExistingDirectoryIsADirectory() throws Exception {
        assertThat(PcapngSink.namesDirectory(tmp.resolve("new") + "/")).isTrue();
        assertThat(PcapngSink.namesDirectory(tmp.toString())).isTrue();
        assertThat(PcapngSink.namesDirectory(tmp.resolve("x.pcapng").toString())).isFalse();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PcapngSink.open("-", null, false, PcapOptions.defaults(), "t"))
                .hasMessageContaining("--pcapng -: standard output is not supported");
    }
}

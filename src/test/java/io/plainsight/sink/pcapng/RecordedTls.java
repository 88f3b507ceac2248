package io.plainsight.sink.pcapng;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.offline.ConnectionPrefilter;
import io.plainsight.offline.DecryptionReport;
import io.plainsight.offline.OfflineDecryption;
import io.plainsight.offline.capture.CaptureListener;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.capture.TcpSegment;
import io.plainsight.offline.tcp.CloseReason;
import io.plainsight.offline.tcp.StreamListener;
import io.plainsight.offline.tcp.TcpConnection;
import io.plainsight.offline.tcp.TcpReassembler;
import io.plainsight.offline.tls.DecryptionKeys;
import java.io.IOException;
import java.io.Reader;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The TLS connections of a real capture (a Wireshark corpus file and its key log), as what a live
 * source publishes for them: each connection's bytes per direction as they crossed the wire, in
 * capture order (read with our TCP reassembler), the plaintext our offline decryption gets from
 * them, and the key log lines of its handshake (those naming its ClientHello's random). The test
 * then plays them to a sink as {@code WireChunk}s, {@code DataChunk}s and {@code TlsSecrets}.
 */
final class RecordedTls {
    private RecordedTls() {}

    /** Bytes of one direction: raw (wire) or decrypted (plaintext). */
    record Step(long timestampMicros, boolean wire, Direction direction, byte[] bytes) {}

    /** One recorded TCP connection. */
    record Connection(long id, InetSocketAddress client, InetSocketAddress server, long openedMicros, long closedMicros,
            List<Step> steps, List<String> keyLines) {
        /** The wire steps only. */
        List<Step> wire() {
            return steps.stream().filter(Step::wire).toList();
        }

        /** The key log lines as one string, each line ending in '\n'. */
        String keyLog() {
            return String.join("", keyLines.stream().map(l -> l + "\n").toList());
        }
    }

    private static final class Recorder implements StreamListener {
        final Map<Long, long[]> times = new TreeMap<>();
        final Map<Long, InetSocketAddress[]> ends = new TreeMap<>();
        final Map<Long, List<Step>> wire = new TreeMap<>();

        @Override
        public void opened(TcpConnection c, long packetNumber, long timestampMicros) {
            times.put(c.id(), new long[] {timestampMicros, timestampMicros});
            wire.put(c.id(), new ArrayList<>());
        }

        @Override
        public void data(TcpConnection c, boolean fromClient, long packetNumber, long timestampMicros, ByteBuf bytes,
                long streamOffset) {
            ends.put(c.id(), new InetSocketAddress[] {new InetSocketAddress(c.clientAddress(), c.clientPort()),
                new InetSocketAddress(c.serverAddress(), c.serverPort())});
            wire.get(c.id()).add(new Step(timestampMicros, true,
                    fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT, ByteBufUtil.getBytes(bytes)));
        }

        @Override
        public void gap(TcpConnection c, boolean fromClient, long packetNumber, long timestampMicros, long streamOffset,
                long missingBytes) {
            throw new AssertionError("a gap in a corpus connection " + c);
        }

        @Override
        public void closed(TcpConnection c, long timestampMicros, CloseReason reason) {
            times.get(c.id())[1] = timestampMicros;
        }
    }

    /** Reads {@code capture} of the Wireshark corpus with the key log {@code keyLog} (names under captures/ and keys/). */
    static List<Connection> read(Path capture, Path keyLog) throws IOException {
        Recorder recorder = new Recorder();
        TcpReassembler reassembler = new TcpReassembler(recorder);
        long[] last = {0};
        try (CaptureReader reader = CaptureReader.open(capture)) {
            reader.readAll(new CaptureListener() {
                @Override
                public void segment(TcpSegment s) {
                    last[0] = Math.max(last[0], s.timestampMicros());
                    reassembler.segment(s.packetNumber(), s.timestampMicros(), s.src(), s.srcPort(), s.dst(), s.dstPort(),
                            s.seq(), s.ack(), s.flags(), s.payload());
                }

                @Override
                public void secrets(int secretsType, byte[] data, long position) {}

                @Override
                public void warning(String message) {
                    throw new AssertionError(message);
                }
            });
        }
        reassembler.finish(last[0]);

        Map<Long, List<Step>> plain = new TreeMap<>();
        DecryptionKeys keys = new DecryptionKeys();
        try (Reader r = Files.newBufferedReader(keyLog)) {
            assertThat(keys.addKeyLog(keyLog.toString(), r)).isEmpty();
        }
        OfflineDecryption d = new OfflineDecryption(keys, e -> {
            if (e instanceof DataChunk c) {
                plain.computeIfAbsent(c.connectionId(), x -> new ArrayList<>())
                        .add(new Step(c.timestampMicros(), false, c.direction(), ByteBufUtil.getBytes(c.data())));
                c.data().release();
            }
        }, true, ConnectionPrefilter.ALL, m -> { }, new DecryptionReport());
        try (CaptureReader reader = CaptureReader.open(capture)) {
            d.read(reader, () -> { });
        }
        d.finish();

        List<String> keyLines = Files.readAllLines(keyLog);
        List<Connection> out = new ArrayList<>();
        for (long id : recorder.wire.keySet()) {
            List<Step> steps = new ArrayList<>(recorder.wire.get(id));
            steps.addAll(plain.getOrDefault(id, List.of()));
            steps.sort(Comparator.comparingLong(Step::timestampMicros)); // stable: wire bytes first at equal times
            String random = clientRandom(recorder.wire.get(id));
            List<String> lines = keyLines.stream()
                    .filter(l -> l.split(" ").length == 3 && l.split(" ")[1].toLowerCase(Locale.ROOT).equals(random))
                    .toList();
            InetSocketAddress[] e = recorder.ends.get(id);
            long[] t = recorder.times.get(id);
            out.add(new Connection(id, e[0], e[1], t[0], t[1], List.copyOf(steps), lines));
        }
        return out;
    }

    /** The ClientHello's random in hex: record header 5, handshake header 4, version 2, then 32 bytes. */
    private static String clientRandom(List<Step> wire) {
        Step first = wire.stream().filter(s -> s.direction() == Direction.CLIENT_TO_SERVER).findFirst().orElseThrow();
        assertThat(first.bytes()[0]).as("a TLS handshake record").isEqualTo((byte) 0x16);
        return HexFormat.of().formatHex(first.bytes(), 11, 43);
    }
}

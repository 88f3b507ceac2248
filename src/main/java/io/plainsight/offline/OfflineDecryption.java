package io.plainsight.offline;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.Leg;
import io.plainsight.event.TlsSecrets;
import io.plainsight.offline.capture.CaptureListener;
import io.plainsight.offline.capture.CaptureReader;
import io.plainsight.offline.capture.TcpSegment;
import io.plainsight.offline.tcp.CloseReason;
import io.plainsight.offline.tcp.StreamListener;
import io.plainsight.offline.tcp.TcpConnection;
import io.plainsight.offline.tcp.TcpReassembler;
import io.plainsight.offline.tls.DecryptionKeys;
import io.plainsight.offline.tls.TlsHandshakeInfo;
import io.plainsight.policy.Rule;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Consumer;

/**
 * Turns capture files into capture events: every packet goes through TCP reassembly, every TLS
 * connection through a {@link io.plainsight.offline.tls.TlsStreamDecryptor} with the given keys
 * (plus the key logs of pcapng Decryption Secrets Blocks, from where they appear), and the
 * plaintext is published as {@link io.plainsight.event.Mode#OFFLINE} events with the capture's
 * addresses and packet timestamps, so every sink works on it as on live traffic.
 *
 * <p>Several inputs are read as one capture, in the order given (a connection may go on from one
 * file into the next, as with {@code tcpdump -C}); {@link #finish} closes what is still open and
 * returns the report. One thread reads; events are published from it in order.
 *
 * <p>Memory: bounded by the connections open at a time (the reassembler's out-of-order buffers,
 * at most one partial TLS record per direction, and the state here), not by the capture's size;
 * the report keeps counts and a bounded number of rows.
 */
public final class OfflineDecryption implements CaptureListener, StreamListener {
    /** Packets between two progress callbacks. */
    private static final int PROGRESS_EVERY = 4096;

    final DecryptionKeys keys;
    private final Consumer<CaptureEvent> events;
    private final boolean wantsData;
    private final boolean wantsWire;
    /** The connection of the packet being read (null: none), for {@link #packet}. */
    private OfflineConnection packetConnection;
    private final ConnectionPrefilter prefilter;
    private final Consumer<String> warnings;
    private final TcpReassembler reassembler;
    private final DecryptionReport report;
    private DecryptionReport.Input input;
    private long lastMicros;

    /**
     * @param events where events go (e.g. {@code CaptureBus::publish}); a {@code DataChunk}'s buffer
     *     is handed over (the receiver releases it)
     * @param wantsData false when no sink takes application bytes (they are then not copied)
     * @param prefilter which connections to keep, decided as early as the fields it reads allow
     * @param warnings problems worth telling at once (corrupt input, junk key log lines); also in the report
     */
    public OfflineDecryption(DecryptionKeys keys, Consumer<CaptureEvent> events, boolean wantsData,
            ConnectionPrefilter prefilter, Consumer<String> warnings, DecryptionReport report) {
        this(keys, events, wantsData, false, prefilter, warnings, report);
    }

    /**
     * @param wantsWire true when some sink takes the input's own packets ({@link CapturedPacket}):
     *     they are then published in capture order, each after the {@link TlsSecrets} its
     *     processing found (the keys of the connection it belongs to, or a Decryption Secrets Block
     *     of the input); the packets of a connection a filter leaves out are not
     */
    public OfflineDecryption(DecryptionKeys keys, Consumer<CaptureEvent> events, boolean wantsData, boolean wantsWire,
            ConnectionPrefilter prefilter, Consumer<String> warnings, DecryptionReport report) {
        this.keys = keys;
        this.events = events;
        this.wantsData = wantsData;
        this.wantsWire = wantsWire;
        this.prefilter = prefilter;
        this.warnings = warnings;
        this.report = report;
        this.reassembler = new TcpReassembler(this);
    }

    /**
     * Reads one capture to its end; {@code progress} runs every few thousand packets (and may
     * throw to stop). Connections stay open for the next input.
     */
    public void read(CaptureReader reader, Runnable progress) throws IOException {
        input = report.input(reader.name(), reader.format());
        try {
            int n = 0;
            while (reader.next(this)) {
                if (++n == PROGRESS_EVERY) {
                    n = 0;
                    input.packets = reader.packets();
                    progress.run();
                }
            }
        } finally {
            input.packets = reader.packets();
        }
    }

    /** Ends every connection still open (the capture ended) and returns the report. */
    public DecryptionReport finish() {
        reassembler.finish(lastMicros);
        report.finished(reassembler.counters());
        return report;
    }

    /** Connections open right now. */
    public int openConnections() {
        return reassembler.openConnections();
    }

    String inputName() {
        return input == null ? null : input.name;
    }

    boolean wantsData() {
        return wantsData;
    }

    boolean wantsWire() {
        return wantsWire;
    }

    /** Whether a connection's fate waits for its TLS handshake or ClientHello (its packets are held until then). */
    boolean decidesAfterHandshake() {
        return prefilter.needsTls() || prefilter.rulesNeedTls();
    }

    /** Whether {@code --filter} names TLS fields (decided once the handshake is known). */
    boolean filterNeedsTls() {
        return prefilter.needsTls();
    }

    /**
     * The id of the {@code capture: off} rule that leaves a connection out, judged after its
     * ClientHello ({@code sni}, {@code message}; both null when it has none), or null. Only when the
     * rules name TLS fields (else they were judged when it opened).
     */
    String captureOffAfterHello(OfflineConnection c, String sni, byte[] message) {
        if (!prefilter.rulesNeedTls()) {
            return null;
        }
        Rule r = prefilter.captureOff(c.tcp, sni, message);
        return r == null ? null : r.id();
    }

    void publish(CaptureEvent e) {
        events.accept(e);
    }

    /**
     * Whether a connection stays in, now that its TLS handshake (null: none, not TLS) is known;
     * without a handshake but with a ClientHello (early data, a handshake cut short), on what the
     * ClientHello offers.
     */
    boolean prefilterTls(OfflineConnection c, TlsHandshakeInfo handshake) {
        if (handshake == null && c.clientHello != null) {
            return prefilter.afterClientHello(c.tcp, c.clientHello, c.clientHelloMessage);
        }
        return prefilter.afterHandshake(c.tcp, handshake);
    }

    // ------------------------------------------------------------------ capture listener

    @Override
    public void segment(TcpSegment s) {
        if (s.timestampMicros() > lastMicros) {
            lastMicros = s.timestampMicros();
        }
        input.segments++;
        TcpConnection tcp = reassembler.segment(s.packetNumber(), s.timestampMicros(), s.src(), s.srcPort(), s.dst(), s.dstPort(), s.seq(),
                s.ack(), s.flags(), s.payload());
        if (wantsWire && tcp != null) {
            packetConnection = (OfflineConnection) tcp.attachment();
        }
    }

    @Override
    public boolean wantsPackets() {
        return wantsWire;
    }

    @Override
    public void packet(long packetNumber, long timestampMicros, String interfaceName, int linkType, byte[] data,
            int offset, int length, long originalLength) {
        OfflineConnection c = packetConnection;
        packetConnection = null;
        if (c == null && prefilter.active()) {
            return; // not a TCP connection's packet: no connection filter keeps it
        }
        ByteBuf frame = ByteBufAllocator.DEFAULT.heapBuffer(length, length).writeBytes(data, offset, length);
        CapturedPacket p = new CapturedPacket(c == null ? 0 : c.tcp.id(), timestampMicros, "original: " + interfaceName,
                linkType, originalLength, frame);
        if (c == null) {
            events.accept(p);
        } else {
            c.wire(p);
        }
    }

    @Override
    public void secrets(int secretsType, byte[] data, long position) {
        String source = input.name + " decryption secrets block at byte " + position;
        if (secretsType != TLS_KEY_LOG) {
            warn(String.format("%s: secrets type 0x%08x is not a TLS key log; ignored", source, secretsType));
            return;
        }
        try {
            String text = new String(data, StandardCharsets.UTF_8);
            List<String> problems = keys.addKeyLog(source, new StringReader(text));
            problems.forEach(this::warn);
            report.secretsBlocks++;
            if (wantsWire && !text.isEmpty()) { // the input's own block, where it stands
                events.accept(new TlsSecrets(0, lastMicros, Leg.CLIENT, text.endsWith("\n") ? text : text + "\n"));
            }
        } catch (IOException e) {
            throw new IllegalStateException("reading a string failed", e);
        }
    }

    @Override
    public void skipped(long packetNumber, String reason) {
        input.skipped(reason);
    }

    @Override
    public void warning(String message) {
        input.problems++;
        warn(message);
    }

    private void warn(String message) {
        report.warning(message);
        warnings.accept(message);
    }

    // ------------------------------------------------------------------ stream listener

    @Override
    public void opened(TcpConnection connection, long packetNumber, long timestampMicros) {
        OfflineConnection c = new OfflineConnection(this, connection, packetNumber, timestampMicros);
        Rule off = prefilter.rulesNeedTls() ? null : prefilter.captureOff(connection, null, null);
        if (off != null) {
            c.excludeByRule(off.id());
        } else if (!prefilter.atOpen(connection)) {
            c.exclude();
        }
        connection.attach(c);
    }

    @Override
    public void data(TcpConnection connection, boolean fromClient, long packetNumber, long timestampMicros, ByteBuf bytes,
            long streamOffset) {
        ((OfflineConnection) connection.attachment()).data(fromClient, timestampMicros, bytes);
    }

    @Override
    public void gap(TcpConnection connection, boolean fromClient, long packetNumber, long timestampMicros,
            long streamOffset, long missingBytes) {
        ((OfflineConnection) connection.attachment()).gap(fromClient, missingBytes,
                connection.sequenceAt(fromClient, streamOffset), connection.describeGap(fromClient, streamOffset, missingBytes));
    }

    @Override
    public void closed(TcpConnection connection, long timestampMicros, CloseReason reason) {
        OfflineConnection c = (OfflineConnection) connection.attachment();
        c.closed(timestampMicros, reason); // stays attached while the connection lingers: its last packets are its own
        if (c.excludedByRule != null) {
            report.filteredByRule(c.excludedByRule);
        }
        report.connection(c.outcome());
    }
}

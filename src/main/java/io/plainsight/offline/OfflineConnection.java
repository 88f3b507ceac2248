package io.plainsight.offline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.offline.tcp.CloseReason;
import io.plainsight.offline.tcp.TcpConnection;
import io.plainsight.offline.tls.TlsHandshakeInfo;
import io.plainsight.offline.tls.TlsListener;
import io.plainsight.offline.tls.TlsStreamDecryptor;
import io.plainsight.proxy.ClientHello;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One TCP connection of a capture on its way to the event bus: decides from its first bytes whether
 * it carries TLS, feeds a {@link TlsStreamDecryptor} if so, and publishes the plaintext as the
 * same events a live mode publishes ({@link Mode#OFFLINE}, the capture's addresses and packet
 * timestamps). The {@link ConnectionOpened} is published lazily, at the first plaintext, failure
 * or close, so it carries the SNI and whether the connection could be decrypted.
 */
final class OfflineConnection implements TlsListener {
    /** Notes kept per connection for the report. */
    private static final int MAX_NOTES = 8;
    /** Wire events held for an undecided connection; past this it is decided on what is known. */
    private static final int MAX_HELD = 4096;
    /** Early plaintext held for a filter on TLS fields; past this it is decided on the ClientHello. */
    private static final long MAX_EARLY_BYTES = 1 << 20;

    enum Kind { UNDECIDED, TLS, PLAIN, EXCLUDED }

    private final OfflineDecryption owner;
    final TcpConnection tcp;
    final long openedMicros;
    final long firstPacket;
    /** The input it started in (a connection may go on into the next input). */
    final String input;
    Kind kind = Kind.UNDECIDED;
    private TlsStreamDecryptor decryptor;
    TlsHandshakeInfo handshake;
    private int handshakes;
    private boolean announced;
    /** Whether the filters decided on it (kept unless {@link Kind#EXCLUDED}); until then its wire events are held. */
    private boolean decided;
    /** Its packets and secrets for the wire sinks, held while its fate is not decided (null: none). */
    private List<CaptureEvent> held;
    /** Plaintext that came before the handshake was known (0-RTT early data), held while a TLS filter waits for it. */
    private List<Early> early;
    private long earlyBytes;
    /** The first ClientHello (null: none yet, or an SSLv2-format one) and its handshake message. */
    ClientHello clientHello;
    byte[] clientHelloMessage;

    /** Early plaintext, copied. */
    private record Early(boolean fromClient, long timestampMicros, ByteBuf data) {}
    String failure;
    final List<String> notes = new ArrayList<>(0);
    long plaintextClientToServer;
    long plaintextServerToClient;
    long lastMicros;
    CloseReason closedBy;

    OfflineConnection(OfflineDecryption owner, TcpConnection tcp, long packetNumber, long timestampMicros) {
        this.owner = owner;
        this.tcp = tcp;
        this.firstPacket = packetNumber;
        this.input = owner.inputName();
        this.openedMicros = timestampMicros;
        this.lastMicros = timestampMicros;
        this.decided = !owner.decidesAfterHandshake();
    }

    /** The {@code capture: off} rule that left it out, or null. */
    String excludedByRule;
    /** Whether the capture rules on TLS fields were judged. */
    private boolean rulesJudged;

    /** Leaves the connection out of every output, as capture rule {@code id} says. */
    void excludeByRule(String id) {
        excludedByRule = id;
        exclude();
    }

    /**
     * Judges the capture rules on TLS fields once, on what is known: the ClientHello, else the
     * handshake's, else none; false when a rule leaves the connection out.
     */
    private boolean judgeRules(String sni, byte[] clientHelloMessage) {
        if (rulesJudged || kind == Kind.EXCLUDED) {
            return kind != Kind.EXCLUDED;
        }
        rulesJudged = true;
        String id = owner.captureOffAfterHello(this, sni, clientHelloMessage);
        if (id != null) {
            excludeByRule(id);
            return false;
        }
        return true;
    }

    /** Leaves the connection out of every output (a filter said so); what it held is dropped. */
    void exclude() {
        kind = Kind.EXCLUDED;
        decided = true;
        if (early != null) {
            early.forEach(e -> e.data().release());
            early = null;
        }
        if (held != null) {
            for (CaptureEvent e : held) {
                if (e instanceof CapturedPacket p) {
                    p.frame().release();
                }
            }
            held = null;
        }
    }

    /** The filters keep the connection: what it held goes out, in order. */
    private void keep() {
        decided = true;
        if (held != null) {
            List<CaptureEvent> events = held;
            held = null;
            events.forEach(owner::publish);
        }
    }

    /** One of its packets as read, for the wire sinks (after the secrets found while reading it). */
    void wire(CapturedPacket p) {
        if (kind == Kind.EXCLUDED) {
            p.frame().release();
        } else if (decided) {
            owner.publish(p);
        } else {
            hold(p);
        }
    }

    private void hold(CaptureEvent e) {
        if (held == null) {
            held = new ArrayList<>();
        }
        held.add(e);
        if (held.size() > MAX_HELD) {
            decideTls(); // waited long enough: decided on what is known
        }
    }

    /** The early plaintext held while the filter waited, now that the connection is kept. */
    private void releaseEarly() {
        if (early == null) {
            return;
        }
        List<Early> list = early;
        early = null;
        for (Early e : list) {
            try {
                publishData(e.fromClient(), e.timestampMicros(), e.data(), false);
            } finally {
                e.data().release();
            }
        }
    }

    @Override
    public void clientHello(ClientHello hello, byte[] message) {
        if (clientHello == null) {
            clientHello = hello;
            clientHelloMessage = message;
            // the capture rules on TLS fields decide here, as live; so does everything when --filter names none
            if (judgeRules(hello.sni(), message) && !owner.filterNeedsTls()) {
                decideTls();
            }
        }
    }

    /** Decides on the TLS fields known now (the handshake, else the ClientHello); false if it is left out. */
    private boolean decideTls() {
        if (decided) {
            return kind != Kind.EXCLUDED;
        }
        boolean kept = clientHello != null ? judgeRules(clientHello.sni(), clientHelloMessage)
                : handshake != null ? judgeRules(handshake.sni(), handshake.clientHello()) : judgeRules(null, null);
        if (!kept) {
            return false;
        }
        if (owner.prefilterTls(this, handshake)) {
            keep();
            return true;
        }
        exclude();
        return false;
    }

    InetSocketAddress client() {
        return new InetSocketAddress(tcp.clientAddress(), tcp.clientPort());
    }

    InetSocketAddress server() {
        return new InetSocketAddress(tcp.serverAddress(), tcp.serverPort());
    }

    void data(boolean fromClient, long timestampMicros, ByteBuf bytes) {
        lastMicros = timestampMicros;
        if (kind == Kind.UNDECIDED) {
            decide(fromClient, bytes);
        }
        switch (kind) {
            case TLS -> {
                if (decryptor != null) {
                    decryptor.data(fromClient, timestampMicros, bytes);
                }
            }
            case PLAIN -> publishData(fromClient, timestampMicros, bytes, false);
            default -> { }
        }
    }

    void gap(boolean fromClient, long missingBytes, long tcpSequence, String description) {
        switch (kind) {
            case TLS -> {
                if (decryptor != null) {
                    decryptor.gap(fromClient, missingBytes, tcpSequence);
                }
            }
            case PLAIN -> note(description + " (the plaintext on either side of it is joined in the outputs)");
            default -> { }
        }
    }

    void closed(long timestampMicros, CloseReason reason) {
        closedBy = reason;
        lastMicros = Math.max(lastMicros, timestampMicros);
        if (kind == Kind.TLS) {
            decryptor.end(timestampMicros);
            decryptor = null; // the connection stays attached while it lingers; its keys and buffers need not
        }
        if (kind == Kind.UNDECIDED && !decided) {
            // no data: decided on its addresses alone (its held packets are written or dropped); reported as
            // a connection without data unless a capture rule left it out
            decideTls();
            if (excludedByRule == null) {
                kind = Kind.UNDECIDED;
            }
            return;
        }
        if (!decideTls()) {
            return;
        }
        releaseEarly();
        if (!announced && kind != Kind.UNDECIDED) {
            announce(timestampMicros);
        }
        if (announced) {
            owner.publish(new ConnectionClosed(tcp.id(), timestampMicros, closeKind(reason), null,
                    reason == CloseReason.RST ? "reset" : null, plaintextClientToServer, plaintextServerToClient,
                    tcp.payloadSegments(true), tcp.payloadSegments(false)));
        }
    }

    private static CloseKind closeKind(CloseReason reason) {
        return reason == CloseReason.RST ? CloseKind.RST : CloseKind.FIN;
    }

    /**
     * TLS when the first bytes are a TLS record header (content type 20-24, major version 3) or an
     * SSLv2-format ClientHello from the client; anything else is captured as it is.
     */
    private void decide(boolean fromClient, ByteBuf b) {
        int i = b.readerIndex();
        boolean tls = false;
        if (b.readableBytes() >= 3) {
            int type = b.getUnsignedByte(i);
            int major = b.getUnsignedByte(i + 1);
            tls = type >= 20 && type <= 24 && major == 3
                    || fromClient && (type & 0x80) != 0 && b.getUnsignedByte(i + 2) == 1; // SSLv2 CLIENT-HELLO
        }
        if (tls) {
            kind = Kind.TLS;
            decryptor = new TlsStreamDecryptor(tcp.id(), owner.keys, this, server());
        } else {
            kind = Kind.PLAIN;
            decideTls();
        }
    }

    // ------------------------------------------------------------------ TLS listener

    @Override
    public void handshake(TlsHandshakeInfo info) {
        handshakes++;
        handshake = info;
        if (!decideTls()) {
            return;
        }
        boolean wasAnnounced = announced;
        releaseEarly(); // announces the connection (with this handshake) if it held early data
        if (wasAnnounced) {
            publishTls(lastMicros);
        }
    }

    @Override
    public void plaintext(boolean fromClient, long timestampMicros, ByteBuf data) {
        if (kind != Kind.TLS) {
            return;
        }
        if (!decided && handshake == null) {
            // 0-RTT early data comes before the handshake is known: held for the filter, which is
            // decided on the ClientHello only when too much of it comes
            int n = data.readableBytes();
            if (earlyBytes + n <= MAX_EARLY_BYTES) {
                if (early == null) {
                    early = new ArrayList<>();
                }
                early.add(new Early(fromClient, timestampMicros, Unpooled.copiedBuffer(data)));
                earlyBytes += n;
                return;
            }
            if (!decideTls()) {
                return;
            }
            releaseEarly();
        }
        if (!announced) {
            announce(timestampMicros);
            if (kind == Kind.EXCLUDED) {
                return;
            }
        }
        publishData(fromClient, timestampMicros, data, owner.wantsData());
    }

    @Override
    public void note(String message) {
        if (notes.size() < MAX_NOTES) {
            notes.add(message);
        } else if (notes.size() == MAX_NOTES) {
            notes.add("(more notes left out)");
        }
    }

    @Override
    public void secrets(String keyLogLines) {
        if (!owner.wantsWire() || kind == Kind.EXCLUDED) {
            return;
        }
        TlsSecrets s = new TlsSecrets(tcp.id(), lastMicros, Leg.CLIENT, keyLogLines);
        if (decided) {
            owner.publish(s);
        } else {
            hold(s);
        }
    }

    @Override
    public void failed(String reason) {
        if (failure == null) {
            failure = reason;
        }
    }

    // ------------------------------------------------------------------ publishing

    private void announce(long timestampMicros) {
        if (!decideTls()) {
            return;
        }
        announced = true;
        Interception interception = switch (kind) {
            case PLAIN -> Interception.PLAIN;
            default -> plaintextClientToServer + plaintextServerToClient > 0 || failure == null
                    ? Interception.DECRYPTED : Interception.UNDECRYPTED;
        };
        InetSocketAddress server = server();
        owner.publish(new ConnectionOpened(tcp.id(), openedMicros, Mode.OFFLINE, client(), server, server,
                handshake != null ? handshake.sni() : null, kind == Kind.TLS, interception));
        if (handshake != null) {
            publishTls(Math.max(openedMicros, timestampMicros));
        }
    }

    private void publishTls(long timestampMicros) {
        TlsHandshakeInfo h = handshake;
        owner.publish(new TlsEstablished(tcp.id(), timestampMicros, Leg.CLIENT, protocolName(h.versionCode()),
                h.cipherSuite(), h.alpn(), h.sni(), null, null, h.clientHello(), h.serverHello()));
    }

    /**
     * @param handedOver whether {@code data} is this connection's own (decrypted plaintext when
     *     {@link #keepsPlaintext}): it is then published as it is, else copied
     */
    private void publishData(boolean fromClient, long timestampMicros, ByteBuf data, boolean handedOver) {
        int n = data.readableBytes();
        if (n == 0) {
            return;
        }
        if (fromClient) {
            plaintextClientToServer += n;
        } else {
            plaintextServerToClient += n;
        }
        if (!announced) {
            announce(timestampMicros);
            if (kind == Kind.EXCLUDED) {
                return;
            }
        }
        if (!owner.wantsData()) {
            return;
        }
        ByteBuf copy;
        if (handedOver) {
            copy = data;
        } else {
            copy = ByteBufAllocator.DEFAULT.buffer(n, n);
            copy.writeBytes(data, data.readerIndex(), n);
        }
        owner.publish(new DataChunk(tcp.id(), timestampMicros,
                fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT, copy));
    }

    /** Plaintext is kept (published as events) exactly when some sink wants application bytes. */
    @Override
    public boolean keepsPlaintext() {
        return owner.wantsData();
    }

    /** The protocol as live modes name it (JSSE / OpenSSL names): "TLSv1.2", "SSLv3". */
    static String protocolName(int versionCode) {
        return switch (versionCode) {
            case 0x0002 -> "SSLv2";
            case 0x0300 -> "SSLv3";
            case 0x0301 -> "TLSv1";
            case 0x0302 -> "TLSv1.1";
            case 0x0303 -> "TLSv1.2";
            case 0x0304 -> "TLSv1.3";
            default -> (versionCode & 0xff00) == 0x7f00 ? "TLSv1.3" : TlsHandshakeInfo.versionName(versionCode);
        };
    }

    /** How the connection came out, for the report. */
    ConnectionOutcome outcome() {
        ConnectionOutcome.Status status;
        long plaintext = plaintextClientToServer + plaintextServerToClient;
        String reason = failure;
        switch (kind) {
            case PLAIN -> status = ConnectionOutcome.Status.PLAIN;
            case EXCLUDED -> {
                status = ConnectionOutcome.Status.FILTERED;
                reason = excludedByRule != null ? "capture: off by rule " + excludedByRule : "--filter";
            }
            case UNDECIDED -> status = ConnectionOutcome.Status.NO_DATA;
            default -> {
                if (failure == null) {
                    status = plaintext > 0 || handshake != null ? ConnectionOutcome.Status.DECRYPTED
                            : ConnectionOutcome.Status.NO_DATA;
                    if (status == ConnectionOutcome.Status.NO_DATA) {
                        reason = "the TLS handshake did not get as far as the keys (no application data)";
                    }
                } else {
                    status = plaintext > 0 ? ConnectionOutcome.Status.PARTLY : ConnectionOutcome.Status.NOT_DECRYPTED;
                }
            }
        }
        TlsHandshakeInfo h = handshake;
        return new ConnectionOutcome(tcp.id(), input, firstPacket, openedMicros, lastMicros, client(), server(),
                h == null ? null : h.sni(), h == null ? null : h.version(), h == null ? null : h.cipherSuite(),
                h == null ? null : h.alpn(), h == null ? null : h.resumption(), handshakes, status, reason,
                List.copyOf(notes), plaintextClientToServer, plaintextServerToClient,
                closedBy == null ? "capture ended" : closedBy.name());
    }
}

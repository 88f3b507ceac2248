package io.plainsight.sink.pcapng;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.Direction;
import io.plainsight.event.WireChunk;
import io.plainsight.sink.pcap.TcpConversation;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;

/**
 * One leg of a connection as it crossed the wire (TLS records and all), synthesized as a TCP
 * conversation with the leg's real addresses. While its TLS keys are awaited the leg's chunks are
 * held (copied), so that their Decryption Secrets Block can be written before them.
 */
final class WireLeg {
    private record Held(long timestampMicros, Direction direction, byte[] bytes) {}

    final InterfaceKey key;
    private final InetSocketAddress from;
    private final InetSocketAddress to;
    private final long isnId;
    private final long handshakeMicros;
    final HandshakeKeys keys = new HandshakeKeys();
    private TcpConversation tcp;
    /** A leg holds once at most: from its first handshake record until its keys (or the limits). */
    private boolean heldOnce;
    /** Its TLS handshake completed: keys that did not come by then are not waited for. */
    boolean established;
    private boolean holding;
    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private long heldBytes;
    private long holdingSinceNanos;

    /**
     * @param from the leg's client side (the client, or plainsight's upstream address)
     * @param to the leg's server side (plainsight's listener, or the server)
     * @param isnId what the initial sequence numbers derive from (with the seed)
     * @param handshakeMicros the time of the synthesized three-way handshake, when earlier than the first bytes
     */
    WireLeg(InterfaceKey key, InetSocketAddress from, InetSocketAddress to, long isnId, long handshakeMicros) {
        this.key = key;
        this.from = from;
        this.to = to;
        this.isnId = isnId;
        this.handshakeMicros = handshakeMicros;
    }

    /** Whether the leg may still start holding: it never held, and its handshake has not completed. */
    boolean mayHold() {
        return !heldOnce && !established;
    }

    boolean holding() {
        return holding;
    }

    long heldBytes() {
        return heldBytes;
    }

    long holdingSinceNanos() {
        return holdingSinceNanos;
    }

    /** Holds the leg's chunks from now on (copies them) until {@link #release}. */
    void startHolding() {
        holding = true;
        heldOnce = true;
        holdingSinceNanos = System.nanoTime();
    }

    /**
     * Whether {@code chunk} starts with what looks like a TLS handshake record: content type 22 and
     * a version 3.x (x at most 4), as far as the chunk goes. Bytes that came before (a CONNECT
     * request and its answer, a SOCKS greeting) are plaintext and written at once.
     */
    static boolean startsWithHandshake(WireChunk chunk) {
        io.netty.buffer.ByteBuf b = chunk.data();
        int i = b.readerIndex();
        int n = b.readableBytes();
        return n >= 1 && b.getByte(i) == 0x16 && (n < 2 || b.getByte(i + 1) == 3) && (n < 3 || (b.getByte(i + 2) & 0xFF) <= 4);
    }

    /** Writes the chunk's bytes, or holds a copy while {@link #holding()}; returns the bytes held. */
    int chunk(WireChunk c, PcapngWriter out, String comment, Settings s) {
        int n = c.data().readableBytes();
        if (n == 0) {
            return 0;
        }
        if (holding) {
            held.add(new Held(c.timestampMicros(), c.direction(), ByteBufUtil.getBytes(c.data())));
            heldBytes += n;
            return n;
        }
        write(c.timestampMicros(), c.direction(), c.data(), out, comment, s);
        return 0;
    }

    /** Writes what was held, in order, and stops holding; returns the bytes that were held. */
    long release(PcapngWriter out, String comment, Settings s) {
        holding = false;
        long n = heldBytes;
        Held h;
        while ((h = held.poll()) != null) {
            write(h.timestampMicros(), h.direction(), Unpooled.wrappedBuffer(h.bytes()), out, comment, s);
        }
        heldBytes = 0;
        return n;
    }

    /** Writes the end of the leg (after what was held): FIN exchange, or RST. */
    void close(ConnectionClosed e, PcapngWriter out) {
        if (tcp == null) {
            return;
        }
        out.select(key, null);
        if (e.how() == CloseKind.RST || e.how() == CloseKind.ERROR) {
            tcp.reset(e.timestampMicros(), e.closedBy() != null ? e.closedBy() : Direction.SERVER_TO_CLIENT, out);
        } else {
            tcp.finish(e.timestampMicros(), e.closedBy() != null ? e.closedBy() : Direction.CLIENT_TO_SERVER, out);
        }
    }

    private void write(long ts, Direction direction, io.netty.buffer.ByteBuf data, PcapngWriter out, String comment,
            Settings s) {
        if (tcp == null) {
            tcp = TcpConversation.forConnection(from, to, s.mss(), s.isnSeed(), isnId);
            out.select(key, comment);
            tcp.handshake(Math.min(handshakeMicros, ts), out);
        }
        out.select(key, null);
        tcp.data(ts, direction, data, out);
    }

    /** What the synthesized TCP of a leg is made with. */
    record Settings(int mss, long isnSeed) {}
}

package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.CaptureEvent;
import io.plainsight.event.Clock;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the capture bus hears about one conversation: opened once, the bytes each way (counted
 * always, published only when captured), closed once. Not thread-safe: used from one event loop.
 *
 * <p>Raw wire bytes ({@link WireChunk}) and TLS secrets ({@link TlsSecrets}) may come before the
 * conversation opens (a ClientHello read before the upstream is known): they are held, in order,
 * and published right after {@link ConnectionOpened}, or released when the conversation is kept
 * out of the capture (a {@code capture: off} rule; no wire bytes either for a conversation whose
 * bytes are not captured, such as a passed-through one).
 */
final class CaptureTap {
    private static final AtomicLong IDS = new AtomicLong();
    /** Wire bytes held before the conversation opens at most; beyond, its wire is not published. */
    static final long MAX_HELD_BYTES = 1 << 20;

    final long id = IDS.incrementAndGet();
    final long startMicros = Clock.nowMicros();
    private final CaptureBus bus;
    private final Mode mode;
    private final InterceptPolicy policy;
    /** The client's ClientHello once read (for capture rules on tls.ja3 and tls.ja4), or null. */
    private ClientHello clientHello;
    /** False when a capture rule keeps the conversation out of every output: nothing is published. */
    private boolean published = true;
    private boolean opened;
    private boolean closed;
    private boolean captured = true;
    private long c2s;
    private long s2c;
    private long c2sChunks;
    private long s2cChunks;
    /** Wire bytes and secrets that came before the conversation opened (null: none). */
    private ArrayDeque<CaptureEvent> held;
    private long heldBytes;
    /** Set when this conversation's wire bytes are no longer published (handed over, too much held). */
    private boolean wireOff;

    CaptureTap(CaptureBus bus, Mode mode) {
        this(bus, mode, null);
    }

    CaptureTap(CaptureBus bus, Mode mode, InterceptPolicy policy) {
        this.bus = bus;
        this.mode = mode;
        this.policy = policy;
    }

    /** The client's ClientHello was read: capture rules may match its JA3 and JA4 when the conversation opens. */
    void clientHello(ClientHello hello) {
        clientHello = hello;
    }

    boolean opened() {
        return opened;
    }

    /** Tells the sinks the conversation exists (once); data is published from now on. */
    void open(InetSocketAddress client, InetSocketAddress server, InetSocketAddress listener, String sni,
            boolean tlsCarried, Interception interception) {
        open(client, server, listener, sni, tlsCarried, interception, null);
    }

    /**
     * Tells the sinks the conversation exists (once); data is published from now on.
     *
     * @param upstreamLocal plainsight's address on the upstream connection, or null
     */
    void open(InetSocketAddress client, InetSocketAddress server, InetSocketAddress listener, String sni,
            boolean tlsCarried, Interception interception, InetSocketAddress upstreamLocal) {
        if (opened) {
            return;
        }
        opened = true;
        captured = interception.captured();
        if (policy != null && !policy.captured(mode, client, server, sni, clientHello)) {
            published = false;
            captured = false;
            discardHeld();
            return;
        }
        bus.publish(new ConnectionOpened(id, startMicros, mode, client, server, listener, sni, tlsCarried, interception,
                upstreamLocal));
        if (held != null) {
            ArrayDeque<CaptureEvent> early = held;
            held = null;
            heldBytes = 0;
            CaptureEvent e;
            while ((e = early.poll()) != null) {
                if (e instanceof WireChunk w) {
                    wire(w);
                } else {
                    bus.publish(e);
                }
            }
        }
    }

    /**
     * Bytes as they crossed one leg (TLS records and all): published ({@link CaptureCopies}) when
     * the conversation is captured, held (a retained slice) until it opens, dropped otherwise.
     */
    void wire(Leg leg, Direction direction, ByteBuf buf) {
        int n = buf.readableBytes();
        if (n == 0 || wireOff || closed || (opened && !(published && captured))) {
            return;
        }
        if (opened) {
            bus.publish(new WireChunk(id, Clock.nowMicros(), leg, direction, CaptureCopies.of(buf)));
            return;
        }
        // held (a ClientHello while the upstream connects, maybe for seconds): a slice of its own,
        // not of a shared slab, which it would keep allocated all that time
        WireChunk chunk = new WireChunk(id, Clock.nowMicros(), leg, direction, buf.retainedSlice());
        heldBytes += n;
        if (heldBytes > MAX_HELD_BYTES) {
            chunk.data().release();
            stopWire();
            return;
        }
        hold(chunk);
    }

    private void wire(WireChunk chunk) {
        if (published && captured && !wireOff) {
            bus.publish(chunk);
        } else {
            chunk.data().release();
        }
    }

    /** The key log lines of one leg's handshake (each ending in a newline): published, or held until the conversation opens. */
    void secrets(Leg leg, String lines) {
        if (lines.isEmpty() || closed) {
            return;
        }
        TlsSecrets secrets = new TlsSecrets(id, Clock.nowMicros(), leg, lines);
        if (opened) {
            publish(secrets);
        } else {
            hold(secrets);
        }
    }

    private void hold(CaptureEvent event) {
        if (held == null) {
            held = new ArrayDeque<>(4);
        }
        held.add(event);
    }

    /** From now on this conversation's wire bytes are not published; those held are released. */
    void stopWire() {
        wireOff = true;
        if (held != null) {
            held.removeIf(e -> {
                if (e instanceof WireChunk w) {
                    w.data().release();
                    return true;
                }
                return false;
            });
        }
    }

    /** Releases what is held for a conversation that will not open (published nothing). */
    void discardHeld() {
        if (held == null) {
            return;
        }
        for (CaptureEvent e : held) {
            if (e instanceof WireChunk w) {
                w.data().release();
            }
        }
        held = null;
        heldBytes = 0;
    }

    /** Counts bytes on their way through, and taps them when the conversation is captured. */
    void data(Direction direction, ByteBuf buf) {
        int n = buf.readableBytes();
        if (direction == Direction.CLIENT_TO_SERVER) {
            c2s += n;
            c2sChunks++;
        } else {
            s2c += n;
            s2cChunks++;
        }
        if (opened && captured && n > 0 && bus.wantsData()) {
            bus.publish(new DataChunk(id, Clock.nowMicros(), direction, CaptureCopies.of(buf)));
        }
    }

    void publish(CaptureEvent event) {
        if (published) {
            bus.publish(event);
        }
    }

    /** The end (once); the byte counts are the tap's own. */
    void close(CloseKind kind, Direction closedBy, String error) {
        if (closed) {
            return;
        }
        closed = true;
        discardHeld();
        if (!published) {
            return;
        }
        bus.publish(new ConnectionClosed(id, Clock.nowMicros(), kind == null ? CloseKind.FIN : kind, closedBy, error, c2s, s2c,
                c2sChunks, s2cChunks));
    }
}

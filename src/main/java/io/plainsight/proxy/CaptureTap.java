package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.Clock;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Mode;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the capture bus hears about one conversation: opened once, the bytes each way (counted
 * always, published only when captured), closed once. Not thread-safe: used from one event loop.
 */
final class CaptureTap {
    private static final AtomicLong IDS = new AtomicLong();

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
            return;
        }
        bus.publish(new ConnectionOpened(id, startMicros, mode, client, server, listener, sni, tlsCarried, interception,
                upstreamLocal));
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
            bus.publish(new DataChunk(id, Clock.nowMicros(), direction, buf.retainedSlice()));
        }
    }

    void publish(io.plainsight.event.CaptureEvent event) {
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
        if (!published) {
            return;
        }
        bus.publish(new ConnectionClosed(id, Clock.nowMicros(), kind == null ? CloseKind.FIN : kind, closedBy, error, c2s, s2c,
                c2sChunks, s2cChunks));
    }
}

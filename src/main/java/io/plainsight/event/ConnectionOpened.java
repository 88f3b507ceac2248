package io.plainsight.event;

import java.net.InetSocketAddress;

/**
 * A conversation begins: both ends are known. Published before any {@link DataChunk} of it.
 *
 * @param client the client's real address
 * @param server the server's address as the capture should show it (the backend / origin)
 * @param listener the address plainsight accepted the client on
 * @param sni the server name the client asked for, or null
 * @param tlsCarried whether the application bytes were carried in TLS on either leg (so the
 *     capture may map the port to the decrypted one)
 * @param interception whether the bytes were decrypted and captured, or passed through
 * @param upstreamLocal plainsight's own address on the upstream connection (the source of the
 *     packets it sent to {@code server}), or null when there is none (offline, no upstream yet)
 */
public record ConnectionOpened(
        long connectionId,
        long timestampMicros,
        Mode mode,
        InetSocketAddress client,
        InetSocketAddress server,
        InetSocketAddress listener,
        String sni,
        boolean tlsCarried,
        Interception interception,
        InetSocketAddress upstreamLocal)
        implements CaptureEvent {

    /** Without an upstream local address. */
    public ConnectionOpened(long connectionId, long timestampMicros, Mode mode, InetSocketAddress client,
            InetSocketAddress server, InetSocketAddress listener, String sni, boolean tlsCarried,
            Interception interception) {
        this(connectionId, timestampMicros, mode, client, server, listener, sni, tlsCarried, interception, null);
    }

    /** A decrypted (captured) conversation. */
    public ConnectionOpened(long connectionId, long timestampMicros, Mode mode, InetSocketAddress client,
            InetSocketAddress server, InetSocketAddress listener, String sni, boolean tlsCarried) {
        this(connectionId, timestampMicros, mode, client, server, listener, sni, tlsCarried, Interception.DECRYPTED, null);
    }
}

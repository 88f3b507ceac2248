package io.plainsight.sink.pcap;

import io.plainsight.event.CaptureEvent;
import io.plainsight.event.CapturedPacket;
import io.plainsight.event.CloseKind;
import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.DataChunk;
import io.plainsight.event.Direction;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import io.plainsight.event.TlsSecrets;
import io.plainsight.event.WireChunk;
import io.netty.util.collection.LongObjectHashMap;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns capture events into TCP frames, one {@link TcpConversation} per connection. The handshake
 * is written lazily, when the first data arrives, because the server port written to the capture
 * depends on that data (see {@link #serverPort}); a connection that closes without data writes
 * nothing.
 *
 * <p>Public so that other outputs of the same synthesized frames (PCAP-over-IP) reuse it.
 */
public final class ConversationTracker {
    private static final Logger log = LoggerFactory.getLogger(ConversationTracker.class);

    private final PcapOptions options;
    private final LongObjectHashMap<Conversation> conversations = new LongObjectHashMap<>(); // no boxing per data event

    private static final class Conversation {
        final ConnectionOpened opened;
        TcpConversation tcp;
        /** A TLS leg negotiated an HTTP protocol by ALPN (h2 servers may speak first). */
        boolean httpByAlpn;

        Conversation(ConnectionOpened opened) {
            this.opened = opened;
        }
    }

    /**
     * Whether offline connections' decrypted streams must not use their real server port (the file
     * also holds the original packets, whose address and port pairs they would otherwise share).
     */
    private final boolean besideOriginals;

    public ConversationTracker(PcapOptions options) {
        this(options, false);
    }

    /**
     * @param besideOriginals true when the same file holds the original packets of offline
     *     connections: a decrypted stream that would keep its real server port (not HTTP, no
     *     {@code --pcap-port}) gets port {@value #BESIDE_ORIGINALS_PORT} (discard) instead, so that
     *     readers do not take it for the same TCP connection as the original packets
     */
    public ConversationTracker(PcapOptions options, boolean besideOriginals) {
        this.options = options;
        this.besideOriginals = besideOriginals;
    }

    /** The server port of a decrypted offline stream that is not HTTP, beside its original packets. */
    public static final int BESIDE_ORIGINALS_PORT = 9;

    /** Writes the frames {@code event} implies (none for most events) to {@code out}. */
    public void accept(CaptureEvent event, FrameOutput out) {
        switch (event) {
            case ConnectionOpened o -> conversations.put(o.connectionId(), new Conversation(o));
            case TlsEstablished t -> {
                Conversation c = conversations.get(t.connectionId());
                if (c != null && HttpDetector.isHttpAlpn(t.alpn())) {
                    c.httpByAlpn = true;
                }
            }
            case DataChunk d -> data(d, out);
            case TlsSecrets s -> {}
            case WireChunk w -> {}
            case CapturedPacket p -> { }
            case ConnectionClosed c -> closed(c, out);
        }
    }

    /** Connections opened and not yet closed. */
    public int openConversations() {
        return conversations.size();
    }

    private void data(DataChunk d, FrameOutput out) {
        if (!d.data().isReadable()) {
            return;
        }
        Conversation c = conversations.get(d.connectionId());
        if (c == null) {
            log.debug("pcap: data of unknown connection {} ignored", d.connectionId());
            return;
        }
        if (c.tcp == null) {
            ConnectionOpened o = c.opened;
            boolean http = c.httpByAlpn
                    || d.direction() == Direction.CLIENT_TO_SERVER && HttpDetector.looksLikeHttp(d.data());
            int port = serverPort(options, o, http);
            if (besideOriginals && o.mode() == Mode.OFFLINE && port == o.server().getPort()) {
                port = http && port != 80 ? 80 : BESIDE_ORIGINALS_PORT;
            }
            InetSocketAddress server = withPort(o.server(), port);
            c.tcp = TcpConversation.forConnection(o.client(), server, options.mss(), options.isnSeed(), o.connectionId());
            c.tcp.handshake(o.timestampMicros(), out);
        }
        c.tcp.data(d.timestampMicros(), d.direction(), d.data(), out);
    }

    private void closed(ConnectionClosed e, FrameOutput out) {
        Conversation c = conversations.remove(e.connectionId());
        if (c == null || c.tcp == null) {
            return;
        }
        if (e.how() == CloseKind.RST || e.how() == CloseKind.ERROR) {
            Direction from = e.closedBy() != null ? e.closedBy() : Direction.SERVER_TO_CLIENT;
            c.tcp.reset(e.timestampMicros(), from, out);
        } else {
            Direction closer = e.closedBy() != null ? e.closedBy() : Direction.CLIENT_TO_SERVER;
            c.tcp.finish(e.timestampMicros(), closer, out);
        }
    }

    /**
     * The server port written to the capture: the configured {@code --pcap-port}; else 80 for HTTP
     * that TLS carried (so readers dissect it without options); else the real port.
     */
    static int serverPort(PcapOptions options, ConnectionOpened opened, boolean http) {
        if (options.pcapPort() != 0) {
            return options.pcapPort();
        }
        if (opened.tlsCarried() && http) {
            return 80;
        }
        return opened.server().getPort();
    }

    private static InetSocketAddress withPort(InetSocketAddress a, int port) {
        if (a.getPort() == port) {
            return a;
        }
        return a.getAddress() != null
                ? new InetSocketAddress(a.getAddress(), port)
                : InetSocketAddress.createUnresolved(a.getHostString(), port);
    }
}

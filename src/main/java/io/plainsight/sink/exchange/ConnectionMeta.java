package io.plainsight.sink.exchange;

import io.plainsight.event.ConnectionClosed;
import io.plainsight.event.ConnectionOpened;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import java.net.InetSocketAddress;

/** What is known about one connection: how it opened, its TLS on each leg, and (at the end) how it closed. */
public final class ConnectionMeta {
    public final ConnectionOpened opened;
    public TlsEstablished clientTls;
    public TlsEstablished upstreamTls;
    public ConnectionClosed closed;
    /** Exchanges or WebSocket messages reported on it so far. */
    public long exchanges;
    /** Bytes seen on it so far, both ways (as tapped; the close event's counts once it ended). */
    long bytesSeen;

    public ConnectionMeta(ConnectionOpened opened) {
        this.opened = opened;
    }

    void tls(TlsEstablished t) {
        if (t.leg() == Leg.CLIENT) {
            clientTls = t;
        } else {
            upstreamTls = t;
        }
    }

    /** Bytes so far on the connection, both ways. */
    public long bytes() {
        if (closed != null) {
            return Math.max(bytesSeen, closed.bytesClientToServer() + closed.bytesServerToClient());
        }
        return bytesSeen;
    }

    public long id() {
        return opened.connectionId();
    }

    public InetSocketAddress client() {
        return opened.client();
    }

    public InetSocketAddress server() {
        return opened.server();
    }

    public Mode mode() {
        return opened.mode();
    }

    /** The SNI the client asked for (or the upstream's). */
    public String sni() {
        if (opened.sni() != null) {
            return opened.sni();
        }
        return upstreamTls != null ? upstreamTls.sni() : null;
    }

    /** The TLS the client saw: the client leg, else (originate) the upstream leg. */
    public TlsEstablished tls() {
        return clientTls != null ? clientTls : upstreamTls;
    }

    /** The negotiated ALPN (client leg first). */
    public String alpn() {
        TlsEstablished t = tls();
        if (clientTls != null && clientTls.alpn() != null) {
            return clientTls.alpn();
        }
        return t == null ? null : t.alpn();
    }

    /** "https" when the client spoke TLS to us (its URLs were https) or, offline, to its server; else "http". */
    public String scheme() {
        return clientTls != null || opened.mode() == Mode.OFFLINE && (opened.tlsCarried() || upstreamTls != null)
                ? "https" : "http";
    }
}

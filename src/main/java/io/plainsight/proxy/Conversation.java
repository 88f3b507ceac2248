package io.plainsight.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.ssl.SslHandler;
import io.plainsight.event.CaptureBus;
import io.plainsight.event.Clock;
import io.plainsight.event.CloseKind;
import io.plainsight.event.Direction;
import io.plainsight.event.Interception;
import io.plainsight.event.Leg;
import io.plainsight.event.Mode;
import io.plainsight.event.TlsEstablished;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.security.auth.x500.X500Principal;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied conversation: the client channel, the upstream channel, and what the capture bus
 * hears about them. All methods run on the client channel's event loop (the upstream channel is
 * registered on the same loop), so no locking is needed.
 */
public final class Conversation {
    private static final Logger log = LoggerFactory.getLogger("plainsight");

    final CaptureTap tap;
    private final CaptureBus bus;
    final long id;
    final Mode mode;
    final Channel client;
    final InetSocketAddress listener;
    /** The upstream to connect to (known later in proxy modes: CONNECT, SOCKS, original destination). */
    HostPort target;
    /** What happens to the bytes; decided before the conversation opens. */
    Interception interception = Interception.DECRYPTED;
    Channel upstream;
    RelayHandler clientRelay;
    RelayHandler upstreamRelay;
    String sni;
    /** Set when the upstream's first bytes were not a TLS record: what it sent instead. */
    String upstreamNotTls;
    private boolean finished;
    /** Set when the connection's traffic is captured elsewhere (forwarded HTTP) or not at all (onboarding). */
    private boolean handedOver;
    private Direction closedBy;
    private CloseKind kind;
    private String error;
    private int inactive;
    private boolean clientInputEnded;
    private boolean upstreamInputEnded;

    private final InterceptPolicy policy;
    /** Set when some output wants TLS secrets: the key log that reports this conversation's. */
    io.plainsight.tls.TlsKeyLog keyLog;
    /** Whether some output wants the raw wire: each leg's pipeline starts with a {@link WireTap}. */
    boolean wire;
    /** Key log lines of a leg's handshake in progress (index: leg ordinal), null when none. */
    private final StringBuilder[] secrets = new StringBuilder[2];
    /** The hellos of each leg (index: leg ordinal), as sent; null when not seen. */
    private final byte[][] clientHellos = new byte[2][];
    private final byte[][] serverHellos = new byte[2][];

    Conversation(Mode mode, CaptureBus bus, Channel client, HostPort target) {
        this(mode, bus, client, target, null);
    }

    /** @param policy decides capture rules' {@code capture: off} when the conversation opens (null: capture all) */
    Conversation(Mode mode, CaptureBus bus, Channel client, HostPort target, InterceptPolicy policy) {
        this.bus = bus;
        this.policy = policy;
        this.tap = new CaptureTap(bus, mode, policy);
        this.id = tap.id;
        this.mode = mode;
        this.client = client;
        this.listener = (InetSocketAddress) client.localAddress();
        this.target = target;
    }

    public long id() {
        return id;
    }

    /** Both ends are known: tells the sinks. */
    void open(Channel upstream, boolean tlsCarried) {
        this.upstream = upstream;
        if (tap.opened()) {
            return;
        }
        SocketAddress remote = upstream.remoteAddress();
        InetSocketAddress server = remote instanceof InetSocketAddress isa ? isa : target.unresolved();
        tap.open((InetSocketAddress) client.remoteAddress(), server, listener, sni, tlsCarried, interception,
                upstream.localAddress() instanceof InetSocketAddress local ? local : null);
    }

    void tlsEstablished(Leg leg, SslHandler ssl) {
        SSLSession s = ssl.engine().getSession();
        String fingerprint = null;
        String subject = null;
        try {
            Certificate[] certs = leg == Leg.UPSTREAM ? s.getPeerCertificates() : s.getLocalCertificates();
            if (certs != null && certs.length > 0) {
                fingerprint = sha256(certs[0].getEncoded());
                if (certs[0] instanceof X509Certificate x) {
                    subject = x.getSubjectX500Principal().getName(X500Principal.RFC2253);
                }
            }
        } catch (SSLPeerUnverifiedException | CertificateEncodingException e) {
            // no certificate (PSK) or unreadable: leave it out
        }
        tap.publish(new TlsEstablished(id, Clock.nowMicros(), leg, s.getProtocol(), s.getCipherSuite(),
                ssl.applicationProtocol(), leg == Leg.CLIENT ? sni : upstreamSni(), fingerprint, subject,
                clientHellos[leg.ordinal()], serverHellos[leg.ordinal()]));
    }

    /** The ClientHello message of {@code leg} as sent (the client's, or plainsight's upstream). */
    void clientHello(Leg leg, byte[] message) {
        if (clientHellos[leg.ordinal()] == null) {
            clientHellos[leg.ordinal()] = message;
        }
    }

    /** The ServerHello message of {@code leg} as sent (plainsight's to the client, or the server's). */
    void serverHello(Leg leg, byte[] message) {
        if (serverHellos[leg.ordinal()] == null) {
            serverHellos[leg.ordinal()] = message;
        }
    }

    /**
     * When some output wants TLS secrets, collects the key log lines of {@code ssl}'s handshake on
     * {@code leg} and publishes them (one {@link io.plainsight.event.TlsSecrets}) as the handshake
     * ends, before that leg's {@link TlsEstablished}. Call before the handler sees any byte and
     * before anyone else listens to its handshake.
     */
    void watchSecrets(Leg leg, SslHandler ssl) {
        io.plainsight.tls.TlsKeyLog k = keyLog;
        if (k == null) {
            return;
        }
        secrets[leg.ordinal()] = new StringBuilder(512);
        io.netty.channel.EventLoop loop = client.eventLoop();
        k.watch(ssl, line -> {
            if (loop.inEventLoop()) {
                secretLine(leg, line);
            } else {
                loop.execute(() -> secretLine(leg, line));
            }
        });
        ssl.handshakeFuture().addListener(f -> flushSecrets(leg));
    }

    private void secretLine(Leg leg, String line) {
        StringBuilder sb = secrets[leg.ordinal()];
        if (sb == null) {
            // a late line (after the handshake's end): on its own
            tap.secrets(leg, line + "\n");
            return;
        }
        sb.append(line).append('\n');
    }

    private void flushSecrets(Leg leg) {
        StringBuilder sb = secrets[leg.ordinal()];
        secrets[leg.ordinal()] = null;
        if (sb != null) {
            tap.secrets(leg, sb.toString());
        }
    }

    /** "backend HOST:PORT" in the relay modes, "server HOST:PORT" where clients choose it. */
    String upstreamName() {
        return (mode == Mode.PROXY || mode == Mode.TRANSPARENT ? "server " : "backend ") + target;
    }

    private String upstreamSni() {
        return sni != null ? sni : (target.isIpLiteral() ? null : target.host());
    }

    /** Counts and taps application bytes on their way through. */
    void data(Direction direction, ByteBuf buf) {
        tap.data(direction, buf);
    }

    /** Both relays start forwarding (and flush what they held back). */
    void activate() {
        clientRelay.activate();
        if (upstreamRelay != null) {
            upstreamRelay.activate();
        }
    }

    /**
     * The conversation cannot go on: logs one line naming the cause, and closes both ends.
     *
     * @param reason e.g. "backend 127.0.0.1:8443: TLS handshake failed: ..."
     */
    void fail(String reason) {
        if (error == null && !finished) {
            error = reason;
            kind = CloseKind.ERROR;
            log.warn("#{} {}: {}", id, client.remoteAddress() == null ? "?" : addr(client.remoteAddress()), reason);
        }
        closeBoth();
    }

    /**
     * An exception on one leg: before the conversation is active it is a handshake failure, after,
     * a protocol or I/O error.
     */
    void failed(boolean clientLeg, boolean established, Throwable cause) {
        if (Failures.find(cause, java.nio.channels.ClosedChannelException.class) != null
                && Failures.find(cause, javax.net.ssl.SSLException.class) == null) {
            // a write raced with the peer's close: an ordinary end, not an error
            closeBoth();
            return;
        }
        String who = clientLeg ? "client" : upstreamName();
        String notTls = Failures.notTls(cause);
        if (!clientLeg && upstreamNotTls != null) {
            fail(who + " did not speak TLS (first bytes: \"" + upstreamNotTls + "\")");
        } else if (notTls != null) {
            fail(who + " " + notTls);
        } else if (!established && Failures.find(cause, javax.net.ssl.SSLException.class) != null) {
            boolean forged = clientLeg && (mode == Mode.PROXY || mode == Mode.TRANSPARENT);
            fail(who + " TLS handshake failed: " + Failures.handshake(cause)
                    + (forged ? " (does the client trust the plainsight CA? http://plainsight/ through the proxy has it)" : ""));
        } else {
            fail(who + ": " + Failures.rootMessage(cause));
        }
    }

    /** Neither side sent anything for the idle timeout: closed by plainsight. */
    void idle() {
        if (kind == null) {
            kind = CloseKind.TIMEOUT;
        }
        closeBoth();
    }

    /** A peer reset its connection. */
    void reset(Direction side, Throwable cause) {
        if (kind == null) {
            kind = CloseKind.RST;
            closedBy = side;
        }
        closeBoth();
    }

    /**
     * One side finished sending (TCP FIN, or TLS close_notify) but may still read: everything it
     * sent so far is flushed to the other side, whose TCP output is then shut (FIN), and the other
     * direction keeps flowing until it ends too; then both are closed (with close_notify on TLS).
     */
    void inputEnded(Channel ch) {
        boolean fromClient = ch == client;
        if (fromClient ? clientInputEnded : upstreamInputEnded) {
            return;
        }
        if (fromClient) {
            clientInputEnded = true;
        } else {
            upstreamInputEnded = true;
        }
        if (closedBy == null && kind == null) {
            closedBy = fromClient ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        }
        Channel other = fromClient ? upstream : client;
        if ((clientInputEnded && upstreamInputEnded) || other == null || !other.isActive()) {
            flushAndClose(client);
            flushAndClose(upstream);
            return;
        }
        other.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
            if (!f.isSuccess() || !other.isActive()) {
                closeBoth();
                return;
            }
            // towards the client, the server's end is a close_notify then a FIN, as the server
            // sent it (a FIN alone reads as a truncation attack to TLS clients); towards the
            // server, a FIN only: a close_notify would end a whole TLS 1.2 connection, and servers
            // such as nginx drop a response in flight when they read one
            SslHandler ssl = other == client ? other.pipeline().get(SslHandler.class) : null;
            io.netty.channel.ChannelFuture notified = ssl != null ? ssl.closeOutbound() : other.newSucceededFuture();
            notified.addListener(g -> {
                if (other instanceof io.netty.channel.socket.DuplexChannel duplex && other.isActive()) {
                    duplex.shutdownOutput();
                }
            });
        });
    }

    private static void flushAndClose(Channel ch) {
        if (ch != null && ch.isActive()) {
            ch.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        } else if (ch != null) {
            ch.close();
        }
    }

    /** One channel went inactive. */
    void channelClosed(Channel ch) {
        Direction side = ch == client ? Direction.CLIENT_TO_SERVER : Direction.SERVER_TO_CLIENT;
        if (closedBy == null && kind == null) {
            closedBy = side;
        }
        Channel other = ch == client ? upstream : client;
        if (other != null && other.isActive()) {
            other.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
        inactive++;
        if (ch == client && (upstream == null || !upstream.isOpen())) {
            finish();
        } else if (inactive >= 2 || other == null || !other.isOpen()) {
            finish();
        }
    }

    /** The upstream connection was never made (or closed before it was registered here). */
    void upstreamGone() {
        if (!client.isOpen()) {
            finish();
        }
    }

    void closeBoth() {
        if (client.isOpen()) {
            client.close();
        }
        if (upstream != null && upstream.isOpen()) {
            upstream.close();
        }
    }

    /** A capture of its own for one upstream connection made on this client's behalf (forwarded HTTP). */
    CaptureTap newTap() {
        return new CaptureTap(bus, mode, policy);
    }

    /** This conversation publishes nothing: its client's traffic is captured per upstream by someone else. */
    void handOver() {
        handedOver = true;
        tap.stopWire(); // the client's bytes belong to the forwarded conversations now
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        if (handedOver && !tap.opened()) {
            tap.discardHeld();
            return;
        }
        if (!tap.opened()) {
            InetSocketAddress remote = client.remoteAddress() instanceof InetSocketAddress isa ? isa : null;
            // an upstream connection that was made (the handshake failed, say) names the real ends
            InetSocketAddress server = upstream != null && upstream.remoteAddress() instanceof InetSocketAddress r ? r
                    : target != null ? target.unresolved() : listener;
            InetSocketAddress upstreamLocal = upstream != null && upstream.localAddress() instanceof InetSocketAddress l
                    ? l : null;
            tap.open(remote, server, listener, sni, true, interception, upstreamLocal);
        }
        tap.close(kind, closedBy, error);
    }

    static String addr(SocketAddress a) {
        if (a instanceof InetSocketAddress isa && isa.getAddress() != null) {
            String host = isa.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + isa.getPort();
        }
        return String.valueOf(a);
    }

    static String sha256(byte[] der) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

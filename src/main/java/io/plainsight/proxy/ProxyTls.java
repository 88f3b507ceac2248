package io.plainsight.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.X509Certificate;
import java.util.List;

/** The TLS decisions the relays need, on both legs. */
public interface ProxyTls {
    /**
     * A server-side handler for the client leg, presenting the certificate chosen for this
     * connection (imported for the SNI, or forged for {@code name}, copying {@code upstreamLeaf}'s
     * subject and SANs when given).
     *
     * @param name the SNI, or the default name when the client sent none
     * @param alpn the ALPN protocols to select from, in preference order; empty for none
     */
    SslHandler clientLeg(ByteBufAllocator alloc, String name, List<String> alpn, X509Certificate upstreamLeaf);

    /** Releases per-connection state of a client-leg handler once its handshake ended. */
    void clientLegDone(SslHandler handler);

    /**
     * A client-side handler for the upstream leg: SNI {@code sni} when it is a name, ALPN offer as
     * given, verification per the upstream trust options against the SNI or else {@code host}.
     */
    SslHandler upstreamLeg(ByteBufAllocator alloc, String sni, String host, int port, List<String> alpnOffer);

    /**
     * Turns on TLS key logging for every handshake on both legs from now on, and returns the key
     * log to watch connections with; null when this wiring cannot log keys (it has said why).
     * Called once, before traffic, and only when some output wants the secrets.
     */
    default io.plainsight.tls.TlsKeyLog enableKeyLog() {
        return null;
    }

    /** The CA that signs forged certificates (for the onboarding page), or null. */
    default io.plainsight.tls.CertificateAuthority authority() {
        return null;
    }
}

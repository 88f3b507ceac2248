package io.plainsight.event;

/**
 * A TLS handshake completed on one leg.
 *
 * @param protocol e.g. "TLSv1.3"
 * @param cipher the cipher suite name
 * @param alpn the negotiated application protocol, or null
 * @param sni the server name of that handshake, or null
 * @param peerCertificateSha256 hex SHA-256 of the peer's (upstream) or our presented (client leg)
 *     leaf certificate, or null
 */
public record TlsEstablished(
        long connectionId,
        long timestampMicros,
        Leg leg,
        String protocol,
        String cipher,
        String alpn,
        String sni,
        String peerCertificateSha256)
        implements CaptureEvent {}

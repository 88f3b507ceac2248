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
 * @param certificateSubject the subject DN (RFC 2253) of that same certificate, or null
 * @param clientHello the ClientHello handshake message of that leg as sent (type byte, 3-byte
 *     length and body; the client's on the CLIENT leg, plainsight's on the UPSTREAM leg), or null
 *     when not seen; for fingerprints (JA3, JA4) computed by sinks, off the data path. Shared: do
 *     not modify.
 * @param serverHello the ServerHello handshake message of that leg as received or sent (type,
 *     length, body; the server's on the UPSTREAM leg), or null when not seen; for JA3S/JA4S.
 *     Shared: do not modify.
 */
public record TlsEstablished(
        long connectionId,
        long timestampMicros,
        Leg leg,
        String protocol,
        String cipher,
        String alpn,
        String sni,
        String peerCertificateSha256,
        String certificateSubject,
        byte[] clientHello,
        byte[] serverHello)
        implements CaptureEvent {

    /** Without the certificate subject and the hello messages. */
    public TlsEstablished(long connectionId, long timestampMicros, Leg leg, String protocol, String cipher,
            String alpn, String sni, String peerCertificateSha256) {
        this(connectionId, timestampMicros, leg, protocol, cipher, alpn, sni, peerCertificateSha256, null, null, null);
    }
}

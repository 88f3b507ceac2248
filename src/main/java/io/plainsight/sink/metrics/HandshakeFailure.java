package io.plainsight.sink.metrics;

import java.util.Locale;

/**
 * A failed TLS handshake told apart from a connection's one-line error (the wording of
 * {@code proxy/Conversation} and {@code proxy/Failures}): which side failed and why, in a small,
 * fixed set of label values.
 *
 * <p>Sides: {@code client} (the client's handshake with plainsight) and {@code upstream}
 * (plainsight's handshake with the backend or origin server). Reasons: {@code unknown_ca},
 * {@code bad_certificate}, {@code certificate_expired}, {@code hostname_mismatch},
 * {@code no_shared_cipher}, {@code protocol_version}, {@code handshake_failure} (the peer's
 * handshake_failure alert), {@code not_tls}, {@code bad_client_hello}, {@code no_certificate}
 * (plainsight had no certificate to present), {@code closed} (closed or reset during the handshake),
 * {@code timeout}, {@code other}.
 *
 * @param side "client" or "upstream"
 * @param reason one of the reasons above
 */
public record HandshakeFailure(String side, String reason) {
    public static final String CLIENT = "client";
    public static final String UPSTREAM = "upstream";

    /**
     * The handshake failure an error line tells of, or null when it tells of something else (a
     * refused connect, a protocol error after the handshake, a plain reset).
     */
    public static HandshakeFailure classify(String error) {
        if (error == null || error.isEmpty()) {
            return null;
        }
        String side;
        String rest;
        if (error.startsWith("client")) {
            side = CLIENT;
            rest = error.substring("client".length());
        } else if (error.startsWith("backend ") || error.startsWith("server ")) {
            side = UPSTREAM;
            rest = error.substring(error.indexOf(' ') + 1);
        } else if (error.startsWith("no certificate for '")) {
            return new HandshakeFailure(CLIENT, "no_certificate");
        } else {
            return null;
        }
        if (rest.contains("did not speak TLS")) {
            return new HandshakeFailure(side, "not_tls");
        }
        if (side.equals(CLIENT) && (rest.startsWith(" malformed ClientHello") || rest.startsWith(" sent no TLS ClientHello"))) {
            return new HandshakeFailure(side, "bad_client_hello");
        }
        if (rest.contains(" before sending a complete TLS ClientHello") || rest.contains(" before its TLS ClientHello was complete")
                || rest.contains(" closed the connection during the TLS handshake")
                || rest.contains(" closed the connection before the TLS handshake")) {
            return new HandshakeFailure(side, "closed");
        }
        int failed = rest.indexOf(" TLS handshake failed");
        if (failed < 0) {
            return null;
        }
        return new HandshakeFailure(side, reason(rest.substring(failed + " TLS handshake failed".length())));
    }

    /** The reason label for the cause that follows "TLS handshake failed" (BoringSSL, OpenSSL or JDK wording). */
    static String reason(String cause) {
        String c = cause.toUpperCase(Locale.ROOT);
        if (c.contains("UNKNOWN_CA") || c.contains("UNKNOWN CA") || c.contains("UNABLE TO FIND VALID CERTIFICATION PATH")
                || c.contains("PKIX PATH") || c.contains("UNABLE TO GET LOCAL ISSUER") || c.contains("SELF SIGNED")
                || c.contains("SELF-SIGNED") || c.contains("SELF_SIGNED")) {
            return "unknown_ca";
        }
        if (c.contains("EXPIRED") || c.contains("NOTAFTER") || c.contains("NOT YET VALID") || c.contains("NOTBEFORE")) {
            return "certificate_expired";
        }
        if (c.contains("NO SUBJECT ALTERNATIVE") || c.contains("NO NAME MATCHING") || c.contains("HOSTNAME")
                || c.contains("DOES NOT MATCH")) {
            return "hostname_mismatch";
        }
        if (c.contains("BAD_CERTIFICATE") || c.contains("BAD CERTIFICATE") || c.contains("CERTIFICATE_UNKNOWN")
                || c.contains("CERTIFICATE UNKNOWN") || c.contains("UNSUPPORTED_CERTIFICATE") || c.contains("CERTIFICATE_REVOKED")
                || c.contains("CERTIFICATE REVOKED") || c.contains("BAD_ECC_CERT") || c.contains("CERTIFICATE_VERIFY_FAILED")) {
            return "bad_certificate";
        }
        if (c.contains("NO_SHARED_CIPHER") || c.contains("NO SHARED CIPHER") || c.contains("NO_CIPHERS_AVAILABLE")
                || c.contains("NO APPROPRIATE CIPHER") || c.contains("NO_SHARED_GROUP") || c.contains("INSUFFICIENT_SECURITY")) {
            return "no_shared_cipher";
        }
        if (c.contains("PROTOCOL_VERSION") || c.contains("PROTOCOL VERSION") || c.contains("UNSUPPORTED_PROTOCOL")
                || c.contains("WRONG_VERSION_NUMBER") || c.contains("NO APPROPRIATE PROTOCOL") || c.contains("UNSUPPORTED PROTOCOL")) {
            return "protocol_version";
        }
        if (c.contains("HANDSHAKE_FAILURE") || c.contains("HANDSHAKE FAILURE")) {
            return "handshake_failure";
        }
        if (c.contains("TIMED OUT") || c.contains("TIMEOUT")) {
            return "timeout";
        }
        if (c.contains("CLOSED DURING THE TLS HANDSHAKE") || c.contains("RESET DURING THE TLS HANDSHAKE")
                || c.contains("CONNECTION RESET") || c.contains("BROKEN PIPE")) {
            return "closed";
        }
        return "other";
    }
}

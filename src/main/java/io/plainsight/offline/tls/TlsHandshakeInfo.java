package io.plainsight.offline.tls;

/**
 * The parameters of one TLS handshake of a connection.
 *
 * @param version e.g. "TLS 1.2", "SSL 3.0", "TLS 1.3", "TLS 1.3 (draft 20)"
 * @param versionCode the negotiated version's code point (0x0300 to 0x0304, 0x7fxx for drafts)
 * @param cipherSuite the IANA name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
 * @param cipherSuiteCode its code point
 * @param sni the server_name the client asked for, or null
 * @param alpn the protocol the server selected (ALPN), or null
 * @param resumption null for a full handshake, else how the session was resumed: "session ID",
 *     "session ticket" or "PSK" (TLS 1.3)
 * @param renegotiation true for every handshake after the connection's first one
 * @param clientRandom the ClientHello's random in hex (what key logs are keyed by)
 * @param encryptThenMac RFC 7366 encrypt-then-MAC is in use (CBC suites only)
 * @param extendedMasterSecret the RFC 7627 extended master secret was negotiated
 * @param clientHello the handshake's (first) ClientHello message, type, 3-byte length and body, or
 *     null (an SSLv2-format hello); shared, do not modify
 * @param serverHello its ServerHello message (not a HelloRetryRequest), or null; shared, do not modify
 */
public record TlsHandshakeInfo(
        String version,
        int versionCode,
        String cipherSuite,
        int cipherSuiteCode,
        String sni,
        String alpn,
        String resumption,
        boolean renegotiation,
        String clientRandom,
        boolean encryptThenMac,
        boolean extendedMasterSecret,
        byte[] clientHello,
        byte[] serverHello) {

    /** Equal when every field is, the hello messages compared by content (records compare arrays by identity). */
    @Override
    public boolean equals(Object o) {
        return o instanceof TlsHandshakeInfo t
                && versionCode == t.versionCode && cipherSuiteCode == t.cipherSuiteCode
                && renegotiation == t.renegotiation && encryptThenMac == t.encryptThenMac
                && extendedMasterSecret == t.extendedMasterSecret
                && java.util.Objects.equals(version, t.version) && java.util.Objects.equals(cipherSuite, t.cipherSuite)
                && java.util.Objects.equals(sni, t.sni) && java.util.Objects.equals(alpn, t.alpn)
                && java.util.Objects.equals(resumption, t.resumption) && java.util.Objects.equals(clientRandom, t.clientRandom)
                && java.util.Arrays.equals(clientHello, t.clientHello) && java.util.Arrays.equals(serverHello, t.serverHello);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(version, versionCode, cipherSuite, sni, alpn, resumption, renegotiation, clientRandom,
                java.util.Arrays.hashCode(clientHello), java.util.Arrays.hashCode(serverHello));
    }

    /** The fields, with the hello messages as their lengths. */
    @Override
    public String toString() {
        return "TlsHandshakeInfo[version=" + version + ", cipherSuite=" + cipherSuite + ", sni=" + sni + ", alpn=" + alpn
                + ", resumption=" + resumption + ", renegotiation=" + renegotiation + ", clientRandom=" + clientRandom
                + ", encryptThenMac=" + encryptThenMac + ", extendedMasterSecret=" + extendedMasterSecret
                + ", clientHello=" + (clientHello == null ? "null" : clientHello.length + " bytes")
                + ", serverHello=" + (serverHello == null ? "null" : serverHello.length + " bytes") + "]";
    }

    /** "TLS 1.2", "SSL 3.0", "TLS 1.3 (draft 20)", or "unknown version (0x....)". */
    public static String versionName(int code) {
        return switch (code) {
            case 0x0002 -> "SSL 2.0";
            case 0x0300 -> "SSL 3.0";
            case 0x0301 -> "TLS 1.0";
            case 0x0302 -> "TLS 1.1";
            case 0x0303 -> "TLS 1.2";
            case 0x0304 -> "TLS 1.3";
            default -> (code & 0xff00) == 0x7f00 ? "TLS 1.3 (draft " + (code & 0xff) + ")"
                    : String.format("unknown version (0x%04x)", code);
        };
    }
}

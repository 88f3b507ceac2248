package io.plainsight.offline.tls;

/**
 * The NSS key log labels keyed by client random (https://nss-crypto.org/reference/security/nss/legacy/key_log_format/,
 * draft-ietf-tls-keylogfile): the TLS 1.2 master secret, a premaster secret, and the TLS 1.3
 * traffic secrets.
 */
enum KeyLogLabel {
    CLIENT_RANDOM(48, 48),
    PMS_CLIENT_RANDOM(1, 1024),
    CLIENT_EARLY_TRAFFIC_SECRET(32, 48),
    CLIENT_HANDSHAKE_TRAFFIC_SECRET(32, 48),
    SERVER_HANDSHAKE_TRAFFIC_SECRET(32, 48),
    CLIENT_TRAFFIC_SECRET_0(32, 48),
    SERVER_TRAFFIC_SECRET_0(32, 48),
    EARLY_EXPORTER_SECRET(32, 48),
    EXPORTER_SECRET(32, 48),
    /** OpenSSL 3.0 logs these on a KeyUpdate; not needed, the decryptor derives the next secret itself. */
    CLIENT_TRAFFIC_SECRET_N(32, 48),
    SERVER_TRAFFIC_SECRET_N(32, 48);

    final int minLength;
    final int maxLength;

    KeyLogLabel(int minLength, int maxLength) {
        this.minLength = minLength;
        this.maxLength = maxLength;
    }

    static KeyLogLabel of(String s) {
        for (KeyLogLabel l : values()) {
            if (l.name().equals(s)) {
                return l;
            }
        }
        return null;
    }
}

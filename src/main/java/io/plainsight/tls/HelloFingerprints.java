package io.plainsight.tls;

/**
 * The fingerprints of hello messages as events carry them ({@code TlsEstablished.clientHello()},
 * {@code serverHello()}: type, 3-byte length, body), or null when there is no message or it is not
 * a well-formed hello (no fingerprint rather than a wrong one). Pure code.
 */
public final class HelloFingerprints {
    private HelloFingerprints() {}

    /** JA3 of a ClientHello message, or null. */
    public static Ja3 ja3(byte[] clientHello) {
        try {
            return clientHello == null ? null : Ja3.ofClientHello(clientHello);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** JA4 of a ClientHello message, or null. */
    public static String ja4(byte[] clientHello) {
        try {
            return clientHello == null ? null : Ja4.ofClientHello(clientHello);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** JA3S of a ServerHello message, or null. */
    public static Ja3s ja3s(byte[] serverHello) {
        try {
            return serverHello == null ? null : Ja3s.ofServerHello(serverHello);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** JA4S of a ServerHello message, or null. */
    public static String ja4s(byte[] serverHello) {
        try {
            return serverHello == null ? null : Ja4s.ofServerHello(serverHello);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}

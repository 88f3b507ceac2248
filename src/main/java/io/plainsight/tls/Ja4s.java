package io.plainsight.tls;

import io.plainsight.offline.tls.ServerHello;
import java.util.HexFormat;

/**
 * The JA4S fingerprint of a ServerHello (FoxIO, technical_details/JA4S.md), for TLS over TCP:
 * {@code t120400_c030_4e8089b08790} is "t", the version (supported_versions when present, else the
 * version field; as in {@link Ja4}), the count of extensions (two digits), the first and last
 * character of the ALPN the ServerHello carries (00 without; TLS 1.3 sends ALPN encrypted, so
 * 00 there), the chosen cipher suite in hex, and the first 12 hex digits of the SHA-256 of the
 * extensions in the order sent ("000000000000" when there are none). Pure code.
 */
public final class Ja4s {
    private Ja4s() {}

    /** JA4S of a parsed ServerHello. */
    public static String of(ServerHello h) {
        return prefix(h) + '_' + Ja4.hash12(Ja4.hexList(h.extensions()));
    }

    /** The raw form (FoxIO's {@code ja4s_r}): the extension list before hashing. */
    public static String raw(ServerHello h) {
        return prefix(h) + '_' + Ja4.hexList(h.extensions());
    }

    /**
     * JA4S of a ServerHello handshake message (type, 3-byte length, body).
     *
     * @throws IllegalArgumentException when it is not a well-formed ServerHello
     */
    public static String ofServerHello(byte[] message) {
        return of(HelloMessages.serverHello(message));
    }

    private static String prefix(ServerHello h) {
        return "t" + Ja4.version(h.version()) + Ja4.count(h.extensions().size()) + Ja4.alpn(h.alpn()) + '_'
                + HexFormat.of().toHexDigits((short) h.cipherSuite());
    }
}

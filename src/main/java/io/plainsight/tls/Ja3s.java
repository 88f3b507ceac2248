package io.plainsight.tls;

import io.plainsight.offline.tls.ServerHello;

/**
 * The JA3S fingerprint of a ServerHello (Salesforce): {@code SSLVersion,Cipher,Extensions} in
 * decimal (the version field itself, 771 also in TLS 1.3; extensions in the order sent, joined by
 * '-', GREASE left out as Wireshark does), and the MD5 of that text; the same as Wireshark's
 * {@code tls.handshake.ja3s_full} and {@code tls.handshake.ja3s}.
 *
 * @param text e.g. {@code 771,4865,43-51}
 * @param md5 the MD5 of {@code text} in lower-case hex
 */
public record Ja3s(String text, String md5) {

    /** The JA3S of a parsed ServerHello. */
    public static Ja3s of(ServerHello h) {
        StringBuilder sb = new StringBuilder(64);
        sb.append(h.legacyVersion()).append(',').append(h.cipherSuite()).append(',');
        Ja3.decimals(sb, Grease.without(h.extensions()));
        String text = sb.toString();
        return new Ja3s(text, Ja3.md5(text));
    }

    /**
     * The JA3S of a ServerHello handshake message (type, 3-byte length, body).
     *
     * @throws IllegalArgumentException when it is not a well-formed ServerHello
     */
    public static Ja3s ofServerHello(byte[] message) {
        return of(HelloMessages.serverHello(message));
    }
}
